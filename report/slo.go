package report

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ObjectiveKind says what an objective constrains.
type ObjectiveKind int

const (
	// LatencyObjective: a percentile of a latency metric at most Limit µs.
	LatencyObjective ObjectiveKind = iota
	// AvailabilityObjective: successful / issued at least Limit (0..1).
	AvailabilityObjective
	// ErrorRateObjective: failed / issued at most Limit (0..1).
	ErrorRateObjective
	// GoodputObjective: goodput at least Limit requests per second.
	GoodputObjective
)

// Objective is one service-level objective, e.g. ttft_p99 ≤ 2s.
type Objective struct {
	Key        string // canonical: "ttft_p99", "availability", "error_rate", "goodput"
	Kind       ObjectiveKind
	Metric     Metric  // latency objectives
	Percentile float64 // latency objectives: 50, 99, 99.9 …; 100 for max
	Mean       bool    // latency objectives on the mean ("ttft_mean")
	Limit      float64 // µs for latency, a fraction for availability and error rate, req/s for goodput
	Target     string  // "" applies to every target
	Source     string  // "scenario" or "flag"
}

// String writes the objective the way a user would: "ttft_p99 <= 2s".
func (o Objective) String() string {
	return o.Key + " " + o.op() + " " + o.limitText()
}

func (o Objective) op() string {
	if o.Kind == LatencyObjective || o.Kind == ErrorRateObjective {
		return "<="
	}
	return ">="
}

func (o Objective) limitText() string {
	switch o.Kind {
	case LatencyObjective:
		return time.Duration(o.Limit * 1000).String()
	case GoodputObjective:
		return strconv.FormatFloat(o.Limit, 'f', -1, 64) + "/s"
	}
	return fmtPercent(o.Limit)
}

// fmtPercent writes a fraction as a percentage without noise: 0.999 → "99.9%".
func fmtPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e4, 'f', -1, 64) + "%"
}

// ParseObjective reads one objective: key "ttft_p99", "tpot_p95",
// "e2e_p99.9" (or "e2e_p999"), "availability", "error_rate" or "goodput";
// value "2s"/"50ms", "99.9%"/"0.999", or "10/s".
func ParseObjective(key, value string) (Objective, error) {
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	o := Objective{Key: key}
	switch key {
	case "availability", "error_rate":
		f, err := parseRatio(value)
		if err != nil {
			return o, fmt.Errorf("slo %s: %v", key, err)
		}
		o.Kind, o.Limit = AvailabilityObjective, f
		if key == "error_rate" {
			o.Kind = ErrorRateObjective
		}
		return o, nil
	case "goodput":
		num, _ := strings.CutSuffix(value, "/s")
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return o, fmt.Errorf("slo goodput: %q is not a rate (try \"10/s\")", value)
		}
		o.Kind, o.Limit = GoodputObjective, f
		return o, nil
	}
	var name, stat string
	if i := strings.LastIndex(key, "_"); i >= 0 {
		name, stat = key[:i], key[i+1:]
	}
	m, known := ParseMetric(name)
	if !known {
		return o, fmt.Errorf("slo %q: unknown objective (try ttft_p99, tpot_p95, e2e_p99, ttft_mean, e2e_max, availability, error_rate, goodput; latency metrics: %s)",
			key, strings.Join(metricNames[:], ", "))
	}
	var p float64
	switch stat {
	case "mean":
		o.Mean = true
	case "max":
		p = 100
	default:
		pct, ok := strings.CutPrefix(stat, "p")
		var err error
		if p, err = parsePercentileName(pct); err != nil || !ok {
			return o, fmt.Errorf("slo %q: %q is not a statistic (try p50, p99, p99.9, mean or max)", key, stat)
		}
	}
	d, err := time.ParseDuration(value)
	if err != nil || d <= 0 {
		return o, fmt.Errorf("slo %s: %q is not a positive duration (try \"2s\" or \"50ms\")", key, value)
	}
	o.Kind, o.Metric, o.Percentile, o.Limit = LatencyObjective, m, p, float64(d.Microseconds())
	switch {
	case o.Mean:
		o.Key = m.String() + "_mean"
	case p == 100:
		o.Key = m.String() + "_max"
	default:
		o.Key = m.String() + "_p" + percentileName(p)
	}
	return o, nil
}

// parsePercentileName reads "99" → 99, "99.9" or "999" → 99.9, "50" → 50.
func parsePercentileName(s string) (float64, error) {
	if s == "" || strings.ContainsAny(s, "+-eE") {
		return 0, fmt.Errorf("%q is not a percentile between 0 and 100 (try p50, p99, p999)", "p"+s)
	}
	if !strings.Contains(s, ".") && len(s) > 2 {
		if !strings.HasPrefix(s, "99") { // p999 is 99.9; p100 or p500 are nothing
			return 0, fmt.Errorf("%q is not a percentile between 0 and 100 (try p50, p99, p999)", "p"+s)
		}
		s = s[:2] + "." + s[2:]
	}
	p, err := strconv.ParseFloat(s, 64)
	if err != nil || p <= 0 || p >= 100 {
		return 0, fmt.Errorf("%q is not a percentile between 0 and 100 (try p50, p99, p999)", "p"+s)
	}
	return p, nil
}

// percentileName writes 99.9 as "999" and 99 as "99", the spelling of keys.
func percentileName(p float64) string {
	return strings.Replace(strconv.FormatFloat(p, 'f', -1, 64), ".", "", 1)
}

func parseRatio(s string) (float64, error) {
	t, pct := strings.CutSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a fraction (try \"99.9%%\" or \"0.999\")", s)
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("%q is outside 0%%..100%%", s)
	}
	return v, nil
}

// ParseSLOFlag reads "ttft_p99=2s,availability=99.9%" (the --slo flag).
func ParseSLOFlag(s string) ([]Objective, error) {
	var out []Objective
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("slo %q: want KEY=VALUE, e.g. ttft_p99=2s", part)
		}
		o, err := ParseObjective(k, v)
		if err != nil {
			return nil, err
		}
		o.Source = "flag"
		out = append(out, o)
	}
	return out, nil
}

// ScenarioObjectives reads the slo blocks of a resolved scenario (the
// results header's resolved_scenario): a top-level "slo" applying to every
// target and a "slo" inside a target applying to it alone. Values may be
// strings ("2s", "99.9%") or, as a typed scenario might marshal them,
// numbers (durations in nanoseconds, ratios as fractions).
func ScenarioObjectives(resolved json.RawMessage) ([]Objective, error) {
	if len(resolved) == 0 {
		return nil, nil
	}
	var sc struct {
		SLO     json.RawMessage `json:"slo"`
		Targets []struct {
			Name string          `json:"name"`
			SLO  json.RawMessage `json:"slo"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(resolved, &sc); err != nil {
		return nil, fmt.Errorf("resolved scenario: %v", err)
	}
	out, err := sloBlock(sc.SLO, "")
	if err != nil {
		return nil, err
	}
	for _, t := range sc.Targets {
		os, err := sloBlock(t.SLO, t.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, os...)
	}
	return out, nil
}

// sloBlock reads one slo mapping. A "targets" key inside it maps target
// names to their own objectives (the scenarios package writes it so).
func sloBlock(raw json.RawMessage, target string) ([]Objective, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("resolved scenario: slo: %v", err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Objective
	for _, k := range keys {
		if k == "targets" && target == "" {
			var per map[string]json.RawMessage
			b, _ := json.Marshal(m[k])
			if err := json.Unmarshal(b, &per); err != nil {
				return nil, fmt.Errorf("resolved scenario: slo.targets: want a mapping from target name to objectives")
			}
			names := make([]string, 0, len(per))
			for n := range per {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				os, err := sloBlock(per[n], n)
				if err != nil {
					return nil, err
				}
				out = append(out, os...)
			}
			continue
		}
		var v string
		switch x := m[k].(type) {
		case nil:
			continue
		case string:
			v = x
		case float64:
			switch {
			case k == "availability" || k == "error_rate":
				v = strconv.FormatFloat(x, 'g', -1, 64)
			case k == "goodput":
				v = strconv.FormatFloat(x, 'g', -1, 64) + "/s"
			default:
				v = time.Duration(x).String()
			}
		default:
			return nil, fmt.Errorf("resolved scenario: slo.%s: %v is neither a string nor a number", k, x)
		}
		o, err := ParseObjective(k, v)
		if err != nil {
			return nil, fmt.Errorf("resolved scenario: %v", err)
		}
		o.Target, o.Source = target, "scenario"
		out = append(out, o)
	}
	return out, nil
}

// mergeObjectives lays overrides (flags) over base (the scenario): an
// override replaces every base objective with the same key, for every
// target.
func mergeObjectives(base, overrides []Objective) []Objective {
	var out []Objective
	for _, b := range base {
		if !slices.ContainsFunc(overrides, func(o Objective) bool { return o.Key == b.Key }) {
			out = append(out, b)
		}
	}
	return append(out, overrides...)
}

// objectivesFor returns the objectives that apply to target, a target's own
// replacing a global one of the same key.
func objectivesFor(all []Objective, target string) []Objective {
	var out []Objective
	for _, o := range all {
		if o.Target == "" && slices.ContainsFunc(all, func(x Objective) bool { return x.Target == target && x.Key == o.Key }) {
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
func requestLimits(objs []Objective) [numMetrics]int64 {
	var lim [numMetrics]int64
	var pct [numMetrics]float64
	for _, o := range objs {
		if o.Kind != LatencyObjective || o.Mean || !slices.Contains(goodputMetrics, o.Metric) {
			continue
		}
		if o.Percentile > pct[o.Metric] {
			pct[o.Metric] = o.Percentile
			lim[o.Metric] = int64(o.Limit)
		}
	}
	return lim
}
