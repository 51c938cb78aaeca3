package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver/mocktest"
)

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), append([]string{"seedbench"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestLoadNotDelivered: two requests in flight cannot carry quickstart's
// load; most of the plan is dropped. The run exits 1 saying how many were
// dropped of how many planned, and so does a report of its directory.
func TestLoadNotDelivered(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCLI(t, "run", "--quiet", "--no-plots", "--max-lag", "1m", "--max-in-flight", "2", "--duration", "5s", "--out", out, "quickstart")
	if code != exitCheck || !strings.Contains(stderr, "load not delivered") || !strings.Contains(stderr, "planned") {
		t.Fatalf("run: exit %d, want 1 naming the load not delivered:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "dropped of 75 planned") {
		t.Errorf("the message does not say how many were dropped of how many planned:\n%s", stderr)
	}
	code, _, stderr2 := runCLI(t, "report", "--no-plots", out)
	if code != exitCheck || !strings.Contains(stderr2, "load not delivered") {
		t.Errorf("report: exit %d, want 1 the same way:\n%s", code, stderr2)
	}
}

// TestQuickstartDelivered: the README's first command's summary.json has
// the plan's target rate, an achieved rate within 5% of it, and every
// objective of its own conclusive (on a quiet machine it exits 0; on a
// busy one it may be untrustworthy, and says so, but its load and sample
// sizes are still what was asked).
func TestQuickstartDelivered(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := runCLI(t, "run", "--quiet", "--no-plots", "--out", out)
	if code != exitOK && code != exitUntrusted {
		t.Fatalf("exit %d:\n%s\n%s", code, stdout, stderr)
	}
	if code == exitUntrusted && !strings.Contains(stderr, "UNTRUSTWORTHY") && !strings.Contains(stderr, "not trustworthy") {
		t.Errorf("exit 3 without saying why:\n%s", stderr)
	}
	var sum struct {
		TargetRate float64 `json:"target_rate"`
		Achieved   float64 `json:"achieved_rate"`
		SLO        struct {
			Checks []struct {
				Text, Status string
			} `json:"checks"`
		} `json:"slo"`
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.TargetRate <= 0 || sum.Achieved < 0.95*sum.TargetRate || sum.Achieved > 1.05*sum.TargetRate {
		t.Errorf("target rate %v, achieved %v: want a non-zero target and achieved within 5%%", sum.TargetRate, sum.Achieved)
	}
	for _, c := range sum.SLO.Checks {
		if c.Status == "inconclusive" {
			t.Errorf("quickstart's own objective %s is inconclusive on the mock: size the scenario up", c.Text)
		}
	}
}

// TestUntrustworthyCarried: a lag limit no machine meets makes the run
// untrustworthy; the verdict travels with its results: report exits 3 with
// UNTRUSTWORTHY as report.md's first line and in the HTML badge, merge of
// a good and the untrustworthy shard exits 3 naming it, compare against it
// exits 3 unless --allow-untrusted.
func TestUntrustworthyCarried(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
	sc := writeScenario(t, shortScenario)
	if code, _, stderr := runCLI(t, "run", "--quiet", "--no-plots", "--max-lag", "1m", "--target", url, "--out", good, sc); code != exitOK {
		t.Fatalf("good run: exit %d:\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "run", "--quiet", "--no-plots", "--max-lag", "1us", "--max-lag-ttft-pct", "0", "--target", url, "--out", bad, sc); code != exitUntrusted {
		t.Fatalf("bad run: exit %d, want 3:\n%s", code, stderr)
	}
	code, stdout, _ := runCLI(t, "report", "--no-plots", bad)
	if code != exitUntrusted || !strings.HasPrefix(stdout, "UNTRUSTWORTHY: ") {
		t.Errorf("report: exit %d, want 3 with UNTRUSTWORTHY first:\n%s", code, stdout)
	}
	md, _ := os.ReadFile(filepath.Join(bad, "report.md"))
	if first, _, _ := strings.Cut(string(md), "\n"); !strings.Contains(first, "UNTRUSTWORTHY: ") {
		t.Errorf("report.md's first line is %q", first)
	}
	html, _ := os.ReadFile(filepath.Join(bad, "report.html"))
	if !strings.Contains(string(html), `id="verdict">UNTRUSTWORTHY: `) {
		t.Error("the HTML badge does not say UNTRUSTWORTHY")
	}
	// Two shards of one run, one of them untrustworthy.
	start := strconv.FormatInt(time.Now().Add(1500*time.Millisecond).UnixNano(), 10)
	shard := func(i int, maxLag string) (string, <-chan int) {
		out := filepath.Join(dir, "shard-"+strconv.Itoa(i))
		done := make(chan int, 1)
		go func() {
			code, _, _ := runCLI(t, "run", "--quiet", "--no-plots", "--max-lag", maxLag, "--max-lag-ttft-pct", "0", "--target", url,
				"--shard", strconv.Itoa(i)+"/2", "--start-at", start, "--start-tolerance", "1m", "--out", out, sc)
			done <- code
		}()
		return out, done
	}
	s0, c0 := shard(0, "1m")
	s1, c1 := shard(1, "1us")
	if a, b := <-c0, <-c1; a != exitOK || b != exitUntrusted {
		t.Fatalf("shards: exit %d and %d, want 0 and 3", a, b)
	}
	code, _, stderr := runCLI(t, "merge", "-o", filepath.Join(dir, "merged"), s0, s1)
	if code != exitUntrusted || !strings.Contains(stderr, s1+" is untrustworthy") {
		t.Errorf("merge: exit %d, want 3 naming the shard:\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "compare", good, bad)
	if code != exitUntrusted || !strings.Contains(stderr, "current run is UNTRUSTWORTHY") {
		t.Errorf("compare: exit %d, want 3 naming the side:\n%s", code, stderr)
	}
	if code, _, stderr = runCLI(t, "compare", "--allow-untrusted", good, bad); code == exitUntrusted || code == exitUsage {
		t.Errorf("compare --allow-untrusted: exit %d:\n%s", code, stderr)
	}
}

// TestCompareRefusesDifferentScenarios: two different built-in scenarios
// are not comparable: exit 2 listing the differences; --force compares and
// says so.
func TestCompareRefusesDifferentScenarios(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.02)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	other := strings.NewReplacer("name: e2e", "name: other", "model: doubao-seed-2.0-pro", "model: doubao-seed-2.0-lite").Replace(shortScenario)
	for _, r := range []struct{ out, sc string }{{a, shortScenario}, {b, other}} {
		if code, _, stderr := runCLI(t, "run", "--quiet", "--no-plots", "--max-lag", "1m", "--target", url, "--out", r.out, writeScenario(t, r.sc)); code != exitOK {
			t.Fatalf("run %s: exit %d:\n%s", r.out, code, stderr)
		}
	}
	code, _, stderr := runCLI(t, "compare", a, b)
	if code != exitUsage || !strings.Contains(stderr, `scenario "e2e" vs "other"`) || !strings.Contains(stderr, "model doubao-seed-2.0-pro vs doubao-seed-2.0-lite") {
		t.Errorf("compare: exit %d, want 2 listing the differences:\n%s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "compare", "--force", a, b)
	if code == exitUsage || !strings.Contains(stdout, "FORCED comparison") {
		t.Errorf("compare --force: exit %d:\n%s\n%s", code, stdout, stderr)
	}
	// The same scenario with another seed compares, and says so.
	c := filepath.Join(dir, "c")
	if code, _, stderr := runCLI(t, "run", "--quiet", "--no-plots", "--max-lag", "1m", "--seed", "99", "--target", url, "--out", c, writeScenario(t, shortScenario)); code != exitOK {
		t.Fatalf("run c: exit %d:\n%s", code, stderr)
	}
	code, stdout, stderr = runCLI(t, "compare", a, c)
	if code == exitUsage || !strings.Contains(stdout, "seed 3 vs 99") {
		t.Errorf("compare across seeds: exit %d:\n%s\n%s", code, stdout, stderr)
	}
}

const closedScenario = `name: closed
description: two users for two seconds
targets:
  - name: mini
    model: doubao-seed-2.0-mini
mix:
  - name: chat
    weight: 1
    prompt_tokens: 200
    output_tokens: 16
load:
  seed: 5
  stages:
    - kind: concurrency
      users: 2
      duration: 2s
`

// TestClosedLoopUserDelay: a closed-loop run is judged by its users' own
// send delay (previous answer to next send). A limit no machine meets marks
// it untrustworthy for that reason, in the footer and on stdout; a generous
// one does not, and the footer keeps the delays either way.
func TestClosedLoopUserDelay(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)
	for _, tc := range []struct {
		name string
		lag  []string
		code int
	}{
		{"absurd limit", []string{"--max-lag", "1ns", "--max-lag-ttft-pct", "0"}, exitUntrusted},
		{"generous limit", []string{"--max-lag", "1m"}, exitOK},
	} {
		out := filepath.Join(t.TempDir(), "run")
		var stdout, stderr bytes.Buffer
		args := append([]string{"seedbench", "run", "--quiet", "--no-plots", "--target", url, "--out", out}, tc.lag...)
		code := Main(context.Background(), append(args, writeScenario(t, closedScenario)), &stdout, &stderr)
		if code != tc.code {
			t.Fatalf("%s: exit %d, want %d:\n%s\n%s", tc.name, code, tc.code, stdout.String(), stderr.String())
		}
		foot := readRecords(t, filepath.Join(out, "results.jsonl"))["footer"][0]["trust"].(map[string]any)
		if n, _ := foot["user_send_delay_samples"].(float64); n < 2 {
			t.Errorf("%s: %v user send delays in the footer", tc.name, foot["user_send_delay_samples"])
		}
		reason, _ := foot["reason"].(string)
		if tc.code == exitUntrusted {
			if !strings.Contains(reason, "after the user's previous answer") && !strings.Contains(reason, "after its previous answer") {
				t.Errorf("%s: reason %q does not name the users' send delay", tc.name, reason)
			}
			if !strings.Contains(stdout.String(), "per-user send delay p99") {
				t.Errorf("%s: the trust line does not show the users' send delay:\n%s", tc.name, stdout.String())
			}
		} else if reason != "" {
			t.Errorf("%s: untrustworthy: %s", tc.name, reason)
		}
	}
}
