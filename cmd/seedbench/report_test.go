package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seeded is the report package's fixed results file: 2 variants, an SLO in
// the scenario that pro fails.
var seeded = filepath.Join("..", "..", "report", "testdata", "seeded.jsonl")

func TestReportCommand(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	junit := filepath.Join(out, "slo.xml")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "report", "--no-plots", "--out", out, "--junit", junit, seeded}, &stdout, &stderr)
	if code != exitCheck {
		t.Fatalf("exit %d, want %d (the seeded run fails its SLO)\n%s", code, exitCheck, stderr.String())
	}
	for _, f := range []string{"summary.json", "requests.csv", "targets.csv", "timeseries.csv", "report.md", "report.txt", "report.html", "slo.xml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if !strings.Contains(stdout.String(), "SLO verdict: FAIL") {
		t.Errorf("no verdict in:\n%s", stdout.String())
	}

	// Overriding the failing objectives with the flag makes it pass.
	stdout.Reset()
	code = Main(context.Background(), []string{"seedbench", "report", "--no-plots", "--out", t.TempDir(),
		"--slo", "ttft_p99=10s,availability=80%,error_rate=20%,tpot_p95=1s,dropped=5%", seeded}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d with lenient objectives:\n%s", code, stdout.String())
	}
}

func TestReportBadInput(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"report"}, // nothing to report
		{"report", filepath.Join(t.TempDir(), "nope")}, // missing
		{"report", "--slo", "ttft_p99=fast", seeded},   // bad objective
		{"report", "--slo", "latency=2s", seeded},      // unknown objective
		{"compare", seeded},                            // one run
		{"compare", "--max-regression", "ttft_p99=ten", seeded, seeded},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), append([]string{"seedbench"}, args...), &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, stderr.String())
		}
	}
}

func TestCompareCommand(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "compare", "--out", out, seeded, seeded}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("a run compared with itself: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, f := range []string{"compare.json", "compare.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	if !strings.Contains(stdout.String(), "compare verdict: PASS") {
		t.Errorf("no verdict:\n%s", stdout.String())
	}
}

// slowerCopy writes a copy of the seeded results whose every successful
// request got its first token 20% later (and everything after it with it).
func slowerCopy(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(seeded)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		if m["type"] == "result" && m["status"] == "ok" {
			ttft := m["ttft_us"].(float64)
			extra := math.Round(0.2 * ttft)
			m["ttft_us"] = ttft + extra
			for _, k := range []string{"ttfat_us", "e2e_us"} {
				if v, ok := m[k].(float64); ok {
					m[k] = v + extra
				}
			}
			if evs, ok := m["events_us"].([]any); ok {
				for i := range evs {
					evs[i] = evs[i].(float64) + extra
				}
			}
		}
		nb, _ := json.Marshal(m)
		out.Write(append(nb, '\n'))
	}
	p := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompareCommandFlagsRegression(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "compare", "--max-regression", "ttft_p50=10%", seeded, slowerCopy(t)}, &stdout, &stderr)
	if code != exitCheck {
		t.Fatalf("a 20%% TTFT regression: exit %d, want %d\n%s%s", code, exitCheck, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "REGRESSION") {
		t.Errorf("no regression row:\n%s", stdout.String())
	}
}
