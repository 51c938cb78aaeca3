package scenarios

import (
	"math"
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// arrivalsOf walks a pacer like the runner does and returns the intended
// times of its hits within d.
func arrivalsOf(p vegeta.Pacer, d time.Duration) []time.Duration {
	var out []time.Duration
	runner.Intended(runner.Stage{Pacer: p, Duration: d}, func(_ uint64, at time.Duration) bool {
		out = append(out, at)
		return true
	})
	return out
}

// gapStats is the mean and coefficient of variation of the gaps between
// consecutive arrivals.
func gapStats(at []time.Duration) (mean, cv float64) {
	var s, ss float64
	n := 0
	for i := 1; i < len(at); i++ {
		g := (at[i] - at[i-1]).Seconds()
		s += g
		ss += g * g
		n++
	}
	mean = s / float64(n)
	sd := math.Sqrt(ss/float64(n) - mean*mean)
	return mean, sd / mean
}

func TestPacers(t *testing.T) {
	const d = 2000 * time.Second
	for _, tc := range []struct {
		name  string
		pacer vegeta.Pacer
		// want is the expected count over d; tol the allowed relative error
		// (several standard deviations of the count for random pacers).
		want, tol float64
		// cv is the expected coefficient of variation of the gaps (-1: not
		// checked) and cvTol its allowed absolute error.
		cv, cvTol float64
	}{
		// Constant: exactly rate·d hits, evenly spaced.
		{"constant 5/s", vegetaRate(5), 5 * 2000, 0.001, 0, 0.01},
		// Constant at a fractional rate (vegeta's integer Freq per 1000 s).
		{"constant 0.25/s", vegetaRate(0.25), 0.25 * 2000, 0.005, 0, 0.01},
		// Poisson: count ~ Poisson(λd), sd √(λd) = 100 → 2% is 4 sd; gaps exponential, CV 1.
		{"poisson 5/s", NewPoisson(5, 1), 10000, 0.02, 1, 0.05},
		// Poisson at a low rate: 200 expected, sd 14 → 25% is 3.5 sd.
		{"poisson 0.1/s", NewPoisson(0.1, 2), 200, 0.25, 1, 0.2},
		// Gamma CV 1 is Poisson.
		{"gamma cv 1", NewGamma(5, 1, 3), 10000, 0.02, 1, 0.05},
		// Bursty gamma: same mean rate, CV 2.5 (count sd ≈ 2.5·√(λd) = 250 → 6% is 2.4 sd).
		{"gamma cv 2.5", NewGamma(5, 2.5, 4), 10000, 0.06, 2.5, 0.25},
		// Regular gamma: CV 0.5.
		{"gamma cv 0.5", NewGamma(5, 0.5, 5), 10000, 0.01, 0.5, 0.03},
		// Ramp 1/s → 9/s: ∫ = (1+9)/2 · d.
		{"ramp 1→9/s", vegeta.LinearPacer{StartAt: vegetaRate(1), Slope: 8 / d.Seconds()}, 5 * 2000, 0.01, -1, 0},
		// Sine over whole periods: mean · d.
		{"sine 5±3/s", vegeta.SinePacer{Period: 200 * time.Second, Mean: vegetaRate(5), Amp: vegetaRate(3)}, 5 * 2000, 0.01, -1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := arrivalsOf(tc.pacer, d)
			if got := float64(len(at)); math.Abs(got-tc.want) > tc.tol*tc.want {
				t.Errorf("%d hits in %s, want %.0f ± %.1f%%", len(at), d, tc.want, 100*tc.tol)
			}
			if tc.cv >= 0 {
				if _, cv := gapStats(at); math.Abs(cv-tc.cv) > tc.cvTol {
					t.Errorf("gap CV %.3f, want %.2f ± %.2f", cv, tc.cv, tc.cvTol)
				}
			}
		})
	}
}

// TestPacerPurity: Pace is a function of (elapsed, hits) only — asking out
// of order, from a copy, or without the memo gives the same answers, and
// the same seed gives the same schedule.
func TestPacerPurity(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b vegeta.Pacer // two pacers built separately from one seed
		bare vegeta.Pacer // the same without memo
	}{
		{"poisson", NewPoisson(50, 9), NewPoisson(50, 9), Poisson{PerSec: 50, Seed: 9}},
		{"gamma", NewGamma(50, 2, 9), NewGamma(50, 2, 9), Gamma{PerSec: 50, CV: 2, Seed: 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := map[uint64]time.Duration{}
			for _, n := range []uint64{0, 1, 2, 4095, 4096, 4097, 10000, 20000} {
				w, _ := tc.a.Pace(0, n)
				want[n] = w
			}
			// Backwards through checkpoints, on the other pacer.
			for _, n := range []uint64{20000, 10000, 4097, 4096, 4095, 2, 1, 0} {
				if w, _ := tc.b.Pace(0, n); w != want[n] {
					t.Errorf("Pace(0, %d) = %v out of order, %v in order", n, w, want[n])
				}
			}
			for _, n := range []uint64{0, 1, 4097} {
				if w, _ := tc.bare.Pace(0, n); w != want[n] {
					t.Errorf("Pace(0, %d) = %v without memo, %v with", n, w, want[n])
				}
			}
			// Waits shrink as time passes and are 0 once the hit is due.
			due, _ := tc.a.Pace(0, 10)
			if w, _ := tc.a.Pace(due/2, 10); w != due-due/2 {
				t.Errorf("Pace(%v, 10) = %v, want %v", due/2, w, due-due/2)
			}
			if w, _ := tc.a.Pace(due+time.Second, 10); w != 0 {
				t.Errorf("Pace after due = %v, want 0", w)
			}
		})
	}
	if a, b := arrivalsOf(NewPoisson(3, 1), time.Minute), arrivalsOf(NewPoisson(3, 2), time.Minute); len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		t.Errorf("seeds 1 and 2 give the same first arrival %v", a[0])
	}
}

// TestPoissonGapsExponential: the share of gaps below the q-quantile of the
// exponential distribution is q (a coarse goodness-of-fit check).
func TestPoissonGapsExponential(t *testing.T) {
	at := arrivalsOf(NewPoisson(10, 77), 2000*time.Second)
	for _, q := range []float64{0.1, 0.5, 0.9, 0.99} {
		x := -math.Log(1-q) / 10 // seconds
		below := 0
		for i := 1; i < len(at); i++ {
			if (at[i] - at[i-1]).Seconds() <= x {
				below++
			}
		}
		if got := float64(below) / float64(len(at)-1); math.Abs(got-q) > 0.01 {
			t.Errorf("P(gap ≤ %.3fs) = %.4f, want %.2f", x, got, q)
		}
	}
}

func TestPacerStops(t *testing.T) {
	if _, stop := (Poisson{}).Pace(0, 0); !stop {
		t.Error("a zero-rate Poisson pacer must stop")
	}
	if _, stop := (Gamma{PerSec: 1}).Pace(0, 0); !stop {
		t.Error("a gamma pacer without CV must stop")
	}
}
