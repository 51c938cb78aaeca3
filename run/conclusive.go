package run

import (
	"fmt"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/scenarios"
)

// plannedPerTarget is how many measured requests the plan sends each
// target: open-loop stages' counts (warmup left out; a session counted by
// its turns) shared among the targets, which take the plan's requests in
// turn. closed says a closed-loop stage adds requests that depend on the
// server's speed and are not counted.
func plannedPerTarget(plan *scenarios.Plan, targets int) (n int64, closed bool) {
	var before int64 // sessions (or requests) of the stages before
	for i, st := range plan.Stages {
		c, _ := plan.Planned(i)
		if c < 0 {
			closed = true
			continue
		}
		if !st.Warmup {
			if plan.Sessions == nil {
				n += c
			} else {
				for s := before; s < before+c; s++ {
					n += int64(plan.Sessions.Turns(s))
				}
			}
		}
		before += c
	}
	return n / int64(max(targets, 1)), closed
}

// tooSmall lists the objectives (the scenario's, with flags merged over
// them) that the plan is too small to judge: on fewer requests per target
// than report.SamplesNeeded, such an objective can only come out
// inconclusive, even when every request succeeds. Nothing is said for a
// plan with closed-loop stages, whose count is not known in advance.
func tooSmall(sc *scenarios.Scenario, plan *scenarios.Plan, flags []scenarios.Objective) []string {
	per, closed := plannedPerTarget(plan, len(sc.Targets))
	if closed {
		return nil
	}
	slo := sc.SLO.Merge(flags)
	var out []string
	for _, t := range sc.Targets {
		for _, o := range slo.For(t.Name) {
			if need := report.SamplesNeeded(o); per < need {
				out = append(out, fmt.Sprintf("%s: %s needs at least %d requests to be conclusive and the plan sends %d: it can only be inconclusive (lengthen the run or raise the rate)",
					t.Name, o.String(), need, per))
			}
		}
	}
	return out
}
