package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/mockserver/mocktest"
)

// shortScenario is a two-variant, two-second run at 10 req/s: the run
// package's test scenario, one copy for both packages (embed cannot reach
// another package's directory).
var shortScenario = fixture("../../run/testdata/short.yaml")

// fixture reads a test file that package-level fixtures are made of.
func fixture(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func writeScenario(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readRecords parses every line of a results file, failing on any that is
// not JSON, and returns them by type.
func readRecords(t *testing.T, path string) map[string][]map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]map[string]any{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s:%d: not JSON: %v", path, n, err)
		}
		typ, _ := m["type"].(string)
		out[typ] = append(out[typ], m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunAgainstMockEndToEnd(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)

	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "run", "--quiet", "--max-lag", "1m", "--target", url, "--out", out, writeScenario(t, shortScenario)}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	recs := readRecords(t, filepath.Join(out, "results.jsonl"))
	if len(recs["header"]) != 1 || len(recs["footer"]) != 1 {
		t.Fatalf("want one header and one footer, got %d and %d", len(recs["header"]), len(recs["footer"]))
	}
	if got := len(recs["result"]); got != 20 {
		t.Fatalf("want 20 result records (10/s for 2s), got %d", got)
	}
	targets := map[string]int{}
	for _, r := range recs["result"] {
		if r["status"] != "ok" {
			t.Errorf("k=%v: status %v (%v)", r["k"], r["status"], r["error"])
		}
		if ttft, _ := r["ttft_us"].(float64); ttft <= 0 {
			t.Errorf("k=%v: no TTFT", r["k"])
		}
		targets[r["target"].(string)]++
	}
	if targets["mini"] != 10 || targets["pro"] != 10 {
		t.Errorf("requests per target = %v, want 10 each (interleaved)", targets)
	}
	for _, want := range []string{"mini", "pro", "TTFT p50"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestRunNothingListening(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	sc := strings.Replace(shortScenario, "rate: 10/s", "rate: 5/s", 1)
	sc = strings.Replace(sc, "duration: 2s", "duration: 1s", 1)
	code := Main(context.Background(), []string{"seedbench", "run", "--quiet", "--no-plots", "--no-preflight", "--target", "http://127.0.0.1:1", "--out", out, writeScenario(t, sc)}, &stdout, &stderr)
	if code == exitOK {
		t.Fatalf("exit 0 with nothing listening")
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, "127.0.0.1:1") {
		t.Errorf("error line does not name the address: %q", last)
	}
	recs := readRecords(t, filepath.Join(out, "results.jsonl"))
	if got := len(recs["result"]); got != 5 {
		t.Fatalf("want 5 failure records, got %d", got)
	}
	for _, r := range recs["result"] {
		if r["status"] != "error" || r["error_class"] != "connect" {
			t.Errorf("k=%v: status %v class %v, want error/connect", r["k"], r["status"], r["error_class"])
		}
	}
}

// TestRunProgressAndTrust: without --quiet and without a terminal, progress
// comes as plain periodic lines; the summary ends with the trust line.
func TestRunProgressAndTrust(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)
	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "run", "--no-plots", "--progress-every", "300ms", "--max-lag", "1m", "--target", url, "--out", out, writeScenario(t, shortScenario)}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	if n := strings.Count(stderr.String(), "seedbench: 0s/2s  sent") + strings.Count(stderr.String(), "seedbench: 1s/2s  sent"); n < 3 {
		t.Errorf("%d progress lines, want about 6:\n%s", n, stderr.String())
	}
	if !strings.Contains(stderr.String(), " on time, 0 later than 60s)") {
		t.Errorf("progress lines do not split the sends into on time and late:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "\x1b[") {
		t.Error("terminal escapes written to a non-terminal")
	}
	if !strings.Contains(stdout.String(), "trust: schedule lag p99") || !strings.Contains(stdout.String(), "within the limit 60s") {
		t.Errorf("summary:\n%s", stdout.String())
	}
}

// TestRunUntrustworthy: a lag limit no real machine meets marks the run
// untrustworthy: exit 3, said on stdout and in the footer.
func TestRunUntrustworthy(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)
	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "run", "--quiet", "--no-plots", "--max-lag", "1ns", "--max-lag-ttft-pct", "0", "--target", url, "--out", out, writeScenario(t, shortScenario)}, &stdout, &stderr)
	if code != exitUntrusted {
		t.Fatalf("exit %d, want 3:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "UNTRUSTWORTHY") || !strings.Contains(stderr.String(), "not trustworthy") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	recs := readRecords(t, filepath.Join(out, "results.jsonl"))
	if tr, _ := recs["footer"][0]["trust"].(map[string]any); tr["untrustworthy"] != true {
		t.Errorf("footer trust %v", tr)
	}
}

// TestRunBadFlags: impossible values exit 2 before anything runs.
func TestRunBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--max-lag", "0s"},
		{"--max-lag-ttft-pct", "-1"},
		{"--max-in-flight", "-3"},
		{"--idle-timeout", "-1s"},
	} {
		var stdout, stderr bytes.Buffer
		all := append([]string{"seedbench", "run", "--out", t.TempDir()}, args...)
		if code := Main(context.Background(), all, &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
}

// TestRunDryRun: --dry-run prints the plan of the README's first command
// and of run's --help examples, and sends nothing (no listener is needed).
func TestRunDryRun(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"--target", "https://gateway.example/api/v3", "mini-vs-pro"},
		{"--seed", "7", writeScenario(t, shortScenario)},
	} {
		out := filepath.Join(t.TempDir(), "run")
		var stdout, stderr bytes.Buffer
		all := append([]string{"seedbench", "run", "--dry-run", "--out", out}, args...)
		if code := Main(context.Background(), all, &stdout, &stderr); code != exitOK {
			t.Errorf("%v: exit %d:\n%s", args, code, stderr.String())
			continue
		}
		if !strings.Contains(stdout.String(), "requests planned") || !strings.Contains(stdout.String(), "dry run: nothing sent") {
			t.Errorf("%v: no plan:\n%s", args, stdout.String())
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: --dry-run created %s", args, out)
		}
	}
}

// TestGoodputObjectiveRoundTrip: an objective in any unit the scenario file
// accepts (goodput: 60/m) validates, runs and reports with exit 0: the
// scenario, the run and the report read objectives the same way.
func TestGoodputObjectiveRoundTrip(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)
	sc := writeScenario(t, shortScenario+"slo:\n  goodput: 60/m\n")
	out := filepath.Join(t.TempDir(), "run")
	for _, args := range [][]string{
		{"scenarios", "validate", sc},
		{"run", "--quiet", "--no-plots", "--max-lag", "1m", "--target", url, "--out", out, sc},
		{"report", "--no-plots", out},
		{"report", "--no-plots", "--slo", "goodput=120/m", out}, // --slo in the same vocabulary
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), append([]string{"seedbench"}, args...), &stdout, &stderr); code != exitOK {
			t.Fatalf("%v: exit %d:\n%s\n%s", args, code, stdout.String(), stderr.String())
		}
		if args[0] == "report" && !strings.Contains(stdout.String(), "goodput >= 1/s") && !strings.Contains(stdout.String(), "goodput >= 2/s") {
			t.Errorf("%v: the goodput objective is not judged:\n%s", args, stdout.String())
		}
	}
}

// TestRunAbsurdPlan: a plan no machine could carry exits 2 before
// anything is built or sent, naming the planned count and the ceiling.
func TestRunAbsurdPlan(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "run", "quickstart", "--rate", "1e9/s", "--duration", "2s", "--out", dir}, &stdout, &stderr)
	for _, want := range []string{"1000000000/s is over the ceiling of 1000000/s", "about 2,000,000,000 requests, over the ceiling of 100,000,000", "load.max_requests"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if code != exitUsage {
		t.Errorf("exit %d, want 2", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "results.jsonl")); err == nil {
		t.Error("a results file was created")
	}
}
