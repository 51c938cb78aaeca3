package capacity

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

// fakeEndpoint is a queue with a known capacity: TTFT p99 grows as
// base·(1 + ρ²/(1 − ρ)) with utilisation ρ = level/capacity, so the level
// at which it crosses an objective can be solved for exactly.
type fakeEndpoint struct {
	capacity float64 // level at which the queue saturates
	base     float64 // TTFT p99 at no load, ms
	limit    float64 // the ttft_p99 objective, ms
	perReq   float64 // spend of one request
	now      time.Time
	// throttleAbove, when positive, makes levels above it fail by 429s;
	// quota says which quota the gateway's codes blamed ("rpm", "tpm", or
	// "" for a bare 429).
	throttleAbove float64
	quota         string
	// flapAt fails the first repeat of this level.
	flapAt float64
	// shortAt returns an inconclusive p99 for the first probe of a level
	// above it.
	inconclusiveAt float64
	probes         []Spec
}

func (f *fakeEndpoint) ttft(level float64) float64 {
	rho := level / f.capacity
	if rho >= 1 {
		return f.base * 1000
	}
	return f.base * (1 + rho*rho/(1-rho))
}

// edge is the level where ttft == limit: solve base(1 + ρ²/(1−ρ)) = L for ρ.
func (f *fakeEndpoint) edge() float64 {
	k := f.limit/f.base - 1 // ρ² = k(1−ρ) → ρ² + kρ − k = 0
	rho := (-k + math.Sqrt(k*k+4*k)) / 2
	return rho * f.capacity
}

func (f *fakeEndpoint) Probe(_ context.Context, s Spec) (Outcome, error) {
	f.probes = append(f.probes, s)
	f.now = f.now.Add(s.Warmup + s.Duration)
	n := int64(s.Level * s.Duration.Seconds())
	if s.Mode == ByConcurrency {
		n = int64(s.Level * s.Duration.Seconds()) // one answer per second per stream
	}
	o := Outcome{Offered: s.Level, Achieved: s.Level, Issued: n, OK: n, Good: n, TTFTP50: f.ttft(s.Level) / 2, TTFTP99: f.ttft(s.Level),
		Throughput: s.Level, Spend: float64(n) * f.perReq, Per1K: 1000 * f.perReq, Currency: "CNY"}
	if s.Mode == ByConcurrency {
		o.Offered, o.Achieved = 0, s.Level
	}
	ttft := Check{Objective: "ttft_p99", Op: "<=", Limit: f.limit, Measured: o.TTFTP99, Unit: "ms", Verdict: Pass}
	if o.TTFTP99 > f.limit {
		ttft.Verdict = Fail
	}
	if f.inconclusiveAt > 0 && s.Level > f.inconclusiveAt && s.Repeat == 0 {
		ttft.Verdict = Inconclusive
	}
	if f.flapAt > 0 && s.Level == f.flapAt && s.Repeat == 1 {
		ttft.Verdict, ttft.Measured = Fail, f.limit*1.1
	}
	avail := Check{Objective: "availability", Op: ">=", Limit: 0.99, Measured: 1, Unit: "ratio", Verdict: Pass}
	if f.throttleAbove > 0 && s.Level > f.throttleAbove {
		o.Throttle = n / 10
		o.OK = n - o.Throttle
		switch f.quota {
		case "rpm":
			o.QuotaRPM = o.Throttle
		case "tpm":
			o.QuotaTPM = o.Throttle - 1 // most, not all
		}
		avail.Measured = float64(o.OK) / float64(n)
		avail.Verdict = Fail
	}
	o.Checks = []Check{ttft, avail}
	return o, nil
}

func (f *fakeEndpoint) config() Config {
	c := DefaultConfig()
	c.Targets = []string{"mini"}
	c.Now = func() time.Time { return f.now }
	c.MinProbe, c.Warmup = 10*time.Second, 2*time.Second
	return c
}

func TestSearchFindsTheEdge(t *testing.T) {
	for _, tc := range []struct {
		name     string
		capacity float64
		start    float64
	}{
		{"ramp up from 1/s", 40, 1},       // several doublings, then bisection
		{"ramp down from 50/s", 12, 50},   // the start fails: halve until a pass
		{"edge below the start", 3.3, 16}, //
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEndpoint{capacity: tc.capacity, base: 200, limit: 2000}
			c := f.config()
			c.Start = tc.start
			res, err := Search(context.Background(), f, c)
			if err != nil {
				t.Fatal(err)
			}
			r := res[0]
			edge := f.edge()
			if !r.Converged() {
				t.Fatalf("stopped %q", r.Stopped)
			}
			if !(r.Lo <= edge && edge < r.Hi) {
				t.Fatalf("bracket [%v, %v] does not hold the edge %v", r.Lo, r.Hi, edge)
			}
			if w := (r.Hi - r.Lo) / r.Lo; w > c.Tolerance {
				t.Fatalf("bracket [%v, %v] is %.0f%% wide, tolerance %.0f%%", r.Lo, r.Hi, 100*w, 100*c.Tolerance)
			}
			if r.Binding != "ttft_p99" || r.BindingExcess <= 0 {
				t.Fatalf("binding %q (%v), want ttft_p99", r.Binding, r.BindingExcess)
			}
			if r.At == nil || r.At.TTFTP99 > f.limit {
				t.Fatalf("at capacity: %+v", r.At)
			}
			confirmed := false
			for _, p := range r.Probes {
				confirmed = confirmed || (p.Phase == Confirm && p.Level == r.Lo && p.Verdict == Pass)
				if p.Outcome.OK < int64(c.MinSuccesses) {
					t.Fatalf("probe at %v had %d successes, fewer than %d", p.Level, p.Outcome.OK, c.MinSuccesses)
				}
				if p.Warmup != c.Warmup {
					t.Fatalf("probe at %v without its warmup", p.Level)
				}
			}
			if !confirmed {
				t.Fatal("the edge was accepted without being probed again")
			}
		})
	}
}

func TestSearchByConcurrency(t *testing.T) {
	f := &fakeEndpoint{capacity: 37, base: 200, limit: 2000}
	c := f.config()
	c.Mode = ByConcurrency
	res, err := Search(context.Background(), f, c)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	edge := f.edge()
	if r.Lo != math.Floor(r.Lo) || r.Hi != math.Floor(r.Hi) {
		t.Fatalf("levels must be whole streams: [%v, %v]", r.Lo, r.Hi)
	}
	if !(r.Lo <= edge && edge < r.Hi) || (r.Hi-r.Lo > 1 && (r.Hi-r.Lo)/r.Lo > c.Tolerance) {
		t.Fatalf("bracket [%v, %v] around %v", r.Lo, r.Hi, edge)
	}
}

func TestSearchReportsFlapping(t *testing.T) {
	// Find the edge once, then make its confirmation fail.
	probe := &fakeEndpoint{capacity: 40, base: 200, limit: 2000}
	first, _ := Search(context.Background(), probe, probe.config())
	f := &fakeEndpoint{capacity: 40, base: 200, limit: 2000, flapAt: first[0].Lo}
	res, err := Search(context.Background(), f, f.config())
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if len(r.Flapped) != 1 || r.Flapped[0] != first[0].Lo {
		t.Fatalf("flapped %v, want [%v]", r.Flapped, first[0].Lo)
	}
	if r.Capacity >= first[0].Lo {
		t.Fatalf("capacity %v: a level that failed its repeat was accepted", r.Capacity)
	}
	if r.Hi != first[0].Lo {
		t.Fatalf("the flapping level %v must become the upper end, got %v", first[0].Lo, r.Hi)
	}
}

func TestSearchStops(t *testing.T) {
	t.Run("max level", func(t *testing.T) {
		f := &fakeEndpoint{capacity: 1000, base: 200, limit: 2000}
		c := f.config()
		c.MaxLevel = 20
		res, _ := Search(context.Background(), f, c)
		r := res[0]
		if r.Stopped != StopMaxLevel || r.Capacity != 20 || r.Hi != 0 {
			t.Fatalf("%+v", r)
		}
		for _, s := range f.probes {
			if s.Level > 20 {
				t.Fatalf("probed %v above the max level", s.Level)
			}
		}
	})
	t.Run("spend cap", func(t *testing.T) {
		f := &fakeEndpoint{capacity: 40, base: 200, limit: 2000, perReq: 0.01}
		c := f.config()
		c.SpendCap, c.PriorPerRequest = 3, 0.01
		res, _ := Search(context.Background(), f, c)
		r := res[0]
		if r.Stopped != StopSpendCap {
			t.Fatalf("stopped %q", r.Stopped)
		}
		if r.Spent <= 0 || r.Spent > c.SpendCap {
			t.Fatalf("spent %v, cap %v", r.Spent, c.SpendCap)
		}
		if len(f.probes) == 0 {
			t.Fatal("no probe ran although the first fits under the cap")
		}
	})
	t.Run("spend cap shared by targets", func(t *testing.T) {
		f := &fakeEndpoint{capacity: 40, base: 200, limit: 2000, perReq: 0.001}
		c := f.config()
		c.Targets = []string{"mini", "pro"}
		c.SpendCap, c.PriorPerRequest = 4, 0.001
		res, _ := Search(context.Background(), f, c)
		total := res[0].Spent + res[1].Spent
		if total > c.SpendCap || res[1].Stopped != StopSpendCap {
			t.Fatalf("spent %v + %v, cap %v; second stopped %q", res[0].Spent, res[1].Spent, c.SpendCap, res[1].Stopped)
		}
	})
	t.Run("max duration", func(t *testing.T) {
		f := &fakeEndpoint{capacity: 40, base: 200, limit: 2000}
		c := f.config()
		c.MaxDuration = 45 * time.Second
		start := f.now
		res, _ := Search(context.Background(), f, c)
		if res[0].Stopped != StopMaxDuration {
			t.Fatalf("stopped %q", res[0].Stopped)
		}
		if used := f.now.Sub(start); used > c.MaxDuration {
			t.Fatalf("used %s of %s", used, c.MaxDuration)
		}
	})
	t.Run("nothing passes", func(t *testing.T) {
		f := &fakeEndpoint{capacity: 0.01, base: 200, limit: 2000}
		res, _ := Search(context.Background(), f, f.config())
		if r := res[0]; r.Stopped != StopNoPass || r.Capacity != 0 || r.At != nil {
			t.Fatalf("%+v", r)
		}
	})
}

func TestSearchExtendsInconclusiveProbes(t *testing.T) {
	f := &fakeEndpoint{capacity: 40, base: 200, limit: 2000, inconclusiveAt: 5}
	res, err := Search(context.Background(), f, f.config())
	if err != nil {
		t.Fatal(err)
	}
	extended := 0
	for i, p := range res[0].Probes {
		if p.Phase == Extend {
			extended++
			if prev := res[0].Probes[i-1]; prev.Verdict != Inconclusive || p.Duration <= prev.Duration {
				t.Fatalf("probe %d extended after %+v", i, prev)
			}
		}
	}
	if extended == 0 {
		t.Fatal("no inconclusive probe was run again longer")
	}
	if edge := f.edge(); !(res[0].Lo <= edge && edge < res[0].Hi) {
		t.Fatalf("bracket [%v, %v] around %v", res[0].Lo, res[0].Hi, edge)
	}
}

func TestSearchNamesTheBindingConstraint(t *testing.T) {
	t.Run("throttling", func(t *testing.T) {
		f := &fakeEndpoint{capacity: 1000, base: 200, limit: 2000, throttleAbove: 10}
		res, _ := Search(context.Background(), f, f.config())
		if r := res[0]; r.Binding != BindingThrottling || r.Lo > 10 || r.Hi <= 10 {
			t.Fatalf("%q [%v, %v]", r.Binding, r.Lo, r.Hi)
		}
	})
	// A gateway's quota codes name the quota: more capacity is a quota
	// increase there, and the decision says so.
	for _, tc := range []struct{ quota, binding, words string }{
		{"rpm", BindingQuotaRPM, "the endpoint's request quota (quota_rpm: raise the RPM quota)"},
		{"tpm", BindingQuotaTPM, "the endpoint's token quota (quota_tpm: raise the TPM quota)"},
	} {
		t.Run("quota "+tc.quota, func(t *testing.T) {
			f := &fakeEndpoint{capacity: 1000, base: 200, limit: 2000, throttleAbove: 10, quota: tc.quota}
			res, _ := Search(context.Background(), f, f.config())
			if r := res[0]; r.Binding != tc.binding || r.Lo > 10 || r.Hi <= 10 {
				t.Fatalf("%q [%v, %v]", r.Binding, r.Lo, r.Hi)
			}
			d := Decide(res, ByRate, 50, 1.5)
			if !strings.Contains(d.Sentence, "bound by "+tc.words) {
				t.Errorf("decision: %s", d.Sentence)
			}
		})
	}
	t.Run("saturation", func(t *testing.T) {
		sat := ProberFunc(func(_ context.Context, s Spec) (Outcome, error) {
			n := int64(s.Level * s.Duration.Seconds())
			o := Outcome{Offered: s.Level, Achieved: math.Min(s.Level, 7), Issued: n, OK: n, TTFTP50: 100, TTFTP99: 200,
				Checks: []Check{{Objective: "ttft_p99", Op: "<=", Limit: 2000, Measured: 200, Verdict: Pass}}}
			return o, nil
		})
		c := DefaultConfig()
		c.Targets = []string{"pro"}
		res, _ := Search(context.Background(), sat, c)
		if r := res[0]; r.Binding != BindingSaturation || r.Lo > 7/0.95 || r.Hi < 7/0.95 {
			t.Fatalf("%q [%v, %v]", r.Binding, r.Lo, r.Hi)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{Targets: []string{"a"}, Growth: 1.1},            // a ramp that barely moves
		{Targets: []string{"a"}, Tolerance: 1},           // a bracket that never narrows
		{Targets: []string{"a"}, Mode: "load"},           // unknown mode
		{Targets: []string{"a"}, Start: 10, MaxLevel: 5}, // nothing to probe
		{}, // no targets
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
}

func TestSearchRetriesUntrustedProbes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bad     int // untrustworthy probes before good ones
		stopped string
	}{
		{"a busy moment: retried, then measured", 1, StopConverged},
		{"a busy machine: the target's search stops", 10, StopUntrusted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEndpoint{capacity: 40, base: 200, limit: 2000}
			left := tc.bad
			p := ProberFunc(func(ctx context.Context, s Spec) (Outcome, error) {
				o, err := f.Probe(ctx, s)
				if left > 0 {
					left--
					o.Untrusted = "schedule lag p99 18ms exceeds the limit 8ms"
				}
				return o, err
			})
			res, err := Search(context.Background(), p, f.config())
			if err != nil {
				t.Fatal(err)
			}
			r := res[0]
			if r.Stopped != tc.stopped {
				t.Fatalf("stopped %q, want %q", r.Stopped, tc.stopped)
			}
			if r.Probes[0].Verdict != Inconclusive || !strings.HasPrefix(r.Probes[0].Binding, "untrusted") {
				t.Fatalf("an untrustworthy probe must be neither pass nor fail: %+v", r.Probes[0])
			}
			if tc.stopped == StopConverged && r.Probes[1].Phase != Retry {
				t.Fatalf("second probe %q, want a retry", r.Probes[1].Phase)
			}
		})
	}
}
