package run

import (
	"bytes"
	"context"
	_ "embed"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver/mocktest"
	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// shortScenario is a two-variant, two-second run at 10 req/s (one copy,
// for this package's tests and the command's).
//
//go:embed testdata/short.yaml
var shortScenario string

func parse(t *testing.T, body string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("scenario.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// options are the options of a quiet test run against url into a fresh
// directory, with a lag limit no busy test machine misses.
func options(t *testing.T, sc *scenarios.Scenario, url string) Options {
	return Options{Scenario: sc, Overrides: scenarios.Overrides{BaseURL: url}, OutDir: filepath.Join(t.TempDir(), "run"),
		Tool: "seedbench test", Trust: runner.TrustLimit{Floor: time.Minute}, Report: reportNoPlots(),
		Getenv: func(string) string { return "" }}
}

func TestExecuteEndToEnd(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)
	sc := parse(t, shortScenario)
	var stdout bytes.Buffer
	o := options(t, sc, url)
	o.Stdout = &stdout
	out, err := Execute(context.Background(), context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Class != OK || out.Interrupted || out.Summary == nil {
		t.Fatalf("class %v (%s), interrupted %v", out.Class, out.Reason, out.Interrupted)
	}
	if out.Stats.Issued != 20 || out.Summary.Overall.OK != 20 {
		t.Errorf("issued %d, ok %d; want 20 and 20", out.Stats.Issued, out.Summary.Overall.OK)
	}
	if out.Header.PlanHash == "" || out.Header.Planned != 20 {
		t.Errorf("header %+v", out.Header)
	}
	if sc.Targets[0].BaseURL != "" {
		t.Errorf("Execute changed the caller's scenario: base_url %q", sc.Targets[0].BaseURL)
	}
	if !strings.Contains(stdout.String(), "trust: schedule lag p99") {
		t.Errorf("no trust line:\n%s", stdout.String())
	}
}

// TestExecuteHeaderSplitsWarmup: --duration sets the measured stages, the
// warmup runs before them on top, and the run's first line says both.
func TestExecuteHeaderSplitsWarmup(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)
	sc := parse(t, strings.Replace(shortScenario, "  max_in_flight: 100\n", "  max_in_flight: 100\n  warmup: 1s\n", 1))
	var stderr bytes.Buffer
	o := options(t, sc, url)
	o.Overrides.Duration = "1s"
	o.Stderr = &stderr
	out, err := Execute(context.Background(), context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if want := "(seed 3, 2s = 1s warmup + 1s measured, 20 requests planned)"; !strings.Contains(stderr.String(), want) {
		t.Errorf("the first line does not split warmup from measured load (want %q):\n%s", want, stderr.String())
	}
	if out.Header.PlannedSecs != 2 {
		t.Errorf("header planned %gs, want 2s (1s warmup + 1s measured)", out.Header.PlannedSecs)
	}
}

// TestExecuteStopIssuing: ending the issue context (the first Ctrl-C) stops
// issuing and lets in-flight requests finish: every record is a success, the
// footer is marked interrupted, and the outcome is Untrusted.
func TestExecuteStopIssuing(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.02)
	sc := parse(t, strings.NewReplacer("rate: 10/s", "rate: 20/s", "duration: 2s", "duration: 60s").Replace(shortScenario))
	o := options(t, sc, url)
	issue, stop := context.WithCancel(context.Background())
	defer stop()
	seen := make(chan struct{}, 1000)
	o.OnResult = func(*runner.Result) { seen <- struct{}{} }
	go func() {
		for range 5 {
			<-seen
		}
		stop()
	}()
	out, err := Execute(context.Background(), issue, o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Class != Untrusted || !out.Interrupted || !strings.Contains(out.Reason, "interrupted") {
		t.Errorf("class %v, interrupted %v, reason %q", out.Class, out.Interrupted, out.Reason)
	}
	ft := footer(t, out.ResultsPath)
	if !ft.Interrupted {
		t.Error("footer not marked interrupted")
	}
	if n := out.Summary.Overall.Requests; n < 5 || n > 1000 || out.Summary.Overall.OK != n {
		t.Errorf("%d requests, %d ok: the in-flight ones must finish", n, out.Summary.Overall.OK)
	}
}

// TestExecuteCancel: ending ctx (the second Ctrl-C) cancels the requests in
// flight at once; they are recorded as canceled and the file is still valid.
func TestExecuteCancel(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 1) // real speed: Pro streams take seconds
	sc := parse(t, strings.NewReplacer("rate: 10/s", "rate: 20/s", "duration: 2s", "duration: 60s",
		"output_tokens: 16", "output_tokens: 2000", "max_in_flight: 100", "max_in_flight: 200").Replace(shortScenario))
	o := options(t, sc, url)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := make(chan struct{})
	var once sync.Once
	o.OnResult = func(*runner.Result) { once.Do(func() { close(first) }) }
	go func() {
		<-first // the first Mini answers have ended: others are in flight
		cancel()
	}()
	start := time.Now()
	out, err := Execute(ctx, context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 50*time.Second {
		t.Errorf("took %s: in-flight requests were waited for, not canceled", d)
	}
	if out.Class != Untrusted || !out.Interrupted {
		t.Errorf("class %v, interrupted %v", out.Class, out.Interrupted)
	}
	if out.Summary.Overall.ErrorClasses["canceled"] == 0 {
		t.Errorf("no canceled records: %v", out.Summary.Overall.ErrorClasses)
	}
	footer(t, out.ResultsPath)
}

// TestExecuteDryRun: a dry run prints the plan and writes nothing.
func TestExecuteDryRun(t *testing.T) {
	t.Parallel()
	sc := parse(t, shortScenario)
	var stdout bytes.Buffer
	o := options(t, sc, "http://127.0.0.1:1/v1")
	o.DryRun, o.Stdout = true, &stdout
	out, err := Execute(context.Background(), context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mini", "pro", "20 requests planned", "dry run: nothing sent"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, stdout.String())
		}
	}
	if _, err := os.Stat(out.Dir); !os.IsNotExist(err) {
		t.Errorf("a dry run created %s (%v)", out.Dir, err)
	}
}

// TestExecuteBadOverride: an override that cannot apply is bad input.
func TestExecuteBadOverride(t *testing.T) {
	t.Parallel()
	o := options(t, parse(t, shortScenario), "")
	o.Overrides.Rate = "fast"
	_, err := Execute(context.Background(), context.Background(), o)
	if ClassOf(err) != BadInput || !strings.Contains(err.Error(), "--rate") {
		t.Errorf("err %v (class %v), want bad input naming --rate", err, ClassOf(err))
	}
}

// TestExecuteUntrustworthy: a lag limit no machine meets marks the run
// untrustworthy: the outcome says so, and so does the footer.
func TestExecuteUntrustworthy(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)
	o := options(t, parse(t, shortScenario), url)
	o.Trust = runner.TrustLimit{Floor: time.Nanosecond}
	out, err := Execute(context.Background(), context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Class != Untrusted || !strings.Contains(out.Reason, "not trustworthy") {
		t.Errorf("class %v, reason %q", out.Class, out.Reason)
	}
	if ft := footer(t, out.ResultsPath); !ft.Trust.Untrustworthy {
		t.Errorf("footer trust %+v", ft.Trust)
	}
}

func footer(t *testing.T, path string) runner.Footer {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := runner.NewReader(f, path)
	if err != nil {
		t.Fatal(err)
	}
	var r runner.Result
	for rd.Next(&r) == nil {
	}
	if rd.Footer == nil {
		t.Fatalf("%s: no footer", path)
	}
	return *rd.Footer
}

func reportNoPlots() report.Options { return report.Options{NoPlots: true} }
