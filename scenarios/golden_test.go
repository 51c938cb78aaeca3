package scenarios

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestShowGolden: "seedbench scenarios show NAME" for every built-in.
func TestShowGolden(t *testing.T) {
	for _, name := range Builtins() {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := mustPlan(t, name).WriteSummary(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, "show/"+name+".golden", b.Bytes())
		})
	}
}

// TestCostGolden: "seedbench cost NAME" at the scenario's rate for 30 days.
func TestCostGolden(t *testing.T) {
	for _, name := range []string{"mini-vs-pro", "tier-mix", "cache-heavy"} {
		t.Run(name, func(t *testing.T) {
			p := mustPlan(t, name)
			pr, err := p.Project(p.NominalRate(), 30*24*time.Hour, "")
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := pr.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, "cost/"+name+".golden", b.Bytes())
		})
	}
}
