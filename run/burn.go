package run

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// burnGuard is --abort-on-burn: it stops issuing as soon as an availability
// or error-rate objective (whole run or windowed) is bound to fail, for
// either of two reasons:
//
//   - its fast-burn condition fires: the error ratio over both of the page
//     alert's windows is over 14.4 × the error budget (report.BurnAlerts,
//     the windows scaled to the run as the report scales them). The
//     report's verdict fails on that same condition, so the run stops as
//     soon as it is lost;
//   - the failures already recorded exceed the error budget of all the
//     requests that will be sent: of the whole run for a plain objective,
//     of the current window for a windowed one ({max: 1%, window: 5m}).
//
// Live, a window's requests are the plan's (the integral of its rate over
// the window, warmup left out, this target's and this shard's share):
// requests still in flight have no outcome yet, and counting only finished
// ones would overstate the error ratio while fast failures overtake slow
// streams. The budget test allows 10 % more than the plan for random
// (Poisson, gamma) arrivals, so it never stops a run that could still pass.
// The results and the report stay intact; exit 1.
type burnGuard struct {
	stop    func()
	reached atomic.Bool

	mu      sync.Mutex
	why     string
	plan    plannedCurve
	share   float64 // of the planned requests this process sends, per target
	page    report.BurnAlert
	targets map[string]*burnTarget
}

type burnTarget struct {
	fails *report.BurnCounts // failures by send time, for the burn windows
	objs  []*burnObjective
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
	g := &burnGuard{stop: stop, plan: newPlannedCurve(plan.Stages), targets: map[string]*burnTarget{}}
	n := max(len(sc.Targets), 1)
	g.share = 1 / float64(n*max(shardCount, 1))
	total := g.plan.between(0, math.MaxInt64) * g.share
	for _, a := range report.BurnAlerts(g.plan.measured) {
		if a.Page {
			g.page = a
		}
	}
	slo := sc.SLO.Merge(flagSLO)
	for _, t := range sc.Targets {
		for _, o := range slo.For(t.Name) {
			budget := o.ErrorBudget()
			if budget <= 0 {
				continue // latency, or a 100 % objective that fails at the first error; the report says so
			}
			bt := g.targets[t.Name]
			if bt == nil {
				bt = &burnTarget{fails: report.NewBurnCounts()}
				g.targets[t.Name] = bt
			}
			bt.objs = append(bt.objs, &burnObjective{o: o, budget: budget, total: total,
				failed: map[int64]int64{}, cap: map[int64]float64{}})
		}
	}
	if len(g.targets) == 0 {
		return nil
	}
	return g
}

// add counts one finished request and stops the run when an objective is
// lost.
func (g *burnGuard) add(r *runner.Result) {
	if r.Warmup || r.Status != runner.StatusError || g.reached.Load() {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	bt := g.targets[r.Target]
	if bt == nil {
		return
	}
	bt.fails.Add(r.SentUS, 0, 1)
	long, short := g.window(bt, r.SentUS, g.page.Long), g.window(bt, r.SentUS, g.page.Short)
	for _, b := range bt.objs {
		if g.page.Fires(b.budget, long, short) {
			rate, _ := g.page.Rate(b.budget, long, short)
			g.lost(fmt.Sprintf("aborted on burn: [%s] %s is burning its error budget %.1fx as fast as it allows over the last %s and %s (the page condition is %gx): the verdict fails",
				r.Target, b.o.Name, rate, g.page.Long.Round(time.Millisecond), g.page.Short.Round(time.Millisecond), g.page.Burn))
			return
		}
		var idx int64
		limit := b.total
		if w := b.o.Window.Microseconds(); w > 0 {
			idx = r.SentUS / w
			c, ok := b.cap[idx]
			if !ok {
				c = g.plan.between(idx*w, (idx+1)*w) * g.share
				b.cap[idx] = c
			}
			limit = c
		}
		b.failed[idx]++
		if allowed := b.budget * limit * burnSlack; float64(b.failed[idx]) > allowed {
			where := "over the whole run"
			if b.o.Window > 0 {
				from := time.Duration(idx) * b.o.Window
				where = fmt.Sprintf("in the window %s–%s", from, from+b.o.Window)
			}
			g.lost(fmt.Sprintf("aborted on burn: [%s] %s cannot be met: %d failures %s, more than its error budget allows (%.1f of about %.0f planned requests)",
				r.Target, b.o.Name, b.failed[idx], where, allowed, limit))
			return
		}
	}
}

// window is the burn window of length d ending at sentUS: the failures
// counted in it, over the requests the plan sends in it.
func (g *burnGuard) window(bt *burnTarget, sentUS int64, d time.Duration) report.BurnWindow {
	w := bt.fails.Window(sentUS, d)
	w.Issued = g.plan.between(w.FromUS, w.ToUS) * g.share
	return w
}

func (g *burnGuard) lost(why string) {
	if g.reached.Swap(true) {
		return
	}
	g.why = why
	g.stop()
}

func (g *burnGuard) reason() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.why
}

// plannedCurve is the plan's open-loop requests sent from the run's start,
// warmup left out as the report leaves it out: the integral of each
// stage's rate, sampled at points a fixed step apart (at most 16,384 of
// them, at least 10 ms apart) so a window's count costs two lookups however
// long the window.
type plannedCurve struct {
	stepUS   int64
	cum      []float64     // cum[i]: planned requests in [0, i·step)
	measured time.Duration // the measured (non-warmup) stages' length
}

func newPlannedCurve(stages []runner.Stage) plannedCurve {
	var total time.Duration
	var c plannedCurve
	for _, st := range stages {
		total += st.Duration
		if !st.Warmup {
			c.measured += st.Duration
		}
	}
	c.stepUS = max(total.Microseconds()/16384, 10_000)
	n := total.Microseconds()/c.stepUS + 1
	c.cum = make([]float64, n+1)
	// rate is the plan's rate at us from the run's start (0 in warmup and
	// closed-loop stages).
	si, off := 0, int64(0)
	rate := func(us int64) float64 {
		for si < len(stages) && us >= off+stages[si].Duration.Microseconds() {
			off += stages[si].Duration.Microseconds()
			si++
		}
		if si >= len(stages) || !stages[si].Open() || stages[si].Warmup {
			return 0
		}
		return stages[si].Pacer.Rate(time.Duration(us-off) * time.Microsecond)
	}
	const piece = 10_000 // µs: the midpoint rule in 10 ms pieces
	for i := range n {
		acc := 0.0
		for u := i * c.stepUS; u < (i+1)*c.stepUS; u += piece {
			dt := min(piece, (i+1)*c.stepUS-u)
			acc += rate(u+dt/2) * float64(dt) / 1e6
		}
		c.cum[i+1] = c.cum[i] + acc
	}
	return c
}

// at is the planned requests in [0, us), interpolated between samples.
func (c plannedCurve) at(us int64) float64 {
	if us <= 0 || len(c.cum) == 0 {
		return 0
	}
	i := us / c.stepUS
	if i >= int64(len(c.cum)-1) {
		return c.cum[len(c.cum)-1]
	}
	f := float64(us-i*c.stepUS) / float64(c.stepUS)
	return c.cum[i] + f*(c.cum[i+1]-c.cum[i])
}

// between is the planned requests in [from, to).
func (c plannedCurve) between(from, to int64) float64 {
	return max(c.at(to)-c.at(from), 0)
}
