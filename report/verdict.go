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
			c := judge(o, t.All, s.all[t.Name])
			c.Target = t.Name
			v.Checks = append(v.Checks, c)
			v.Pass = v.Pass && c.Pass
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
				Basis: "no requests for this target in the results", Source: o.Source, Text: objectiveText(o)})
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
func judge(o scenarios.Objective, g Group, a *acc) Check {
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
		c.BudgetLeft = budgetLeft(1-measured, 1-o.Ratio)
	case o.Metric == "error_rate":
		if g.Issued == 0 {
			have = false
			c.Basis = "no request was issued"
			break
		}
		measured = g.ErrorRate
		c.Basis = fmt.Sprintf("%d failed of %d issued", g.Failed, g.Issued)
		c.BudgetLeft = budgetLeft(measured, o.Ratio)
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
		if g.TargetRate <= 0 {
			have = false
			c.Basis = "no target rate (closed-loop stages)"
			break
		}
		measured = round6(g.Achieved / g.TargetRate)
		c.Basis = fmt.Sprintf("%s req/s achieved of %s req/s asked", fmtRate(g.Achieved), fmtRate(g.TargetRate))
	}
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
