package capacity

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/run"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// TestMeasureFindsTheMockCapacity runs the whole search against a mock
// whose capacity is known from its profile (mockserver.Profile.Capacity)
// and wants the capacity found within 15 % of it. The mock is small and
// four times faster than real time, so the search takes about a minute;
// requests are evenly paced and every stream has the same length, so below
// the capacity nothing queues and above it the queue grows.
func TestMeasureFindsTheMockCapacity(t *testing.T) {
	if testing.Short() {
		t.Skip("a capacity search against the mock takes about two minutes")
	}
	const model, scale = "doubao-seed-2.0-mini", 0.25
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = scale
	p := cfg.Models[model]
	p.MaxInFlight, p.MaxQueue, p.ITLSpread = 8, 4096, 0
	p.OutputTokens.Spread = 0
	cfg.Models = map[string]mockserver.Profile{model: p}
	srv := mockserver.New(cfg)
	hs := httptest.NewServer(srv)
	defer srv.Close()
	defer hs.Close()
	want := p.Capacity(mockserver.Demand{PromptTokens: 1000, MaxTokens: 64}) / scale

	src := fmt.Sprintf(`name: mock-capacity
targets:
  - name: mini
    model: %s
    base_url: %s/v1
mix:
  - name: chat
    prompt_tokens: 1000
    output_tokens: 64
load:
  seed: 3
  max_in_flight: 4000
  timeout: 1m
  stages:
    - {kind: constant, rate: 10/s, duration: 10s}
slo:
  ttft_p99: 1s
  availability: 99%%
`, model, hs.URL)
	sc, err := scenarios.Parse("mock-capacity.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.Start, c.MinProbe, c.Warmup, c.Tolerance = 5, 3*time.Second, time.Second, 0.05
	dir := t.TempDir()
	r, err := Measure(context.Background(), Options{Scenario: sc, Dir: dir, Tool: "seedbench test", Search: c, NoPlots: true,
		Run: run.Options{Tool: "seedbench test", Report: report.Options{Pricing: report.CatalogPricing(scenarios.DefaultCatalog()), NoPlots: true},
			// This test judges the endpoint, not the machine running it.
			Trust: runner.TrustLimit{Floor: 500 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	res := r.Results[0]
	t.Logf("capacity %v [%v, %v) binding %s, computed %.1f/s, %d probes, stopped: %s", res.Capacity, res.Lo, res.Hi, res.Binding, want, len(res.Probes), res.Stopped)
	for _, pr := range res.Probes {
		t.Logf("  %s %.1f/s: %s %s %s", pr.Phase, pr.Level, pr.Verdict, pr.Binding, pr.Outcome.Untrusted)
	}
	if res.Stopped == StopUntrusted {
		// The search refuses to judge an endpoint from probes the generator
		// could not send on time; on a machine that busy there is nothing
		// to compare.
		t.Skipf("this machine could not send the probes on time (%s): the capacity cannot be judged here", res.Probes[len(res.Probes)-1].Outcome.Untrusted)
	}
	if math.Abs(res.Capacity-want)/want > 0.15 {
		t.Fatalf("capacity %.1f/s, the profile's %.1f/s: more than 15%% apart", res.Capacity, want)
	}
	for _, f := range []string{FileJSON, FileMarkdown, FileHTML, FileText} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// Every probe is a run directory that re-reports.
	for _, pr := range res.Probes {
		if _, err := report.Aggregate([]string{filepath.Join(pr.Outcome.Dir, "results.jsonl")}, report.Options{}); err != nil {
			t.Fatalf("probe %s does not re-report: %v", pr.Outcome.Dir, err)
		}
	}
}
