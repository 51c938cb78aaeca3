package capacity

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/run"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// RunProber runs every probe as a normal benchmark through the run
// package: the scenario cut down to the one target, its load replaced by
// one stage at the probe's level, into a run directory of its own (with its
// results.jsonl and report, so every probe re-reports).
type RunProber struct {
	// Scenario is the opened scenario; it is never modified.
	Scenario *scenarios.Scenario
	// Dir holds one directory per probe.
	Dir string
	// Base are the run options every probe starts from (keys, timeouts,
	// trust limits, pricing); Scenario, OutDir and OnResult are set per
	// probe.
	Base run.Options

	mu sync.Mutex
	n  int
}

// Probe runs one probe and reads its figures back from the report.
func (p *RunProber) Probe(ctx context.Context, s Spec) (Outcome, error) {
	sc, err := probeScenario(p.Scenario, s)
	if err != nil {
		return Outcome{}, err
	}
	p.mu.Lock()
	p.n++
	dir := filepath.Join(p.Dir, "probes", fmt.Sprintf("%02d-%s-%s", p.n, safeName(s.Target), safeName(strings.ReplaceAll(LevelText(s.Mode, s.Level), "/s", "rps"))))
	p.mu.Unlock()

	o := p.Base
	o.Scenario, o.OutDir = sc, dir
	if o.Label == "" {
		o.Label = p.Scenario.Name
	}
	trend := &trendAcc{}
	base := o.OnResult
	o.OnResult = func(r *runner.Result) {
		trend.add(r)
		if base != nil {
			base(r)
		}
	}
	out, err := run.Execute(ctx, ctx, o)
	if err != nil {
		return Outcome{Dir: dir}, err
	}
	oc := outcomeOf(out, s, sc)
	oc.Dir = dir
	oc.TTFTTrend = trend.ratio()
	return oc, nil
}

// probeScenario is sc with only s.Target, its objectives made global, and
// one stage at s.Level after s.Warmup.
func probeScenario(sc *scenarios.Scenario, s Spec) (*scenarios.Scenario, error) {
	i := slices.IndexFunc(sc.Targets, func(t scenarios.Target) bool { return t.Name == s.Target })
	if i < 0 {
		return nil, fmt.Errorf("no target %q in scenario %s", s.Target, sc.Name)
	}
	c := *sc
	c.Targets = []scenarios.Target{sc.Targets[i]}
	objs := sc.SLO.For(s.Target)
	c.SLO = scenarios.SLO{Objectives: make([]scenarios.Objective, len(objs))}
	for j, ob := range objs {
		ob.Target = ""
		c.SLO.Objectives[j] = ob
	}
	c.Load = sc.Load
	c.Load.MaxRequests = 0
	c.Load.Warmup = scenarios.Duration{}
	if s.Warmup > 0 {
		c.Load.Warmup = scenarios.DurationOf(s.Warmup)
	}
	st := scenarios.Stage{Name: "probe", Duration: scenarios.DurationOf(s.Duration)}
	switch s.Mode {
	case ByConcurrency:
		st.Kind, st.Users = scenarios.KindConcurrency, int(math.Round(s.Level))
	default:
		// Poisson arrivals unless the scenario paces evenly.
		st.Kind = scenarios.KindPoisson
		for _, x := range sc.Load.Stages {
			if x.Kind == scenarios.KindConstant {
				st.Kind = scenarios.KindConstant
				break
			}
		}
		// Written per second whatever the level (RateOf would say 30/m
		// for 0.5/s); a level that is no rate is kept with its error,
		// which the probe's Check reports.
		st.Rate, _ = scenarios.NewRate(strconv.FormatFloat(s.Level, 'f', -1, 64) + "/s")
	}
	c.Load.Stages = []scenarios.Stage{st}
	return &c, nil
}

// outcomeOf reads a probe's figures from its report: the one target's
// group, its SLO checks judged with the sample-size rule (a percentile
// needs 1/(1 − q) successes: 100 for a p99), and the load-delivered
// checks (dropped ≤ 0.1 %, achieved ≥ 95 % of the offered rate).
func outcomeOf(out run.Outcome, s Spec, sc *scenarios.Scenario) Outcome {
	o := Outcome{}
	if s.Mode == ByRate {
		o.Offered = s.Level
	}
	sum := out.Summary
	if sum == nil || len(sum.Targets) == 0 {
		o.Untrusted = "the probe wrote no report"
		if out.Reason != "" {
			o.Untrusted = out.Reason
		}
		return o
	}
	t := sum.Targets[0]
	g := t.All
	o.Achieved, o.Issued, o.OK, o.Good, o.Dropped = g.Achieved, g.Issued, g.OK, g.GoodRequests, g.Dropped
	for class, n := range g.ErrorClasses {
		if runner.Throttled(class) {
			o.Throttle += n
		}
		switch class {
		case runner.ClassQuotaRPM:
			o.QuotaRPM += n
		case runner.ClassQuotaTPM:
			o.QuotaTPM += n
		}
	}
	lat := func(m string, pick func(report.Dist) float64) float64 {
		d, ok := g.Latency[m]
		if !ok || d.Count == 0 {
			return 0
		}
		return pick(d)
	}
	o.TTFTP50 = lat("ttft", func(d report.Dist) float64 { return d.P50 })
	o.TTFTP99 = lat("ttft", func(d report.Dist) float64 { return d.P99 })
	o.TPOTP95 = lat("tpot", func(d report.Dist) float64 { return d.P95 })
	o.E2EP99 = lat("e2e", func(d report.Dist) float64 { return d.P99 })
	o.Throughput, o.TokensOut, o.CachedShare = g.Throughput, g.OutputTokensRate, g.Tokens.CachedShare
	if c := t.Cost; c != nil {
		o.Spend, o.Per1K, o.Currency = c.Total, c.Per1K, c.Currency
	}
	if out.Stats.Trust.Untrustworthy {
		o.Untrusted = out.Stats.Trust.Reason
	}

	objs := sc.SLO.For(t.Name)
	judged := map[string]bool{}
	for _, c := range sum.SLO.Checks {
		judged[c.Objective] = true
		ck := Check{Objective: c.Objective, Op: c.Op, Limit: c.Limit, Unit: c.Unit, Verdict: Fail}
		if c.Measured != nil {
			ck.Measured = *c.Measured
			// The report's "inconclusive" is a check that met its limit on
			// too few samples; the search applies its own sample-size rule
			// to latency below and extends probes, so it counts as met here.
			if c.Pass || c.Status == report.StatusInconclusive {
				ck.Verdict = Pass
			}
		} else {
			ck.Verdict = Inconclusive
		}
		if i := slices.IndexFunc(objs, func(ob scenarios.Objective) bool { return ob.Name == c.Objective }); i >= 0 && objs[i].IsLatency() {
			if q := objs[i].Quantile; q > 0 && q < 1 && float64(g.OK) < math.Round(1/(1-q)) {
				ck.Verdict = Inconclusive
			}
		}
		o.Checks = append(o.Checks, ck)
	}
	// The load-delivered checks, unless the scenario judged them itself.
	if g.Requests > 0 && !judged["dropped"] {
		share := float64(g.Dropped) / float64(g.Requests)
		ck := Check{Objective: "dropped", Op: "<=", Limit: 0.001, Measured: share, Unit: "ratio", Verdict: Pass}
		if share > 0.001 {
			ck.Verdict = Fail
		}
		o.Checks = append(o.Checks, ck)
	}
	if o.Offered > 0 && !judged["achieved_rate"] {
		share := o.Achieved / o.Offered
		ck := Check{Objective: "achieved_rate", Op: ">=", Limit: 0.95, Measured: share, Unit: "ratio", Verdict: Pass}
		if share < 0.95 {
			ck.Verdict = Fail
		}
		o.Checks = append(o.Checks, ck)
	}
	return o
}

// trendAcc keeps (send offset, TTFT) of the successful measured requests,
// to tell a queue building inside one probe.
type trendAcc struct {
	mu  sync.Mutex
	pts [][2]int64
}

func (t *trendAcc) add(r *runner.Result) {
	if r.Status != runner.StatusOK || r.Warmup || r.TTFTUS <= 0 {
		return
	}
	t.mu.Lock()
	t.pts = append(t.pts, [2]int64{r.SentUS, r.TTFTUS})
	t.mu.Unlock()
}

// ratio is TTFT p50 of the last third (by send time) over the first third;
// 0 with fewer than 30 requests.
func (t *trendAcc) ratio() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.pts)
	if n < 30 {
		return 0
	}
	slices.SortFunc(t.pts, func(a, b [2]int64) int { return int(a[0] - b[0]) })
	median := func(ps [][2]int64) float64 {
		v := make([]int64, len(ps))
		for i, p := range ps {
			v[i] = p[1]
		}
		slices.Sort(v)
		return float64(v[len(v)/2])
	}
	first, last := median(t.pts[:n/3]), median(t.pts[n-n/3:])
	if first <= 0 {
		return 0
	}
	return last / first
}

// safeName keeps a target name usable as a directory name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		case r == '=':
			return '-'
		}
		return '_'
	}, s)
}
