package report

import (
	"strings"
	"testing"

	"github.com/seedbench/seedbench/runner"
)

// TestInvalidUsageExcluded: a record whose usage the runner marked invalid
// (here prompt_tokens 9e18, which used to wrap the sums into negative
// throughput and cost) is left out of cost and token throughput, counted,
// and warned about; the other records are billed as usual.
func TestInvalidUsageExcluded(t *testing.T) {
	const mini = "doubao-seed-2.0-mini"
	bad := okRecord(1, "mini", mini, "32k", 9_000_000_000_000_000_000, 0, 100)
	bad.UsageInvalid = "prompt_tokens 9000000000000000000 is over 2621440 (10× a 256K context)"
	bad.EstPromptTokens, bad.EstCompletionTokens = 40, 10
	recs := []runner.Result{okRecord(0, "mini", mini, "32k", 10_000, 2_000, 500), bad}
	p := resultsFile(t, runner.Header{Scenario: "usage", TargetRate: 1, Targets: []runner.TargetInfo{{Name: "mini"}}}, recs)
	s, err := Aggregate([]string{p}, Options{Pricing: testPrices{}})
	if err != nil {
		t.Fatal(err)
	}
	ts := s.Targets[0]
	if ts.Cost.BilledRequests != 1 || ts.Cost.Total <= 0 || ts.Cost.Total > 0.01 {
		t.Errorf("billed %d requests, total %v: the invalid usage was billed", ts.Cost.BilledRequests, ts.Cost.Total)
	}
	if tk := ts.All.Tokens; tk.ServerPrompt != 10_000 || tk.WithUsage != 1 {
		t.Errorf("server prompt %d with usage %d: the invalid usage was counted", tk.ServerPrompt, tk.WithUsage)
	}
	if ts.All.OK != 2 {
		t.Errorf("ok %d: the request itself succeeded", ts.All.OK)
	}
	found := false
	for _, w := range s.Warnings {
		found = found || strings.Contains(w, "mini: 1 requests reported token usage that cannot be believed (prompt_tokens 9000000000000000000 is over")
	}
	if !found {
		t.Errorf("no warning about the invalid usage in %q", s.Warnings)
	}
}
