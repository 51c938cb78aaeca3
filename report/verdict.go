package report

import (
	"fmt"
	"math"

	"github.com/seedbench/seedbench/scenarios"
)

// verdict judges every objective on every target it applies to.
func verdict(s *Summary, objs []scenarios.Objective) Verdict {
	v := Verdict{Pass: true, Checks: []Check{}}
	for _, t := range s.Targets {
		for _, o := range objectivesFor(objs, t.Name) {
			c := judge(o, t.All, s.all[t.Name], loadOf(s.Load, t.Name))
			if o.Source == "default" && c.Measured == nil {
				continue // a default that does not apply (closed loop, an old file)
			}
			c.Target = t.Name
			v.Checks = append(v.Checks, c)
			v.Pass = v.Pass && c.Pass
			if c.Status == StatusInconclusive {
				v.Inconclusive++
			}
		}
	}
	// An objective naming a target that sent nothing must not pass silently.
	for _, o := range objs {
		if o.Target == "" {
			continue
		}
		found := false
		for _, t := range s.Targets {
			found = found || t.Name == o.Target
		}
		if !found {
			v.Checks = append(v.Checks, Check{Target: o.Target, Objective: o.Key(), Op: objectiveOp(o), Limit: limitIn(o), Unit: unitOf(o),
				Basis: "no requests for this target in the results", Source: o.Source, Text: objectiveText(o), Status: StatusFail})
			v.Pass = false
		}
	}
	return v
}

func unitOf(o scenarios.Objective) string {
	switch {
	case o.IsLatency():
		return "ms"
	case o.Metric == "goodput":
		return "req/s"
	}
	return "ratio"
}

func limitIn(o scenarios.Objective) float64 {
	if o.IsLatency() {
		return round3(float64(o.Threshold.Microseconds()) / 1000)
	}
	return o.Bound()
}

// judge evaluates one objective on a group.
func judge(o scenarios.Objective, g Group, a *acc, load []Delivered) Check {
	c := Check{Objective: o.Key(), Op: objectiveOp(o), Limit: limitIn(o), Unit: unitOf(o), Source: o.Source, Text: objectiveText(o)}
	var measured float64
	have := true
	switch m, latency := latencyMetric(o); {
	case latency:
		d := g.Latency[m.String()]
		if d.Count == 0 {
			have = false
			c.Basis = fmt.Sprintf("no successful request had a %s (%d issued)", m.Title(), g.Issued)
			break
		}
		// Reported percentiles are precomputed; others come from the histogram.
		switch {
		case o.IsMean():
			measured = d.Mean
		case o.IsMax():
			measured = d.Max
		default:
			measured = d.Percentile(o.Percentile())
			if math.IsNaN(measured) && a != nil {
				measured = usToMS(a.hist[m].ValueAtPercentile(o.Percentile()))
			}
		}
		c.Basis = fmt.Sprintf("%d successful of %d issued requests", g.OK, g.Issued)
		if m == Lag {
			c.Basis = fmt.Sprintf("%d issued requests", g.Issued)
		}
		if m == ITL {
			c.Basis = fmt.Sprintf("%d gaps between tokens of %d successful requests", d.Count, g.OK)
		}
	case o.Metric == "availability":
		if g.Issued == 0 {
			have = false
			c.Basis = "no request was issued"
			break
		}
		measured = g.Availability
		c.Basis = fmt.Sprintf("%d successful of %d issued; %d dropped, not sent", g.OK, g.Issued, g.Dropped)
		c.BudgetLeft = budgetLeft(1-measured, o.ErrorBudget())
	case o.Metric == "error_rate":
		if g.Issued == 0 {
			have = false
			c.Basis = "no request was issued"
			break
		}
		measured = g.ErrorRate
		c.Basis = fmt.Sprintf("%d failed of %d issued", g.Failed, g.Issued)
		c.BudgetLeft = budgetLeft(measured, o.ErrorBudget())
	case o.Metric == "goodput":
		measured = g.Goodput
		c.Basis = fmt.Sprintf("%d good of %d successful requests", g.GoodRequests, g.OK)
	case o.Metric == "dropped":
		planned := g.Issued + g.Dropped
		if planned == 0 {
			have = false
			c.Basis = "nothing was planned"
			break
		}
		measured = ratio(g.Dropped, planned)
		c.Basis = fmt.Sprintf("%d dropped of %d planned", g.Dropped, planned)
	case o.Metric == "achieved_rate":
		// Over the load window of every open-loop stage: sent inside it ÷
		// what the plan asked inside it. Older files without stages in
		// their header fall back to the send span.
		var sent, asked, secs float64
		for _, d := range load {
			if d.TargetRate > 0 {
				sent += d.Achieved * d.Seconds
				asked += d.TargetRate * d.Seconds
				secs += d.Seconds
			}
		}
		switch {
		case asked > 0:
			measured = round6(sent / asked)
			c.Basis = fmt.Sprintf("%s req/s achieved of %s req/s asked over the load window", fmtRate(sent/secs), fmtRate(asked/secs))
		case secs == 0 && g.TargetRate > 0:
			measured = round6(g.Achieved / g.TargetRate)
			c.Basis = fmt.Sprintf("%s req/s achieved of %s req/s asked", fmtRate(g.Achieved), fmtRate(g.TargetRate))
		default:
			have = false
			c.Basis = "no target rate (closed-loop stages)"
		}
	}
	c.Status = StatusFail
	if !have || math.IsNaN(measured) {
		return c
	}
	c.Measured = &measured
	switch c.Op {
	case "<=":
		c.Pass = measured <= c.Limit
	default:
		c.Pass = measured >= c.Limit
	}
	if c.Pass {
		c.Status = StatusPass
	}
	// Sample size: a percentile of too few values, or a share whose 95 %
	// interval holds the limit, cannot pass; it is inconclusive. (It can
	// still fail: a p99 over the limit on 4 values is over the limit.)
	switch m, latency := latencyMetric(o); {
	case latency:
		d := g.Latency[m.String()]
		c.N = d.Count
		if need := minSamples(o.Percentile()); d.Count < need && c.Pass {
			c.Pass, c.Status = false, StatusInconclusive
			c.Basis += fmt.Sprintf("; n too small: %s needs at least %d values", o.Stat, need)
		}
	case o.Metric == "availability" || o.Metric == "error_rate":
		k := g.OK
		if o.Metric == "error_rate" {
			k = g.Failed
		}
		lo, hi := wilson(k, g.Issued)
		c.N = g.Issued
		c.Interval = &[2]float64{round6(lo), round6(hi)}
		if lo < c.Limit && c.Limit < hi {
			c.Pass, c.Status = false, StatusInconclusive
			c.Basis += fmt.Sprintf("; 95%% interval %s..%s holds the objective: too few requests to tell", fmtPct(lo), fmtPct(hi))
		}
	}
	return c
}

// budgetLeft is the share of an error budget not yet spent:
// 1 − spent/budget. A 100% objective has no budget to speak of: nil.
func budgetLeft(spent, budget float64) *float64 {
	if budget <= 0 {
		return nil
	}
	left := round6(1 - spent/budget)
	return &left
}

// loadOf is the load delivered to one target, stage by stage.
func loadOf(all []Delivered, target string) []Delivered {
	var out []Delivered
	for _, d := range all {
		if d.Target == target {
			out = append(out, d)
		}
	}
	return out
}
