package scenarios

import (
	"math"
	"testing"
)

// moments draws n lengths with random u and returns their mean and
// standard deviation, and the smallest and largest.
func moments(s *sampler, n int, seed uint64) (mean, sd float64, lo, hi int) {
	r := newStream(seed, 0, 0)
	var sum, sq float64
	lo, hi = math.MaxInt, 0
	for range n {
		v := s.sample(r.float())
		sum += float64(v)
		sq += float64(v) * float64(v)
		lo, hi = min(lo, v), max(hi, v)
	}
	mean = sum / float64(n)
	return mean, math.Sqrt(sq/float64(n) - mean*mean), lo, hi
}

func TestDistributions(t *testing.T) {
	const n = 40000
	for _, tc := range []struct {
		name     string
		d        Dist
		lo, hi   int // clamps passed to the sampler
		mean, sd float64
		// tol is the allowed relative error of mean and sd: a few standard
		// errors at n draws.
		tol float64
	}{
		// A bare number: exactly that, every time.
		{"fixed", Dist{Kind: DistFixed, Value: 2000}, 1, 1 << 20, 2000, 0, 0},
		// Uniform over whole numbers 1000..3000: mean 2000, sd (b−a+1)/√12.
		{"uniform", Dist{Kind: DistUniform, Min: 1000, Max: 3000}, 1000, 3000, 2000, 2001 / math.Sqrt(12), 0.01},
		// Normal: mean and stddev as given (far from the clamps).
		{"normal", Dist{Kind: DistNormal, Mean: 5000, Stddev: 800}, 1, 1 << 20, 5000, 800, 0.015},
		// Lognormal: mean is the arithmetic mean; sd = mean·√(e^{σ²} − 1).
		{"lognormal", Dist{Kind: DistLognormal, Mean: 3000, Sigma: 0.6}, 1, 1 << 20, 3000, 3000 * math.Sqrt(math.Exp(0.36)-1), 0.03},
		// A narrow lognormal is nearly normal with sd ≈ mean·σ.
		{"lognormal narrow", Dist{Kind: DistLognormal, Mean: 1000, Sigma: 0.05}, 1, 1 << 20, 1000, 1000 * math.Sqrt(math.Exp(0.0025)-1), 0.02},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSampler(tc.d, tc.lo, tc.hi, [][2]int{{tc.lo, tc.hi}})
			mean, sd, _, _ := moments(s, n, 11)
			if math.Abs(mean-tc.mean) > tc.tol*tc.mean+1e-9 {
				t.Errorf("mean %.1f, want %.1f ± %.1f%%", mean, tc.mean, 100*tc.tol)
			}
			if math.Abs(sd-tc.sd) > 2*tc.tol*tc.sd+1e-9 {
				t.Errorf("sd %.1f, want %.1f ± %.1f%%", sd, tc.sd, 200*tc.tol)
			}
		})
	}
}

// TestQuantileInvertsCDF: cdf(quantile(u)) = u for the continuous kinds.
func TestQuantileInvertsCDF(t *testing.T) {
	for _, d := range []Dist{
		{Kind: DistUniform, Min: 10, Max: 20},
		{Kind: DistNormal, Mean: 100, Stddev: 15},
		{Kind: DistLognormal, Mean: 100, Sigma: 1.2},
	} {
		for _, u := range []float64{0.001, 0.1, 0.5, 0.9, 0.999} {
			if got := d.cdf(d.quantile(u)); math.Abs(got-u) > 1e-9 {
				t.Errorf("%s: cdf(quantile(%v)) = %v", d, u, got)
			}
		}
	}
}

func TestSamplerClampsAndConditions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		d      Dist
		lo, hi int
		keep   [][2]int
		// atLo is the expected share of draws clamped to lo (−1: none may be).
		atLo float64
	}{
		// Clamping: a normal with half its mass below 1000 puts that half at 1000.
		{"clamp low half", Dist{Kind: DistNormal, Mean: 1000, Stddev: 300}, 1000, 5000, [][2]int{{1, 5000}}, 0.5},
		// Conditioning: the same normal restricted to ≥ 1000 has no spike there
		// (only the draws that round to 1000 itself, ~0.13%).
		{"condition on ≥1000", Dist{Kind: DistNormal, Mean: 1000, Stddev: 300}, 1, 5000, [][2]int{{1000, 5000}}, 0.003},
		// A guard band 900..1100 cut out of a uniform: nothing lands inside.
		{"guard band", Dist{Kind: DistUniform, Min: 500, Max: 1500}, 500, 1500, [][2]int{{500, 899}, {1101, 1500}}, 0.003},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSampler(tc.d, tc.lo, tc.hi, tc.keep)
			r := newStream(5, 0, 0)
			atLo := 0
			const n = 20000
			for range n {
				v := s.sample(r.float())
				if v < tc.lo || v > tc.hi {
					t.Fatalf("draw %d outside the clamps [%d, %d]", v, tc.lo, tc.hi)
				}
				inside := false
				for _, k := range tc.keep {
					inside = inside || v >= k[0] && v <= k[1]
				}
				if !inside && v != tc.lo && v != tc.hi {
					t.Fatalf("draw %d outside the kept ranges %v", v, tc.keep)
				}
				if v == tc.lo {
					atLo++
				}
			}
			if got := float64(atLo) / n; math.Abs(got-tc.atLo) > 0.015 {
				t.Errorf("%.3f of draws at the lower clamp, want %.3f", got, tc.atLo)
			}
		})
	}
}

// TestGuardBands: 3% around 32,000 and 128,000.
func TestGuardBands(t *testing.T) {
	m, _ := DefaultCatalog().Lookup("doubao-seed-2.0-mini")
	got := guardBands(m, 0.03)
	want := [][2]int{{31040, 32960}, {124160, 131840}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("guard bands %v, want %v", got, want)
	}
	keep := subtract(1, 256000, got)
	if len(keep) != 3 || keep[0] != [2]int{1, 31039} || keep[1] != [2]int{32961, 124159} || keep[2] != [2]int{131841, 256000} {
		t.Errorf("kept ranges %v", keep)
	}
}
