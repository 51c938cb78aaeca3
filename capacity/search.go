package capacity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Config steers the search. Zero fields take the defaults of DefaultConfig.
type Config struct {
	Targets []string
	Mode    Mode
	// Start is the first level probed; Growth multiplies it probe by probe
	// during the ramp (≥ 1.2).
	Start, Growth float64
	// Tolerance ends the bisection when (hi − lo)/lo ≤ Tolerance.
	Tolerance float64
	// MaxLevel is the highest level ever probed (0: no limit); a pass there
	// reports the capacity as at least MaxLevel.
	MaxLevel float64
	// MinLevel ends a downward search without a passing level (rate mode).
	MinLevel float64
	// MinSuccesses is the number of successful requests a probe needs for
	// its percentiles to be conclusive (100 for a p99, 1,000 for a p99.9).
	MinSuccesses int
	// MinProbe and Warmup bound every probe: at least MinProbe measured
	// after Warmup.
	MinProbe, Warmup time.Duration
	// MaxProbe caps one probe's measured part.
	MaxProbe time.Duration
	// MaxDuration is the wall-clock budget of the whole search (0: none).
	MaxDuration time.Duration
	// SpendCap is the most the whole search may spend (0: no cap); Spent is
	// what was spent before it started. PriorPerRequest estimates the cost
	// of one request before any probe measured it.
	SpendCap, Spent, PriorPerRequest float64
	// Drain is the wall time expected after a probe's last send, for the
	// wall-clock budget (the scenario's request timeout is a safe bound).
	Drain time.Duration
	// SaturationGrowth: during the ramp, TTFT p50 this many times the first
	// probe's marks saturation; TrendLimit does the same for TTFT growing
	// inside one probe. 0 disables either.
	SaturationGrowth, TrendLimit float64
	// Confirmations bounds how often the lower end is re-probed.
	Confirmations int
	// Extensions bounds how often an inconclusive probe is rerun longer;
	// UntrustedRetries how often a probe whose generator fell behind is
	// run again before the search of that target stops.
	Extensions, UntrustedRetries int
	// Now is the clock (nil: time.Now); tests advance a fake one.
	Now func() time.Time
	// Progress, when set, is told about every probe as it finishes.
	Progress func(ProbeRecord)
}

// DefaultConfig is the documented default search.
func DefaultConfig() Config {
	return Config{Mode: ByRate, Start: 1, Growth: 2, Tolerance: 0.10, MinLevel: 0.05, MinSuccesses: 100,
		MinProbe: 10 * time.Second, Warmup: 3 * time.Second, MaxProbe: 10 * time.Minute,
		SaturationGrowth: 10, TrendLimit: 2, Confirmations: 2, Extensions: 2, UntrustedRetries: 2}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Mode == "" {
		c.Mode = d.Mode
	}
	for _, f := range []struct{ v, def *float64 }{{&c.Start, &d.Start}, {&c.Growth, &d.Growth}, {&c.Tolerance, &d.Tolerance}, {&c.MinLevel, &d.MinLevel}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if c.MinSuccesses <= 0 {
		c.MinSuccesses = d.MinSuccesses
	}
	if c.MinProbe <= 0 {
		c.MinProbe = d.MinProbe
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	}
	if c.MaxProbe <= 0 {
		c.MaxProbe = d.MaxProbe
	}
	if c.Confirmations < 0 {
		c.Confirmations = 0
	}
	if c.Extensions < 0 {
		c.Extensions = 0
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Mode == ByConcurrency {
		c.Start, c.MinLevel = math.Max(1, math.Round(c.Start)), 1
	}
	return c
}

// Validate says what is wrong with c (after defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Mode != ByRate && c.Mode != ByConcurrency:
		return fmt.Errorf("mode %q: must be rate or concurrency", c.Mode)
	case c.Growth < 1.2:
		return fmt.Errorf("growth %v: must be at least 1.2", c.Growth)
	case c.Tolerance >= 1:
		return fmt.Errorf("tolerance %v: must be below 100%%", c.Tolerance)
	case c.MaxLevel > 0 && c.MaxLevel < c.Start:
		return fmt.Errorf("max level %v is below the start %v", c.MaxLevel, c.Start)
	case len(c.Targets) == 0:
		return errors.New("no targets to search")
	}
	return nil
}

// Phase names why a probe ran.
type Phase string

const (
	Ramp    Phase = "ramp"
	Bisect  Phase = "bisect"
	Confirm Phase = "confirm"
	Extend  Phase = "extend" // an inconclusive probe run again, longer
	Retry   Phase = "retry"  // a probe run again after its generator fell behind
)

// ProbeRecord is one probe with the search's judgement of it.
type ProbeRecord struct {
	Phase    Phase         `json:"phase"`
	Level    float64       `json:"level"`
	Warmup   time.Duration `json:"-"`
	Duration time.Duration `json:"-"`
	Verdict  Verdict       `json:"verdict"`
	// Binding is the constraint a failing probe broke (see Binding*), with
	// how far beyond its limit.
	Binding string  `json:"binding,omitempty"`
	Excess  float64 `json:"excess,omitempty"`
	Outcome Outcome `json:"outcome"`
	Target  string  `json:"target"`
}

// The binding constraints a failing probe can name besides an objective key.
const (
	BindingSaturation = "saturation" // the endpoint did not keep up: achieved below offered, drops, a growing queue
	BindingThrottling = "throttling" // failures were mostly 429 / overloaded
	// The endpoint's quota bound the probe: most failures were throttled,
	// and most of those by the gateway's per-minute request (token) quota.
	// More capacity there is a quota increase, not a faster endpoint.
	BindingQuotaRPM     = "quota_rpm"
	BindingQuotaTPM     = "quota_tpm"
	BindingInconclusive = "inconclusive" // never enough samples to judge
)

// Why the search of one target ended.
const (
	StopConverged   = "converged"
	StopMaxLevel    = "max-level"
	StopMaxDuration = "max-duration"
	StopSpendCap    = "spend-cap"
	StopUntrusted   = "untrusted"
	StopNoPass      = "no-passing-level"
)

// Result is the capacity of one target.
type Result struct {
	Target string `json:"target"`
	Mode   Mode   `json:"mode"`
	// Capacity is the highest level that passed and was confirmed (0: none
	// did). Lo and Hi bracket the true capacity; Hi 0 means no failing level
	// was found (Capacity is a lower bound).
	Capacity float64 `json:"capacity"`
	Lo       float64 `json:"bracket_lo"`
	Hi       float64 `json:"bracket_hi"`
	// Binding is what failed first above the capacity, with its excess.
	Binding       string  `json:"binding,omitempty"`
	BindingExcess float64 `json:"binding_excess,omitempty"`
	// At is the passing probe at Capacity (nil when none passed).
	At      *Outcome      `json:"at_capacity,omitempty"`
	Probes  []ProbeRecord `json:"probes"`
	Flapped []float64     `json:"flapped"` // levels that passed, then failed when repeated
	Stopped string        `json:"stopped"`
	Spent   float64       `json:"spent"`
}

// Converged says the bracket is within tolerance and was confirmed.
func (r Result) Converged() bool { return r.Stopped == StopConverged }

// Search finds the capacity of every target in turn; the spend cap and the
// wall-clock budget are shared by all of them. It returns what it found so
// far together with any error of the prober.
func Search(ctx context.Context, p Prober, c Config) ([]Result, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	s := &search{c: c, p: p, spent: c.Spent, start: c.Now()}
	var out []Result
	for _, t := range c.Targets {
		r, err := s.target(ctx, t)
		out = append(out, r)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

type search struct {
	c     Config
	p     Prober
	spent float64
	start time.Time
	// perRequest is the dearest measured cost of one request so far.
	perRequest float64
}

// stop is a reason the search must not start another probe.
type stop string

func (s *search) target(ctx context.Context, target string) (res Result, err error) {
	c := s.c
	r := Result{Target: target, Mode: c.Mode, Flapped: []float64{}}
	spentBefore := s.spent
	defer func() { res.Spent = s.spent - spentBefore }()
	var first *Outcome // the ramp's first probe, the reference for TTFT growth

	probe := func(level float64, ph Phase) (ProbeRecord, stop, error) {
		rec, st, err := s.probe(ctx, target, level, ph, first, &r)
		if st == "" && err == nil && first == nil && rec.Outcome.OK > 0 {
			o := rec.Outcome
			first = &o
		}
		return rec, st, err
	}

	// Ramp: up until a failure (or down until a pass when the start fails).
	lo, hi := 0.0, 0.0
	level := c.Start
	for {
		if c.MaxLevel > 0 && level > c.MaxLevel {
			level = c.MaxLevel
		}
		rec, st, err := probe(level, Ramp)
		if err != nil || st != "" {
			return s.finish(r, lo, hi, string(st)), err
		}
		if rec.Verdict == Pass {
			lo = level
			if hi > 0 {
				break
			}
			if c.MaxLevel > 0 && level >= c.MaxLevel {
				return s.finish(r, lo, 0, StopMaxLevel), nil
			}
			level = s.round(level * c.Growth)
			continue
		}
		hi = level
		if lo > 0 {
			break
		}
		next := s.round(level / c.Growth)
		if next < c.MinLevel || next >= level {
			return s.finish(r, 0, hi, StopNoPass), nil
		}
		level = next
	}

	// Bisect, then confirm the lower end; a failed confirmation is a flap
	// and the bisection goes on below it.
	confirms := 0
	for {
		for !s.narrow(lo, hi) {
			mid := s.mid(lo, hi)
			rec, st, err := probe(mid, Bisect)
			if err != nil || st != "" {
				return s.finish(r, lo, hi, string(st)), err
			}
			if rec.Verdict == Pass {
				lo = mid
			} else {
				hi = mid
			}
		}
		if confirms >= c.Confirmations {
			return s.finish(r, lo, hi, StopConverged), nil
		}
		confirms++
		rec, st, err := probe(lo, Confirm)
		if err != nil || st != "" {
			return s.finish(r, lo, hi, string(st)), err
		}
		if rec.Verdict == Pass {
			return s.finish(r, lo, hi, StopConverged), nil
		}
		r.Flapped = append(r.Flapped, lo)
		hi = lo
		lo = s.passedBelow(r.Probes, hi)
		if lo == 0 {
			next := s.round(hi / c.Growth)
			if next < c.MinLevel || next >= hi {
				return s.finish(r, 0, hi, StopNoPass), nil
			}
			rec, st, err := probe(next, Bisect)
			if err != nil || st != "" {
				return s.finish(r, 0, hi, string(st)), err
			}
			if rec.Verdict != Pass {
				return s.finish(r, 0, next, StopNoPass), nil
			}
			lo = next
		}
	}
}

// passedBelow is the highest level below hi whose every probe passed.
func (s *search) passedBelow(recs []ProbeRecord, hi float64) float64 {
	best := 0.0
	for _, rec := range recs {
		if rec.Level >= hi || rec.Level <= best || rec.Verdict != Pass {
			continue
		}
		ok := true
		for _, o := range recs {
			if o.Level == rec.Level && o.Verdict == Fail {
				ok = false
			}
		}
		if ok {
			best = rec.Level
		}
	}
	return best
}

// narrow says the bracket needs no more bisection.
func (s *search) narrow(lo, hi float64) bool {
	if s.c.Mode == ByConcurrency && hi-lo <= 1 {
		return true
	}
	return (hi-lo)/lo <= s.c.Tolerance
}

// mid is the bracket's geometric middle (the tolerance is a ratio), whole
// streams in concurrency mode.
func (s *search) mid(lo, hi float64) float64 {
	m := math.Sqrt(lo * hi)
	if s.c.Mode == ByConcurrency {
		m = math.Round(m)
		m = math.Min(math.Max(m, lo+1), hi-1)
	}
	return m
}

func (s *search) round(level float64) float64 {
	if s.c.Mode == ByConcurrency {
		return math.Round(level)
	}
	// Three significant figures keep levels readable in tables.
	if level <= 0 {
		return level
	}
	p := math.Pow(10, 2-math.Floor(math.Log10(level)))
	return math.Round(level*p) / p
}

// finish fills the result from the bracket and the probes.
func (s *search) finish(r Result, lo, hi float64, stopped string) Result {
	r.Lo, r.Hi, r.Capacity, r.Stopped = lo, hi, lo, stopped
	if r.Stopped == "" {
		r.Stopped = StopConverged
	}
	// The best passing probe at the capacity.
	for i := range r.Probes {
		p := &r.Probes[i]
		if p.Level == lo && p.Verdict == Pass {
			o := p.Outcome
			r.At = &o
		}
	}
	// The binding constraint: the failure at the lowest failing level above
	// the capacity (the one met first on the way up).
	bestLevel := math.Inf(1)
	for _, p := range r.Probes {
		if p.Verdict == Fail && p.Level > lo && p.Level <= bestLevel && p.Binding != "" {
			if p.Level < bestLevel || p.Excess > r.BindingExcess {
				r.Binding, r.BindingExcess = p.Binding, p.Excess
			}
			bestLevel = p.Level
		}
	}
	return r
}

// spec sizes a probe: long enough that MinSuccesses requests succeed (with
// a fifth more for failures), at least MinProbe, at most MaxProbe.
func (s *search) spec(target string, level float64, last *Outcome, stretch int) Spec {
	c := s.c
	need := float64(c.MinSuccesses) * 1.2
	var d time.Duration
	switch c.Mode {
	case ByRate:
		d = time.Duration(need / level * float64(time.Second))
	default:
		// Requests per second per stream, from the last probe (an answer a
		// second per stream before any was measured).
		perStream := 1.0
		if last != nil && last.Spec.Level > 0 && last.Throughput > 0 {
			perStream = last.Throughput / last.Spec.Level
		}
		d = time.Duration(need / (perStream * level) * float64(time.Second))
	}
	d = max(d, c.MinProbe) << stretch
	d = min(d, c.MaxProbe)
	return Spec{Target: target, Mode: c.Mode, Level: level, Warmup: c.Warmup, Duration: d.Round(time.Second)}
}

// estimate is the spend and wall time a probe is expected to take.
func (s *search) estimate(sp Spec, last *Outcome) (spend float64, wall time.Duration) {
	secs := (sp.Warmup + sp.Duration).Seconds()
	reqs := sp.Level * secs
	if sp.Mode == ByConcurrency {
		perStream := 1.0
		if last != nil && last.Spec.Level > 0 && last.Throughput > 0 {
			perStream = last.Throughput / last.Spec.Level
		}
		reqs = perStream * sp.Level * secs
	}
	per := math.Max(s.perRequest, s.c.PriorPerRequest)
	return reqs * per, sp.Warmup + sp.Duration + s.c.Drain
}

// probe runs one level (again with a longer probe while inconclusive) and
// judges it. It records every probe it runs in r.
func (s *search) probe(ctx context.Context, target string, level float64, ph Phase, first *Outcome, r *Result) (ProbeRecord, stop, error) {
	var last *Outcome
	if n := len(r.Probes); n > 0 {
		last = &r.Probes[n-1].Outcome
	}
	repeat := 0
	for _, p := range r.Probes {
		if p.Level == level {
			repeat++
		}
	}
	untrusted := 0
	for stretch := 0; ; stretch++ {
		if err := ctx.Err(); err != nil {
			return ProbeRecord{}, "", err
		}
		sp := s.spec(target, level, last, stretch)
		sp.Repeat = repeat
		spend, wall := s.estimate(sp, last)
		if s.c.SpendCap > 0 && s.spent+spend > s.c.SpendCap {
			return ProbeRecord{}, StopSpendCap, nil
		}
		if s.c.MaxDuration > 0 && s.c.Now().Sub(s.start)+wall > s.c.MaxDuration {
			return ProbeRecord{}, StopMaxDuration, nil
		}
		o, err := s.p.Probe(ctx, sp)
		o.Spec = sp
		s.spent += o.Spend
		if o.Issued > 0 && o.Spend > 0 {
			s.perRequest = math.Max(s.perRequest, o.Spend/float64(o.Issued))
		}
		if err != nil {
			return ProbeRecord{}, "", fmt.Errorf("%s at %s: %w", target, LevelText(s.c.Mode, level), err)
		}
		rec := ProbeRecord{Phase: ph, Level: level, Warmup: sp.Warmup, Duration: sp.Duration, Outcome: o, Target: target}
		if stretch > 0 {
			rec.Phase = Extend
		}
		if untrusted > 0 {
			rec.Phase = Retry
		}
		rec.Verdict, rec.Binding, rec.Excess = s.judge(o, ph, first)
		if o.Untrusted != "" {
			rec.Verdict, rec.Binding = Inconclusive, "untrusted: "+o.Untrusted
		}
		r.Probes = append(r.Probes, rec)
		if s.c.Progress != nil {
			s.c.Progress(rec)
		}
		if o.Untrusted != "" {
			// The generator fell behind (a busy machine): run the level
			// again a bounded number of times before giving up on it.
			if untrusted++; untrusted <= s.c.UntrustedRetries {
				repeat++
				stretch--
				continue
			}
			return rec, StopUntrusted, nil
		}
		if rec.Verdict != Inconclusive {
			return rec, "", nil
		}
		if stretch >= s.c.Extensions || sp.Duration >= s.c.MaxProbe {
			// Never conclusive: judged a failure, named as such.
			rec.Verdict, rec.Binding = Fail, BindingInconclusive
			r.Probes[len(r.Probes)-1] = rec
			return rec, "", nil
		}
		repeat++
	}
}

// throttleBinding names what throttled a probe: the quota that turned away
// at least half of its throttled requests, else throttling.
func throttleBinding(o Outcome) string {
	switch {
	case 2*o.QuotaRPM >= o.Throttle && o.QuotaRPM > 0 && o.QuotaRPM >= o.QuotaTPM:
		return BindingQuotaRPM
	case 2*o.QuotaTPM >= o.Throttle && o.QuotaTPM > 0:
		return BindingQuotaTPM
	}
	return BindingThrottling
}

// judge turns a probe's checks and load figures into one verdict and, for
// a failure, the binding constraint: the failing check furthest beyond its
// limit, with availability failures that are mostly 429s named throttling
// and undelivered load named saturation.
func (s *search) judge(o Outcome, ph Phase, first *Outcome) (Verdict, string, float64) {
	var fails []Check
	inconclusive := false
	for _, c := range o.Checks {
		switch c.Verdict {
		case Fail:
			fails = append(fails, c)
		case Inconclusive:
			inconclusive = true
		}
	}
	// Saturation signals beside the checks.
	var sat float64
	if o.Offered > 0 && o.Achieved < 0.95*o.Offered {
		sat = math.Max(sat, (o.Offered-o.Achieved)/o.Offered)
	}
	if s.c.TrendLimit > 0 && o.TTFTTrend > s.c.TrendLimit {
		sat = math.Max(sat, o.TTFTTrend/s.c.TrendLimit-1)
	}
	if ph == Ramp && s.c.SaturationGrowth > 0 && first != nil && first.TTFTP50 > 0 && o.TTFTP50 > s.c.SaturationGrowth*first.TTFTP50 {
		sat = math.Max(sat, o.TTFTP50/(s.c.SaturationGrowth*first.TTFTP50)-1)
	}
	if len(fails) == 0 && sat == 0 {
		if inconclusive {
			return Inconclusive, "", 0
		}
		return Pass, "", 0
	}
	if len(fails) == 0 {
		return Fail, BindingSaturation, sat
	}
	slices.SortStableFunc(fails, func(a, b Check) int {
		switch {
		case a.Excess() > b.Excess():
			return -1
		case a.Excess() < b.Excess():
			return 1
		}
		return 0
	})
	worst := fails[0]
	name := worst.Objective
	switch name {
	case "dropped", "achieved_rate":
		name = BindingSaturation
	case "availability", "error_rate":
		if failed := o.Issued - o.OK; failed > 0 && 2*o.Throttle >= failed {
			name = throttleBinding(o)
		}
	}
	return Fail, name, worst.Excess()
}

// LevelText writes a level in its mode's unit: "12.5/s", "48 streams".
func LevelText(m Mode, level float64) string {
	if m == ByConcurrency {
		return fmt.Sprintf("%.0f streams", level)
	}
	return fmt.Sprintf("%.3g/s", level)
}
