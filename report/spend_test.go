package report

import (
	"math"
	"testing"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

func TestSpendMeter(t *testing.T) {
	m := NewSpendMeter(CatalogPricing(scenarios.DefaultCatalog()), runner.Header{}, 0.001)
	if !m.WouldCross(0.0005, 0) || m.WouldCross(0.0015, 0) {
		t.Fatal("before any bill the prior (0.001 a request) must decide")
	}
	for _, r := range []runner.Result{
		// Mini ≤32K: (1000·0.2 + 100·2) / 1e6 = 0.0004.
		{Model: "doubao-seed-2.0-mini", Status: runner.StatusOK, Usage: &runner.Usage{PromptTokens: 1000, CompletionTokens: 100}},
		// Cached tokens at the cache-read price: (600·0.2 + 400·0.04 + 100·2) / 1e6 = 0.000336.
		{Model: "doubao-seed-2.0-mini", Status: runner.StatusOK, Usage: &runner.Usage{PromptTokens: 1000, CachedTokens: 400, CompletionTokens: 100}},
		// No usage: nothing known to bill.
		{Model: "doubao-seed-2.0-mini", Status: runner.StatusError},
		// A model the catalog does not know.
		{Model: "someone-else", Status: runner.StatusOK, Usage: &runner.Usage{PromptTokens: 1000, CompletionTokens: 100}},
	} {
		m.Add(&r)
	}
	spent, cur := m.Spent()
	if want := 0.0004 + 0.000336; math.Abs(spent-want) > 1e-12 || cur != "CNY" {
		t.Fatalf("spent %v %s, want %v CNY", spent, cur, want)
	}
	if per := m.PerRequest(); per != 0.001 {
		t.Fatalf("per request %v: the prior 0.001 is above the mean 0.000368 and must stay", per)
	}
	m2 := NewSpendMeter(CatalogPricing(scenarios.DefaultCatalog()), runner.Header{}, 0.0001)
	m2.Add(&runner.Result{Model: "doubao-seed-2.0-mini", Status: runner.StatusOK, Usage: &runner.Usage{PromptTokens: 1000, CompletionTokens: 100}})
	if per := m2.PerRequest(); math.Abs(per-0.0004) > 1e-12 {
		t.Fatalf("per request %v: a mean above the prior replaces it", per)
	}
	// 0.000736 spent + (2 in flight + 1) · 0.001 = 0.003736.
	if m.WouldCross(0.00374, 2) || !m.WouldCross(0.00373, 2) {
		t.Fatal("WouldCross must count the requests in flight and the next one")
	}
}

// TestSpendMeterContexts: a run's Context API caches are spent from the
// start: creation at the input price and one TTL of storage.
func TestSpendMeterContexts(t *testing.T) {
	h := runner.Header{Targets: []runner.TargetInfo{{Name: "lite", Model: "doubao-seed-2.0-lite"}},
		Contexts: []runner.ContextInfo{{Target: "lite", Group: 1, ID: "ctx-a", TTLS: 3600, Tokens: 2000}, {Target: "lite", Group: 2, ID: "ctx-b", TTLS: 7200, Tokens: 4000}}}
	m := NewSpendMeter(CatalogPricing(scenarios.DefaultCatalog()), h, 0.001)
	// Lite ≤32K input 0.6, storage 0.017 per 1M tokens per hour:
	// 6,000·0.6/1e6 + (2,000·1 h + 4,000·2 h)·0.017/1e6.
	want := 6000*0.6/1e6 + (2000*1+4000*2)*0.017/1e6
	spent, cur := m.Spent()
	if math.Abs(spent-want) > 1e-15 || cur != "CNY" {
		t.Fatalf("spent %v %s before any request, want %v CNY", spent, cur, want)
	}
	if per := m.PerRequest(); per != 0.001 {
		t.Errorf("per request %v: the caches are not a request's cost", per)
	}
	if !m.WouldCross(want, 0) || m.WouldCross(want+0.0011, 0) {
		t.Error("the caches' cost must count against the cap")
	}
}
