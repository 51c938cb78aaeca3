package report

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/seedbench/seedbench/scenarios"
)

// The objective vocabulary is the scenarios package's (scenarios.Objective,
// scenarios.ParseObjective): the scenario file, --slo and the report read
// objectives the same way. This file says how the report measures them.

// objectiveText writes an objective the way the report shows it:
// "ttft_p99 <= 2s", "availability >= 99.9%".
func objectiveText(o scenarios.Objective) string {
	return o.Key() + " " + objectiveOp(o) + " " + limitText(o)
}

func objectiveOp(o scenarios.Objective) string {
	if o.AtLeast() {
		return ">="
	}
	return "<="
}

func limitText(o scenarios.Objective) string {
	switch {
	case o.IsLatency():
		return o.Threshold.String()
	case o.Metric == "goodput":
		return strconv.FormatFloat(o.Rate, 'f', -1, 64) + "/s"
	}
	return fmtPercent(o.Ratio)
}

// latencyMetric is the report's metric of a latency objective.
func latencyMetric(o scenarios.Objective) (Metric, bool) {
	if !o.IsLatency() {
		return 0, false
	}
	return ParseMetric(o.Metric)
}

// fmtPercent writes a fraction as a percentage without noise: 0.999 → "99.9%".
func fmtPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e4, 'f', -1, 64) + "%"
}

// ScenarioObjectives reads the objectives of a resolved scenario (the
// results header's resolved_scenario) as the scenarios package wrote them:
// a top-level "slo" (with its "targets" map) and, in older files, a "slo"
// inside a target applying to it alone. It parses the objectives and
// nothing else: an old run's scenario is never validated again.
func ScenarioObjectives(resolved json.RawMessage) ([]scenarios.Objective, error) {
	if len(resolved) == 0 {
		return nil, nil
	}
	var sc struct {
		SLO     scenarios.SLO `json:"slo"`
		Targets []struct {
			Name string        `json:"name"`
			SLO  scenarios.SLO `json:"slo"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(resolved, &sc); err != nil {
		return nil, fmt.Errorf("resolved scenario: %v", err)
	}
	out := sc.SLO.Objectives
	for _, t := range sc.Targets {
		for _, o := range t.SLO.Objectives {
			if o.Target == "" {
				o.Target = t.Name
			}
			out = append(out, o)
		}
	}
	for i := range out {
		out[i].Source = "scenario"
	}
	return out, nil
}

// resolveObjectives lays the --slo objectives over the scenario's (see
// scenarios.SLO.Merge: same key replaces, on every target) and adds the
// default load-delivered objectives whose keys neither names.
func resolveObjectives(base, overrides []scenarios.Objective) []scenarios.Objective {
	flags := make([]scenarios.Objective, len(overrides))
	for i, o := range overrides {
		if o.Source == "" {
			o.Source = "flag"
		}
		flags[i] = o
	}
	objs := scenarios.SLO{Objectives: base}.Merge(flags).Objectives
	for _, d := range scenarios.DefaultObjectives() {
		if !slices.ContainsFunc(objs, func(o scenarios.Objective) bool { return o.Key() == d.Key() }) {
			objs = append(objs, d)
		}
	}
	return objs
}

// objectivesFor returns the objectives that apply to target, a target's own
// replacing a global one of the same key.
func objectivesFor(all []scenarios.Objective, target string) []scenarios.Objective {
	var out []scenarios.Objective
	for _, o := range all {
		if o.Target == "" && slices.ContainsFunc(all, func(x scenarios.Objective) bool { return x.Target == target && x.Key() == o.Key() }) {
			continue
		}
		if o.Target == "" || o.Target == target {
			out = append(out, o)
		}
	}
	return out
}

// goodputMetrics are the metrics whose objectives every request must meet to
// count toward goodput. ITL is a per-gap figure and schedule lag the
// generator's, not the endpoint's, so neither judges a single request.
var goodputMetrics = []Metric{TTFB, TTFT, TTFAT, TPOT, E2E, Corrected}

// requestLimits turns a target's latency objectives into per-request limits
// (µs, 0 = none) for goodput: for each metric, the limit of its
// highest-percentile objective — "ttft_p99: 2s" means a request slower than
// 2 s is not good; a p50 objective says nothing about one request.
func requestLimits(objs []scenarios.Objective) [numMetrics]int64 {
	var lim [numMetrics]int64
	var pct [numMetrics]float64
	for _, o := range objs {
		m, ok := latencyMetric(o)
		if !ok || o.IsMean() || !slices.Contains(goodputMetrics, m) {
			continue
		}
		if p := o.Percentile(); p > pct[m] {
			pct[m] = p
			lim[m] = o.Threshold.Microseconds()
		}
	}
	return lim
}
