package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/scenarios"
)

// seedbench runs the CLI in-process and returns stdout, stderr and the exit code.
func seedbench(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), append([]string{"seedbench"}, args...), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestScenariosList(t *testing.T) {
	t.Parallel()
	out, _, code := seedbench(t, "scenarios", "list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"quickstart", "mini-vs-pro", "tier-mix", "long-context-256k", "cache-heavy", "slo-soak", "capacity-ramp", "ci-regression"} {
		if !regexp.MustCompile(`(?m)^` + name + `\s+\S`).MatchString(out) {
			t.Errorf("list lacks %s with a description:\n%s", name, out)
		}
	}
}

// TestScenariosShow: the command prints the package's summary (its golden
// files are in scenarios/testdata/show), flags may follow the name, and
// --yaml prints the source.
func TestScenariosShow(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("../../scenarios/testdata/show/mini-vs-pro.golden")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := seedbench(t, "scenarios", "show", "mini-vs-pro")
	if code != 0 || out != string(want) {
		t.Errorf("exit %d, stderr %q, output differs from the golden file:\n%s", code, errOut, out)
	}
	out, _, code = seedbench(t, "scenarios", "show", "quickstart", "--yaml")
	src, _ := scenarios.BuiltinSource("quickstart")
	if code != 0 || out != string(src) {
		t.Errorf("--yaml: exit %d, output %.80q", code, out)
	}
	out, _, _ = seedbench(t, "scenarios", "show", "--seed", "9", "quickstart")
	if !strings.Contains(out, "(seed 9)") {
		t.Errorf("--seed not applied:\n%.200s", out)
	}
	_, errOut, code = seedbench(t, "scenarios", "show", "no-such-scenario")
	if code != 2 || !strings.Contains(errOut, `no built-in scenario "no-such-scenario"`) {
		t.Errorf("unknown name: exit %d, %q", code, errOut)
	}
}

func TestScenariosValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	src, _ := scenarios.BuiltinSource("quickstart")
	os.WriteFile(good, src, 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(strings.Replace(string(src), "rate: 30/s", "rate: fast", 1)), 0o644)

	out, errOut, code := seedbench(t, "scenarios", "validate", good)
	if code != 0 || !strings.Contains(out, good+": ok (quickstart: 2 targets, 1 classes, 1 stages, 15s, 450 requests planned)") {
		t.Errorf("good file: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = seedbench(t, "scenarios", "validate", good, bad)
	if code != 2 || !strings.Contains(out, good+": ok") ||
		!strings.Contains(errOut, bad+`:33:13: load.stages[0].rate: "fast" is not a rate (try "20/s" or "1200/m")`) ||
		!strings.Contains(errOut, "1 of 2 scenario files are invalid") {
		t.Errorf("bad file: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

// TestCostMiniVsPro checks the printed summary against arithmetic done by
// hand from the catalog (CNY per 1M tokens; Mini 0.2/0.4 in, 2/4 out, cache
// 0.04; Pro 3.2/4.8 in, 16/24 out, cache 0.64) and the scenario: 70% chat
// (2,000 in, 300 out), 20% rag (24,000 in of which 16,000 cached, 500 out),
// 10% long-doc (64,000 in, 800 out, the 128k tier), at 2 req/s for 30 days.
func TestCostMiniVsPro(t *testing.T) {
	t.Parallel()
	out, errOut, code := seedbench(t, "cost", "mini-vs-pro")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// Mini per request: 0.7·(2000·0.2 + 300·2) + 0.2·(8000·0.2 + 16000·0.04 + 500·2)
	//   + 0.1·(64000·0.4 + 800·4) = 700 + 648 + 2880 = 4228 per 1M → 4.2280 per 1K.
	// Per 30 d: 4.228/1000 · 2 · 2,592,000 = 21,917.952; storage 4·16000/1e6·0.017·720 = 0.78336.
	// Pro: 0.7·(6400 + 4800) + 0.2·(25600 + 10240 + 8000) + 0.1·(307200 + 19200)
	//   = 7840 + 8768 + 32640 = 49248 per 1M → 49.2480 per 1K; per 30 d 255,301.632.
	for _, want := range []string{
		`mini\s+doubao-seed-2\.0-mini\s+4\.2280\s+0\.5120\s+730\.60\s+21,917\.95\s+0\.78\s+21,918\.74`,
		`pro\s+doubao-seed-2\.0-pro\s+49\.2480\s+8\.1920\s+8,510\.05\s+255,301\.63\s+0\.78\s+255,302\.42`,
		`at 2 req/s for 30d = 5,184,000 requests`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	// Flags after the name; a week at 10 req/s: 4.228/1000 · 10 · 604,800 = 25,570.94.
	out, _, code = seedbench(t, "cost", "mini-vs-pro", "--rate", "10/s", "--period", "7d")
	if code != 0 || !regexp.MustCompile(`mini\s+doubao-seed-2\.0-mini\s+4\.2280\s+\S+\s+\S+\s+25,570\.94`).MatchString(out) {
		t.Errorf("--rate 10/s --period 7d: exit %d\n%s", code, out)
	}
	_, errOut, code = seedbench(t, "cost", "--rate", "fast", "mini-vs-pro")
	if code != 2 || !strings.Contains(errOut, `--rate: "fast" is not a rate`) {
		t.Errorf("bad rate: exit %d %q", code, errOut)
	}
	_, errOut, code = seedbench(t, "cost", "long-context-256k")
	if code != 2 || !strings.Contains(errOut, "pass --rate") {
		t.Errorf("closed-loop scenario without --rate: exit %d %q", code, errOut)
	}
}

// TestRunOverrides: --rate and --duration reach the plan and the results
// header (1 s at 4 req/s: four requests).
func TestRunOverrides(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the built-in mock for a few seconds")
	}
	dir := t.TempDir()
	// --max-lag: this test is about the overrides, not about how busy the
	// machine running it is.
	// --allow-inconclusive: four requests cannot show a p99.
	_, errOut, code := seedbench(t, "run", "--quiet", "--max-lag", "1m", "--allow-inconclusive", "--out", dir, "--rate", "4/s", "--duration", "1s", "ci-regression")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs := readRecords(t, filepath.Join(dir, "results.jsonl"))
	hdr := recs["header"][0]
	resolved, _ := hdr["resolved_scenario"].(map[string]any)
	stage := resolved["load"].(map[string]any)["stages"].([]any)[0].(map[string]any)
	if stage["rate"] != "4/s" || stage["duration"] != "1s" {
		t.Errorf("resolved stage %v", stage)
	}
	if got := recs["footer"][0]["issued"]; got != float64(4) {
		t.Errorf("issued %v, want 4", got)
	}
	_, errOut, code = seedbench(t, "run", "--out", dir, "--rate", "fast", "ci-regression")
	if code != 2 || !strings.Contains(errOut, `--rate: "fast" is not a rate`) {
		t.Errorf("bad --rate: exit %d %q", code, errOut)
	}
}
