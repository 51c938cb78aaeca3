package run

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// burnGuard is --abort-on-burn: it stops issuing as soon as an availability
// or error-rate objective can no longer be met, because the failures already
// recorded exceed the error budget of all the requests that will be sent —
// of the whole run for a plain objective, of the current window for a
// windowed one ({max: 1%, window: 5m}). The budget is the allowed failure
// share (availability ≥ 99.9 % allows 0.1 %) times the planned requests,
// with 10 % slack for random (Poisson, gamma) arrivals, so it never stops a
// run that could still pass. A soak that is going to fail stops early, its
// results and report intact, and exits 1.
type burnGuard struct {
	stop    func()
	reached atomic.Bool

	mu      sync.Mutex
	why     string
	stages  []runner.Stage
	share   float64 // of the planned requests this process sends, per target
	targets map[string][]*burnObjective
}

type burnObjective struct {
	o      scenarios.Objective
	budget float64         // allowed failure share, 0..1
	total  float64         // planned requests of the target (plain objectives)
	failed map[int64]int64 // by window index (0 for a plain objective)
	cap    map[int64]float64
}

// burnSlack covers the randomness of arrivals: a window planned at 100
// requests may get a few more.
const burnSlack = 1.1

func newBurnGuard(sc *scenarios.Scenario, flagSLO []scenarios.Objective, plan *scenarios.Plan, shardCount int, stop func()) *burnGuard {
	g := &burnGuard{stop: stop, stages: plan.Stages, targets: map[string][]*burnObjective{}}
	n := max(len(sc.Targets), 1)
	g.share = 1 / float64(n*max(shardCount, 1))
	total := g.planned(0, 1<<62) * g.share
	slo := sc.SLO.Merge(flagSLO)
	for _, t := range sc.Targets {
		for _, o := range slo.For(t.Name) {
			var budget float64
			switch o.Metric {
			case "availability":
				budget = 1 - o.Ratio
			case "error_rate":
				budget = o.Ratio
			default:
				continue
			}
			if budget <= 0 {
				continue // a 100 % objective fails at the first error; the report says so
			}
			g.targets[t.Name] = append(g.targets[t.Name], &burnObjective{o: o, budget: budget, total: total,
				failed: map[int64]int64{}, cap: map[int64]float64{}})
		}
	}
	if len(g.targets) == 0 {
		return nil
	}
	return g
}

// planned is the plan's open-loop requests sent in [from, to) (µs from the
// run's start), warmup left out as the report leaves it out: the integral
// of each stage's rate, in 10 ms steps.
func (g *burnGuard) planned(from, to int64) float64 {
	var n float64
	var off int64
	for _, st := range g.stages {
		d := st.Duration.Microseconds()
		lo, hi := max(from, off), min(to, off+d)
		if st.Open() && !st.Warmup && hi > lo {
			const step = 10_000
			for t := lo; t < hi; t += step {
				dt := min(step, hi-t)
				n += st.Pacer.Rate(time.Duration(t-off)*time.Microsecond) * float64(dt) / 1e6
			}
		}
		off += d
	}
	return n
}

// add counts one finished request and stops the run when an objective is
// lost.
func (g *burnGuard) add(r *runner.Result) {
	if r.Warmup || r.Status != runner.StatusError || g.reached.Load() {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, b := range g.targets[r.Target] {
		var idx int64
		limit := b.total
		if w := b.o.Window.Microseconds(); w > 0 {
			idx = r.SentUS / w
			c, ok := b.cap[idx]
			if !ok {
				c = g.planned(idx*w, (idx+1)*w) * g.share
				b.cap[idx] = c
			}
			limit = c
		}
		b.failed[idx]++
		if allowed := b.budget * limit * burnSlack; float64(b.failed[idx]) > allowed && !g.reached.Swap(true) {
			where := "over the whole run"
			if b.o.Window > 0 {
				from := time.Duration(idx) * b.o.Window
				where = fmt.Sprintf("in the window %s–%s", from, from+b.o.Window)
			}
			g.why = fmt.Sprintf("aborted on burn: [%s] %s cannot be met: %d failures %s, more than its error budget allows (%.1f of about %.0f planned requests)",
				r.Target, b.o.Name, b.failed[idx], where, allowed, limit)
			g.stop()
			return
		}
	}
}

func (g *burnGuard) reason() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.why
}
