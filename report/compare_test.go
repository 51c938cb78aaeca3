package report

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/seedbench/seedbench/report/internal/synth"
)

// compareConfig is a CI-sized run on the mock: two variants, 2% failures.
func compareConfig(seed int64, scale float64) synth.Config {
	return synth.Config{Seed: seed, Scenario: "ci-regression", Requests: 3000, Rate: 50, FailureRate: 0.02, MaxEvents: 16,
		Targets: []synth.Target{
			{Name: "mini", Model: "doubao-seed-2.0-mini", TTFTScale: scale},
			{Name: "pro", Model: "doubao-seed-2.0-pro", TTFTScale: scale * 1.5},
		}}
}

// summaries memoizes summarize: the compare tests share their runs.
var summaries sync.Map // "seed/scale" → *Summary

func summarize(t *testing.T, cfg synth.Config) *Summary {
	t.Helper()
	key := fmt.Sprintf("%d/%v/%d", cfg.Seed, cfg.Targets[0].TTFTScale, cfg.Requests)
	if s, ok := summaries.Load(key); ok {
		return s.(*Summary)
	}
	s, err := Aggregate([]string{writeSynth(t, cfg)}, Options{Pricing: testPrices{}})
	if err != nil {
		t.Fatal(err)
	}
	summaries.Store(key, s)
	return s
}

func rowOf(t *testing.T, c *Comparison, target, metric string) Delta {
	t.Helper()
	for _, tc := range c.Targets {
		if tc.Target != target {
			continue
		}
		for _, d := range tc.Rows {
			if d.Metric == metric {
				return d
			}
		}
	}
	t.Fatalf("no row %s %s", target, metric)
	return Delta{}
}

// TestCompareFlagsInjectedRegression: every TTFT 20% slower is a regression
// of ttft_p50 and ttft_p99 beyond a 10% threshold, with an interval that
// holds the 20%.
func TestCompareFlagsInjectedRegression(t *testing.T) {
	base := summarize(t, compareConfig(1, 1))
	slow := summarize(t, compareConfig(2, 1.2)) // another seed too: real noise, not a copy
	c, err := Compare(base, slow, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Pass || c.Regressions == 0 {
		t.Fatalf("a 20%% TTFT regression passed:\n%s", compareText(t, c))
	}
	for _, target := range []string{"mini", "pro"} {
		for _, m := range []string{"ttft_p50", "ttft_p99"} {
			d := rowOf(t, c, target, m)
			if d.Verdict != "regression" {
				t.Errorf("%s %s: verdict %q (change %+.3f, interval %v..%v), want regression", target, m, d.Verdict, d.Change, *d.CILow, *d.CIHigh)
			}
		}
		d := rowOf(t, c, target, "ttft_p50")
		if !(*d.CILow < 0.2 && 0.2 < *d.CIHigh) || d.Change < 0.1 {
			t.Errorf("%s ttft_p50: change %+.3f with interval [%+.3f, %+.3f] does not cover the injected +20%%", target, d.Change, *d.CILow, *d.CIHigh)
		}
	}
}

// TestCompareUnchangedRunPasses: a second run of the same workload (another
// seed, so other noise) is no regression.
func TestCompareUnchangedRunPasses(t *testing.T) {
	base := summarize(t, compareConfig(1, 1))
	again := summarize(t, compareConfig(3, 1))
	c, err := Compare(base, again, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Pass {
		t.Fatalf("an unchanged run failed compare:\n%s", compareText(t, c))
	}
	// And identical inputs: every change is zero and nothing is significant.
	c, err = Compare(base, base, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range c.Targets {
		for _, d := range tc.Rows {
			if d.Change != 0 || d.Verdict == "regression" || d.Verdict == "improved" {
				t.Errorf("%s %s: change %v verdict %s comparing a run with itself", tc.Target, d.Metric, d.Change, d.Verdict)
			}
		}
	}
}

// TestCompareDeterministic: the bootstrap is seeded; the same inputs give
// the same bytes.
func TestCompareDeterministic(t *testing.T) {
	base := summarize(t, compareConfig(1, 1))
	cur := summarize(t, compareConfig(2, 1.05))
	a, _ := Compare(base, cur, CompareOptions{})
	b, _ := Compare(base, cur, CompareOptions{})
	if compareText(t, a) != compareText(t, b) {
		t.Error("two comparisons of the same runs differ")
	}
}

// TestCDFMatchesHDR: the flattened histogram answers percentiles exactly as
// hdrhistogram does.
func TestCDFMatchesHDR(t *testing.T) {
	s := summarize(t, compareConfig(4, 1))
	h := s.all["mini"].hist[TTFT]
	c := newCDF(h)
	for _, p := range []float64{0.1, 1, 25, 50, 90, 95, 99, 99.9, 99.99, 100} {
		if got, want := c.percentile(p), h.ValueAtPercentile(p); got != want {
			t.Errorf("p%v: cdf %d, hdr %d", p, got, want)
		}
	}
}

func compareText(t *testing.T, c *Comparison) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCompareText(&b, c); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestGoldenCompare: the text, Markdown and JSON of a comparison.
func TestGoldenCompare(t *testing.T) {
	base, err := Aggregate([]string{seededFile(t)}, Options{Pricing: testPrices{}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := seededConfig
	cfg.Seed++
	cfg.Targets = []synth.Target{{Name: "mini", Model: "doubao-seed-2.0-mini", TTFTScale: 1.2}, {Name: "pro", Model: "doubao-seed-2.0-pro", TTFTScale: 1.6}}
	cur := summarize(t, cfg)
	th, err := ParseThresholds("ttft_p50=10%,ttft_p99=10%,availability=0.5%,cost_per_1k=5%")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compare(base, cur, CompareOptions{Thresholds: th, Replicates: 500})
	if err != nil {
		t.Fatal(err)
	}
	c.Baseline.Files, c.Current.Files = []string{"baseline.jsonl"}, []string{"current.jsonl"}
	var txt, md, js bytes.Buffer
	if err := WriteCompareText(&txt, c); err != nil {
		t.Fatal(err)
	}
	if err := WriteCompareMarkdown(&md, c); err != nil {
		t.Fatal(err)
	}
	if err := WriteCompareJSON(&js, c); err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.txt", txt.Bytes())
	golden(t, "compare.md", md.Bytes())
	golden(t, "compare.json", js.Bytes())
}
