package scenarios

import (
	"fmt"
	"math"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Poisson and Gamma are open-loop pacers with random inter-arrival gaps,
// satisfying vegeta's Pacer. Gap i is a pure function of (Seed, i), so hit
// n is due at
//
//	T(n) = Σ_{i=0..n} gap(i)
//
// and Pace(elapsed, hits) = max(0, T(hits) − elapsed) is a pure function of
// its arguments, like vegeta's own pacers: the same seed gives the same
// schedule on every machine and every shard. Sums are kept in whole
// nanoseconds, so they are exact and identical everywhere.
//
// Computing T(n) from scratch is O(n); the pacers therefore carry a shared,
// mutex-guarded memo of the last sum and a checkpoint every 4096 hits, so
// the in-order calls of a schedule cost O(1) each and an out-of-order call
// at most 4096 gaps. The memo changes only speed, never an answer.

// Poisson spaces hits with exponential gaps of mean 1/PerSec: the arrivals of
// independent users (coefficient of variation 1).
type Poisson struct {
	PerSec float64 // mean hits per second
	Seed   uint64
	memo   *arrivals
}

// NewPoisson returns a Poisson pacer with its memo.
func NewPoisson(rate float64, seed uint64) Poisson {
	p := Poisson{PerSec: rate, Seed: seed}
	p.memo = newArrivals(p.gap)
	return p
}

// gap i = −ln(1 − U)/λ with U uniform in [0, 1) from (Seed, i).
func (p Poisson) gap(i uint64) int64 {
	r := newStream(p.Seed, i, 0)
	return nanos(-math.Log1p(-r.float()) / p.PerSec)
}

// Pace implements vegeta.Pacer.
func (p Poisson) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if !(p.PerSec > 0) {
		return 0, true
	}
	return wait(due(p.memo, p.gap, hits), elapsed), false
}

// Rate implements vegeta.Pacer: the mean rate, the same at every instant.
func (p Poisson) Rate(time.Duration) float64 { return p.PerSec }

func (p Poisson) String() string { return fmt.Sprintf("Poisson{%g hits/s}", p.PerSec) }

// Gamma spaces hits with gamma-distributed gaps of mean 1/PerSec and
// coefficient of variation CV: shape k = 1/CV², scale θ = 1/(PerSec·k). CV 1
// is Poisson; CV above 1 is bursty (clusters of hits, then lulls), below 1
// more regular than Poisson.
type Gamma struct {
	PerSec float64 // mean hits per second
	CV     float64
	Seed   uint64
	memo   *arrivals
}

// NewGamma returns a Gamma pacer with its memo.
func NewGamma(rate, cv float64, seed uint64) Gamma {
	g := Gamma{PerSec: rate, CV: cv, Seed: seed}
	g.memo = newArrivals(g.gap)
	return g
}

func (g Gamma) gap(i uint64) int64 {
	r := newStream(g.Seed, i, 0)
	k := 1 / (g.CV * g.CV)
	return nanos(gammaDraw(&r, k) / (g.PerSec * k))
}

// Pace implements vegeta.Pacer.
func (g Gamma) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if !(g.PerSec > 0) || !(g.CV > 0) {
		return 0, true
	}
	return wait(due(g.memo, g.gap, hits), elapsed), false
}

// Rate implements vegeta.Pacer: the mean rate.
func (g Gamma) Rate(time.Duration) float64 { return g.PerSec }

func (g Gamma) String() string { return fmt.Sprintf("Gamma{%g hits/s, cv %g}", g.PerSec, g.CV) }

var (
	_ vegeta.Pacer = Poisson{}
	_ vegeta.Pacer = Gamma{}
)

func nanos(sec float64) int64 {
	ns := math.Round(sec * 1e9)
	if ns > math.MaxInt64/4 {
		return math.MaxInt64 / 4
	}
	return int64(ns)
}

func wait(at int64, elapsed time.Duration) time.Duration {
	if d := time.Duration(at) - elapsed; d > 0 {
		return d
	}
	return 0
}

// due is T(n), through the memo when there is one.
func due(a *arrivals, gap func(uint64) int64, n uint64) int64 {
	if a != nil {
		return a.at(n)
	}
	var t int64
	for i := uint64(0); i <= n; i++ {
		t = addSat(t, gap(i))
	}
	return t
}

func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// gammaDraw is a Gamma(k, 1) variate (Marsaglia and Tsang 2000): for k ≥ 1,
// with d = k − 1/3 and c = 1/√(9d), draw Z ~ N(0,1), V = (1 + cZ)³ and
// accept d·V when V > 0 and ln U < Z²/2 + d − dV + d·ln V. For k < 1,
// Gamma(k) = Gamma(k+1) · U^(1/k).
func gammaDraw(r *stream, k float64) float64 {
	boost := 1.0
	if k < 1 {
		boost = math.Pow(1-r.float(), 1/k)
		k++
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		// Box–Muller for Z.
		u1, u2 := 1-r.float(), r.float()
		z := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
		v := 1 + c*z
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := 1 - r.float()
		if math.Log(u) < z*z/2+d-d*v+d*math.Log(v) {
			return d * v * boost
		}
	}
}

// arrivals memoizes T(n) = Σ_{i≤n} gap(i).
type arrivals struct {
	gap   func(uint64) int64
	mu    sync.Mutex
	valid bool
	n     uint64
	t     int64
	marks []int64 // marks[j] = T(j·markEvery)
}

const markEvery = 4096

func newArrivals(gap func(uint64) int64) *arrivals { return &arrivals{gap: gap} }

func (a *arrivals) at(n uint64) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.valid || n < a.n {
		// Restart from the last checkpoint at or before n.
		if len(a.marks) == 0 {
			a.marks = append(a.marks, a.gap(0))
		}
		j := min(n/markEvery, uint64(len(a.marks)-1))
		a.n, a.t, a.valid = j*markEvery, a.marks[j], true
	}
	for a.n < n {
		a.n++
		a.t = addSat(a.t, a.gap(a.n))
		if a.n%markEvery == 0 && uint64(len(a.marks)) == a.n/markEvery {
			a.marks = append(a.marks, a.t)
		}
	}
	return a.t
}
