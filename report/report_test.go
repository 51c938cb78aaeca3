package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/report/internal/synth"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// TestThirtyPercentFailures: a run where exactly 30% of the issued requests
// fail reports availability 70%, and its latency percentiles say they are of
// the successful 70% only.
func TestThirtyPercentFailures(t *testing.T) {
	p := writeSynth(t, synth.Config{Seed: 9, Scenario: "failing", Requests: 2000, Rate: 50, FailureRate: 0.3,
		Targets: []synth.Target{{Name: "mini", Model: "doubao-seed-2.0-mini"}, {Name: "pro", Model: "doubao-seed-2.0-pro"}}})
	slo, err := scenarios.ParseObjectives("availability=99%,ttft_p99=5s")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s, err := WriteAll(dir, []string{p}, Options{SLO: slo, NoPlots: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []Group{s.Targets[0].All, s.Targets[1].All, s.Overall} {
		if g.Issued != g.Requests || g.OK != g.Issued*7/10 || g.Failed != g.Issued*3/10 {
			t.Errorf("%s: requests %d issued %d ok %d failed %d, want 70%% ok", g.Target, g.Requests, g.Issued, g.OK, g.Failed)
		}
		if g.Availability != 0.7 || g.ErrorRate != 0.3 {
			t.Errorf("%s: availability %v error rate %v, want 0.7 and 0.3", g.Target, g.Availability, g.ErrorRate)
		}
		// Percentiles come from the successful requests, and say so.
		if n := g.Latency["ttft"].Count; n != g.OK {
			t.Errorf("%s: TTFT distribution of %d requests, want the %d successful ones", g.Target, n, g.OK)
		}
	}
	if s.SLO.Pass {
		t.Error("availability 70% passed a 99% objective")
	}
	for _, c := range s.SLO.Checks {
		if c.Objective == "ttft_p99" && !strings.Contains(c.Basis, "700 successful of 1000 issued") {
			t.Errorf("ttft_p99 check does not say what it is of: %q", c.Basis)
		}
		if c.Objective == "availability" && (c.Measured == nil || *c.Measured != 0.7) {
			t.Errorf("availability measured %v, want 0.7", c.Measured)
		}
	}
	for _, f := range []string{FileText, FileMarkdown, FileSummary} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(bytes.ToLower(b), []byte("latency percentiles are of successful requests only")) {
			t.Errorf("%s does not say its latency percentiles are of successful requests only", f)
		}
		if f != FileSummary && !bytes.Contains(b, []byte("70.00%")) {
			t.Errorf("%s does not show availability 70.00%%", f)
		}
	}
}

// resultsFile writes a results file of the given records.
func resultsFile(t *testing.T, h runner.Header, recs []runner.Result) string {
	t.Helper()
	var b bytes.Buffer
	h.Type = "header"
	enc := json.NewEncoder(&b)
	if err := enc.Encode(h); err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].Type = "result"
		if err := enc.Encode(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Encode(runner.Footer{Type: "footer"}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func okRecord(k int64, target, model, tier string, prompt, cached, completion int) runner.Result {
	return runner.Result{K: k, Target: target, Model: model, Tier: tier, IntendedUS: k * 1e6, SentUS: k * 1e6, TTFTUS: 1000, E2EUS: 5000,
		Status: runner.StatusOK, Usage: &runner.Usage{PromptTokens: prompt, CachedTokens: cached, CompletionTokens: completion}}
}

// TestCostHandArithmetic checks every cost figure against arithmetic done by
// hand from the catalog's CNY prices per 1M tokens.
func TestCostHandArithmetic(t *testing.T) {
	const mini, pro = "doubao-seed-2.0-mini", "doubao-seed-2.0-pro"
	recs := []runner.Result{
		// mini, tier 32k (≤ 32,000): 8,000 uncached × 0.2 + 2,000 cached × 0.04 + 500 out × 2
		//   = 1,600 + 80 + 1,000 = 2,680 per 1M → 0.00268
		okRecord(0, "mini", mini, "32k", 10_000, 2_000, 500),
		// mini, exactly 32,000 is still tier 32k: 32,000 × 0.2 + 100 × 2 = 6,600 → 0.0066
		okRecord(1, "mini", mini, "32k", 32_000, 0, 100),
		// mini, 32,001 planned 32k but billed 128k: 32,001 × 0.4 + 100 × 4 = 13,200.4 → 0.0132004
		okRecord(2, "mini", mini, "32k", 32_001, 0, 100),
		// mini, tier 128k: 100,000 × 0.4 + 1,000 × 4 = 44,000 → 0.044
		okRecord(3, "mini", mini, "128k", 100_000, 0, 1_000),
		// mini, tier 256k: 150,000 × 0.8 + 50,000 × 0.04 + 2,000 × 8 = 120,000 + 2,000 + 16,000 → 0.138
		okRecord(4, "mini", mini, "256k", 200_000, 50_000, 2_000),
		// pro, tier 32k: 4,000 × 3.2 + 1,000 × 0.64 + 200 × 16 = 12,800 + 640 + 3,200 → 0.01664
		okRecord(5, "pro", pro, "32k", 5_000, 1_000, 200),
		// pro, tier 128k: 60,000 × 4.8 + 10,000 × 0.64 + 300 × 24 = 288,000 + 6,400 + 7,200 → 0.3016
		okRecord(6, "pro", pro, "128k", 70_000, 10_000, 300),
		// pro, tier 256k: 256,000 × 9.6 + 1,000 × 48 = 2,457,600 + 48,000 → 2.5056
		okRecord(7, "pro", pro, "256k", 256_000, 0, 1_000),
		// a failure without usage is not billed
		{K: 8, Target: "pro", Model: pro, Tier: "32k", SentUS: 8e6, E2EUS: 100, Status: runner.StatusError, ErrorClass: runner.ClassHTTP429},
	}
	p := resultsFile(t, runner.Header{Scenario: "cost", TargetRate: 2, Targets: []runner.TargetInfo{{Name: "mini"}, {Name: "pro"}}}, recs)
	s, err := Aggregate([]string{p}, Options{Pricing: testPrices{}})
	if err != nil {
		t.Fatal(err)
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %.10f, want %.10f", what, got, want)
		}
	}
	if s.Currency != "CNY" {
		t.Errorf("currency %q", s.Currency)
	}
	m, pr := s.Targets[0].Cost, s.Targets[1].Cost
	// mini per tier
	want := map[string]float64{"32k": 0.00268 + 0.0066, "128k": 0.0132004 + 0.044, "256k": 0.138}
	for _, tc := range m.Tiers {
		near("mini "+tc.Tier, tc.Total, want[tc.Tier])
	}
	near("mini total", m.Total, 0.00268+0.0066+0.0132004+0.044+0.138)
	near("mini per 1K", m.Per1K, (0.00268+0.0066+0.0132004+0.044+0.138)/5*1000)
	// cache savings = cached × (input − cache read): 2,000 × 0.16 + 50,000 × 0.76
	near("mini cache savings", m.CacheSavings, (2_000*0.16+50_000*0.76)/1e6)
	near("mini 256k cache read", m.Tiers[2].CacheRead, 50_000*0.04/1e6)
	near("pro total", pr.Total, 0.01664+0.3016+2.5056)
	near("pro cache savings", pr.CacheSavings, (1_000*(3.2-0.64)+10_000*(4.8-0.64))/1e6)
	if pr.BilledRequests != 3 {
		t.Errorf("pro billed %d requests, want 3 (the 429 has no usage)", pr.BilledRequests)
	}
	// Projection at the plan's 2 req/s, 9 records of which 5 mini: 2 × 5/9 req/s.
	rate := 2.0 * 5 / 9
	near("mini rate", m.ProjectedRate, rate)
	near("mini per day", m.PerDay, m.Total/5*m.ProjectedRate*86400)
	near("mini per month", m.PerMonth, m.PerDay*30)
	// The 32,001-token prompt planned for 32k is listed.
	mm := s.Targets[0].TierMismatches
	if len(mm) != 1 || mm[0].Planned != "32k" || mm[0].Billed != "128k" || mm[0].Count != 1 || mm[0].Examples[0] != 2 {
		t.Errorf("tier mismatches %+v, want k=2 planned 32k billed 128k", mm)
	}
}

// TestCatalogPricing: the scenarios catalog prices every tier as the table
// the hand-arithmetic test uses (the vendor's CNY list prices), and each
// request's cost in requests.csv is the catalog's own Model.Cost.
func TestCatalogPricing(t *testing.T) {
	cat := scenarios.DefaultCatalog()
	p := CatalogPricing(cat)
	for model, tiers := range testTable {
		for _, prompt := range []int{1, 32_000, 32_001, 128_000, 128_001, 256_000} {
			got, ok := p.Bill(model, prompt)
			if !ok {
				t.Fatalf("%s not in the catalog", model)
			}
			want, _ := testPrices{}.Bill(model, prompt)
			if got.Tier != want.Tier || got.Input != want.Input || got.Output != want.Output || got.CacheRead != want.CacheRead || got.Currency != "CNY" {
				t.Errorf("%s at %d prompt tokens: catalog %+v, table %+v", model, prompt, got, tiers)
			}
			m, _ := cat.Lookup(model)
			u := scenarios.Usage{PromptTokens: prompt, CachedTokens: prompt / 3, CompletionTokens: 700}
			if c, mine := m.Cost(u).Total, got.Cost(int64(prompt), int64(prompt/3), 700); math.Abs(c-mine) > 1e-12 {
				t.Errorf("%s at %d: catalog cost %v, report %v", model, prompt, c, mine)
			}
		}
	}
	// A target's catalog_model prices an endpoint id the catalog cannot know.
	h := runner.Header{Resolved: json.RawMessage(`{"targets":[{"name":"prod","model":"ep-20260101-abcde","catalog_model":"doubao-seed-2.0-pro"}]}`)}
	rp := p.(forRun).forRun(h)
	if got, ok := rp.Bill("ep-20260101-abcde", 1000); !ok || got.Input != 3.2 {
		t.Errorf("endpoint id priced %+v %v, want as pro", got, ok)
	}
	if _, ok := p.Bill("ep-20260101-abcde", 1000); ok {
		t.Error("an unknown endpoint id was priced without its catalog_model")
	}
}
