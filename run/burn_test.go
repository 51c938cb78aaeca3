package run

import (
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

func TestPlannedCurve(t *testing.T) {
	// 2 s warmup at 100/s, then 10 s at 100/s and 10 s ramping 0 → 200/s.
	stages := []runner.Stage{
		{Pacer: vegeta.ConstantPacer{Freq: 100, Per: time.Second}, Duration: 2 * time.Second, Warmup: true},
		{Pacer: vegeta.ConstantPacer{Freq: 100, Per: time.Second}, Duration: 10 * time.Second},
		{Pacer: vegeta.LinearPacer{StartAt: vegeta.Rate{Freq: 0, Per: time.Second}, Slope: 20}, Duration: 10 * time.Second},
	}
	c := newPlannedCurve(stages)
	if c.measured != 20*time.Second {
		t.Errorf("measured %v", c.measured)
	}
	s := func(sec float64) int64 { return int64(sec * 1e6) }
	for _, tc := range []struct {
		from, to, want float64
	}{
		{0, 2, 0},        // warmup is left out
		{2, 12, 1000},    // 10 s at 100/s
		{5, 5.5, 50},     // half a second
		{12, 17, 250},    // the ramp's first half: ∫₀⁵ 20t dt
		{12, 22, 1000},   // all of it: ∫₀¹⁰ 20t dt
		{0, 1000, 2000},  // everything, past the end
		{21.99, 22, 2.0}, // the last 10 ms at ~200/s
	} {
		if got := c.between(s(tc.from), s(tc.to)); got < tc.want-0.5 || got > tc.want+0.5 {
			t.Errorf("planned in [%v s, %v s) = %.2f, want %.0f", tc.from, tc.to, got, tc.want)
		}
	}
}

// feedGuard sends n requests at 1 ms apart from start, every k-th failing
// (k 0: none), and says after how many results the guard stopped (-1: not).
func feedGuard(g *burnGuard, start time.Duration, n, k int) int {
	for i := range n {
		r := &runner.Result{Target: "mini", SentUS: (start + time.Duration(i)*time.Millisecond).Microseconds(), Status: runner.StatusOK}
		if k > 0 && i%k == 0 {
			r.Status = runner.StatusError
		}
		g.add(r)
		if g.reached.Load() {
			return i + 1
		}
	}
	return -1
}

func TestBurnGuard(t *testing.T) {
	sc := func(slo string) *scenarios.Scenario {
		s, err := scenarios.Parse("burn.yaml", []byte(`name: burn
targets: [{name: mini, model: doubao-seed-2.0-mini}]
mix: [{name: a, weight: 1, prompt_tokens: 100, output_tokens: 8}]
load:
  stages: [{kind: constant, rate: 1000/s, duration: 240s}]
slo:
`+slo))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// A 240 s run: the page condition is 14.4x over 10 s and 833 ms.
	for _, tc := range []struct {
		name, slo string
		k         int // every k-th request fails
		stopped   bool
		why       string
	}{
		// 99 % allows 1 %: 20 % failing is a burn of 20, over 14.4
		{"fast burn", "  availability: 99%", 5, true, "is burning its error budget 14."},
		// 10 % failing is 10x: under the page, and the whole run's budget
		// (2,400 failures) is far away in the 20 s fed
		{"slow burn", "  availability: 99%", 10, false, ""},
		{"no failures", "  availability: 99%", 0, false, ""},
		// error_rate ≤ 1 % in 10 s windows: 200 failures in the first 10 s
		// window's 10,000 planned is 2 %: over 1.1 × 1 %, lost well before
		// the page condition (it needs 14.4 %)
		{"window lost", "  error_rate: {max: 1%, window: 10s}", 50, true, "cannot be met: 111 failures in the window 20s–30s"},
		{"latency only", "  ttft_p99: 2s", 1, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sc(tc.slo)
			plan, err := scenarios.NewPlan(s, 1)
			if err != nil {
				t.Fatal(err)
			}
			stops := 0
			g := newBurnGuard(s, nil, plan, 1, func() { stops++ })
			if g == nil {
				if tc.stopped {
					t.Fatal("no guard")
				}
				return
			}
			at := feedGuard(g, 20*time.Second, 20_000, tc.k)
			if (at >= 0) != tc.stopped || stops != boolInt(tc.stopped) {
				t.Fatalf("stopped after %d results (%d stop calls), want stopped %v; %s", at, stops, tc.stopped, g.reason())
			}
			// the fast burn: 20 % failing from 20 s, the 10 s window's
			// 10,000 planned requests are over 14.4 % failed once 1,440
			// have failed, after 7,200 results
			if tc.name == "fast burn" && (at < 7150 || at > 7250) {
				t.Errorf("stopped after %d results, want about 7,200", at)
			}
			if !strings.Contains(g.reason(), tc.why) {
				t.Errorf("reason %q, want %q", g.reason(), tc.why)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
