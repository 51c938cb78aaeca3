package capacity

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/scenarios"
)

// TestDryRun: the plan names the targets, the load decided for, the ramp
// from the start level up to the ceiling, the probe length and the
// objectives, and nothing is written (no search directory).
func TestDryRun(t *testing.T) {
	sc, err := scenarios.Builtin("mini-vs-pro")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "search")
	c := DefaultConfig()
	c.Start, c.MaxLevel, c.MinProbe = 0, 10, 0
	var out bytes.Buffer
	if err := DryRun(&out, Options{Scenario: sc, Dir: dir, Search: c, Expected: 2, Headroom: 2}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"capacity search of mini-vs-pro by rate, per target: mini, pro",
		"decide for:  2/s × headroom 2 = 4/s",
		"ramp:        2/s, 4/s, 8/s … (×2 per probe", "never above 10/s",
		"within 10%",
		"[pro] ttft_p99 ≤ 3s",
		"dry run: nothing sent, nothing written",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a dry run made %s (%v)", dir, err)
	}
}

// TestDryRunBadConfig: a search Measure would refuse is refused here too.
func TestDryRunBadConfig(t *testing.T) {
	sc, err := scenarios.Builtin("mini-vs-pro")
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.Start, c.MaxLevel = 8, 4
	if err := DryRun(&bytes.Buffer{}, Options{Scenario: sc, Dir: t.TempDir(), Search: c}); err == nil || !strings.Contains(err.Error(), "below the start") {
		t.Errorf("error %v, want the max level below the start", err)
	}
}
