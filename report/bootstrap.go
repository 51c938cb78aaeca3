package report

import (
	"math"
	"math/rand/v2"
	"sort"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// cdf is a histogram flattened for fast quantile lookups: the non-empty
// buckets' upper values and cumulative counts. A bootstrap asks thousands of
// quantiles; HDR's ValueAtPercentile scans all ~23,000 buckets each time.
type cdf struct {
	n    int64
	to   []int64 // highest equivalent value of each non-empty bucket
	cum  []int64 // cumulative count up to and including it
	from int64   // lowest value of the first bucket (the 0th percentile)
}

func newCDF(h *hdrhistogram.Histogram) *cdf {
	c := &cdf{n: h.TotalCount()}
	var cum int64
	for _, b := range h.Distribution() {
		if b.Count == 0 {
			continue
		}
		if len(c.to) == 0 {
			c.from = b.From
		}
		cum += b.Count
		c.to = append(c.to, b.To)
		c.cum = append(c.cum, cum)
	}
	return c
}

// rank returns the value of the rank-th smallest recorded value (1-based).
func (c *cdf) rank(r int64) int64 {
	i := sort.Search(len(c.cum), func(i int) bool { return c.cum[i] >= r })
	if i == len(c.cum) {
		i--
	}
	return c.to[i]
}

// percentileRank is HDR's rank for a percentile: round(p/100·n), in [1, n].
func percentileRank(p float64, n int64) int64 {
	r := p/100*float64(n) + 0.5
	if !(r >= 1) {
		return 1
	}
	if r >= float64(n) {
		return n
	}
	return int64(r)
}

// percentile matches hdrhistogram's ValueAtPercentile for p > 0.
func (c *cdf) percentile(p float64) int64 {
	if c.n == 0 {
		return 0
	}
	return c.rank(percentileRank(p, c.n))
}

// bootstrap draws one bootstrap replicate of the p-th percentile. A
// bootstrap sample of n values drawn from the recorded ones has, as its r-th
// smallest, F⁻¹(U₍ᵣ₎) where U₍ᵣ₎ — the r-th smallest of n uniforms — is
// Beta(r, n − r + 1). So one Beta draw replaces resampling n values, and the
// bootstrap costs the same for a million requests as for a hundred.
func (c *cdf) bootstrap(rng *rand.Rand, p float64) int64 {
	r := percentileRank(p, c.n)
	u := betaSample(rng, float64(r), float64(c.n-r+1))
	k := int64(math.Ceil(u * float64(c.n)))
	return c.rank(max(k, 1))
}

// betaSample draws Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).
func betaSample(rng *rand.Rand, a, b float64) float64 {
	x := gammaSample(rng, a)
	y := gammaSample(rng, b)
	return x / (x + y)
}

// gammaSample draws Gamma(a, 1) for a ≥ 1 by Marsaglia and Tsang's method
// (ACM TOMS 26(3), 2000): d = a − 1/3, c = 1/√(9d); repeat v = (1 + c·z)³
// for z normal until ln u < z²/2 + d − d·v + d·ln v; return d·v.
func gammaSample(rng *rand.Rand, a float64) float64 {
	if a < 1 { // Gamma(a) = Gamma(a+1) · U^(1/a)
		return gammaSample(rng, a+1) * math.Pow(rng.Float64(), 1/a)
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		z := rng.NormFloat64()
		v := 1 + c*z
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*z*z*z*z || math.Log(u) < z*z/2+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

// binomialShare draws a bootstrap replicate of a proportion k/n: the share
// of successes in n draws with probability k/n — exactly for small n, by the
// normal approximation (continuity-free, clamped) beyond.
func binomialShare(rng *rand.Rand, k, n int64) float64 {
	if n == 0 {
		return math.NaN()
	}
	p := float64(k) / float64(n)
	if n <= 2000 {
		var s int64
		for range n {
			if rng.Float64() < p {
				s++
			}
		}
		return float64(s) / float64(n)
	}
	v := float64(n)*p + math.Sqrt(float64(n)*p*(1-p))*rng.NormFloat64()
	return math.Min(math.Max(math.Round(v), 0), float64(n)) / float64(n)
}

// interval is the central 95% of replicates (the percentile method).
func interval(reps []float64) (lo, hi float64) {
	s := make([]float64, 0, len(reps))
	for _, r := range reps {
		if !math.IsNaN(r) && !math.IsInf(r, 0) {
			s = append(s, r)
		}
	}
	if len(s) == 0 {
		return math.NaN(), math.NaN()
	}
	sort.Float64s(s)
	at := func(q float64) float64 { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return at(0.025), at(0.975)
}
