package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// SLO is the scenario's objectives, global and per target:
//
//	slo:
//	  ttft_p99: 2s          # latency: the metric's p99 must be ≤ 2s
//	  tpot_p95: 50ms
//	  e2e_p99: 30s
//	  availability: 99.9%   # at least
//	  error_rate: 0.5%      # at most
//	  goodput: 60/m         # at least, any rate unit
//	  dropped: 0.1%         # load delivered: at most this share of the plan not sent
//	  achieved_rate: 95%    # load delivered: at least this share of the target rate
//	  targets:
//	    pro:
//	      ttft_p99: 4s      # replaces the global ttft_p99 for pro
//
// In JSON it keeps the same shape, values as written, so a results file's
// resolved scenario carries it to the report unchanged.
//
// This is the one objective vocabulary of the project: the scenario file,
// the --slo flag and the report all read objectives with ParseObjective.
type SLO struct {
	Objectives []Objective
}

// Objective is one parsed SLO line.
type Objective struct {
	Name   string // as written: "ttft_p99", "lag_p99"
	Target string // "" applies to every target
	// Metric is a latency metric (ttfb, ttft, ttfat, tpot, itl, e2e,
	// corrected, schedule_lag) or one of availability, error_rate, goodput,
	// dropped, achieved_rate.
	Metric string
	// Stat is the statistic of a latency metric as written: "p99", "p999",
	// "p99.9", "mean" or "max"; Quantile is its quantile (0.99, 0.999; 1
	// for max, 0 for mean). Both are empty for the ratio and rate
	// objectives.
	Stat     string
	Quantile float64
	// Threshold is the latency bound: the statistic must be ≤ Threshold.
	Threshold time.Duration
	// Ratio is the bound of availability and achieved_rate (≥) and of
	// error_rate and dropped (≤), 0..1.
	Ratio float64
	// Rate is the goodput bound (≥), requests per second.
	Rate float64
	Raw  string // the value as written: "2s", "99.9%"
	// Source says where the objective came from: "scenario", "flag",
	// "default" ("" when not said).
	Source string
	// Window, when set, also judges the objective in every window of this
	// length ({max: 2s, window: 5m}; slo_window.go).
	Window time.Duration
}

// Latency metrics an objective may name (see the metric table in DESIGN.md).
// "lag" is short for schedule_lag.
var latencyMetrics = []string{"ttfb", "ttft", "ttfat", "tpot", "itl", "e2e", "corrected", "schedule_lag", "lag"}

// ratioMetrics and the rate metric name objectives without a statistic.
var ratioMetrics = []string{"availability", "error_rate", "dropped", "achieved_rate"}

// IsLatency reports whether the objective bounds a latency statistic.
func (o Objective) IsLatency() bool { return o.Stat != "" }

// AtLeast reports whether the measured value must be at least the bound
// (availability, goodput, achieved_rate) rather than at most (latency,
// error_rate, dropped).
func (o Objective) AtLeast() bool {
	return o.Metric == "availability" || o.Metric == "goodput" || o.Metric == "achieved_rate"
}

// IsMean and IsMax report the two statistics that are not percentiles.
func (o Objective) IsMean() bool { return o.IsLatency() && o.Stat == "mean" }
func (o Objective) IsMax() bool  { return o.IsLatency() && o.Stat == "max" }

// Percentile is the latency statistic as a percentile, 0..100: 99.9 for
// p99.9, 100 for max, 0 for the mean and for objectives without a
// statistic.
func (o Objective) Percentile() float64 {
	if !o.IsLatency() || o.IsMean() {
		return 0
	}
	return math.Round(o.Quantile*1e6) / 1e4
}

// Key is the objective's canonical name, the same however it was spelled:
// "ttft_p999" for ttft_p99.9, "schedule_lag_p99" for lag_p99. Objectives
// with the same Key replace one another.
func (o Objective) Key() string {
	if !o.IsLatency() {
		return o.Metric
	}
	switch {
	case o.IsMean():
		return o.Metric + "_mean"
	case o.IsMax():
		return o.Metric + "_max"
	}
	return o.Metric + "_p" + strings.Replace(strconv.FormatFloat(o.Percentile(), 'f', -1, 64), ".", "", 1)
}

// Bound is the objective's limit in the unit report compares it in:
// seconds for latency, a fraction for ratios, requests/s for goodput.
func (o Objective) Bound() float64 {
	switch {
	case o.IsLatency():
		return o.Threshold.Seconds()
	case o.Metric == "goodput":
		return o.Rate
	}
	return o.Ratio
}

// ErrorBudget is the failure share an availability or error-rate objective
// allows: 0.001 for availability ≥ 99.9 %, 0.01 for error_rate ≤ 1 %; 0
// for every other objective and for one that allows no failure at all. The
// report's budget left and burn rates, the live budget gauge and
// --abort-on-burn all divide by it.
func (o Objective) ErrorBudget() float64 {
	switch o.Metric {
	case "availability":
		return max(1-o.Ratio, 0)
	case "error_rate":
		return max(o.Ratio, 0)
	}
	return 0
}

// Met reports whether a measured value (same unit as Bound) meets the
// objective.
func (o Objective) Met(v float64) bool {
	if o.AtLeast() {
		return v >= o.Bound()
	}
	return v <= o.Bound()
}

// String is "ttft_p99 ≤ 2s", "availability ≥ 99.9%", with "[pro] " in front
// of a per-target objective.
func (o Objective) String() string {
	op := "≤"
	if o.AtLeast() {
		op = "≥"
	}
	s := o.Name + " " + op + " " + o.Raw
	if o.Target != "" {
		s = "[" + o.Target + "] " + s
	}
	return s
}

// For returns the objectives that apply to target: the global ones, with a
// per-target objective of the same key replacing the global one.
func (s SLO) For(target string) []Objective {
	var out []Objective
	for _, o := range s.Objectives {
		if o.Target != "" {
			continue
		}
		if i := slices.IndexFunc(s.Objectives, func(p Objective) bool { return p.Target == target && p.Key() == o.Key() }); i >= 0 {
			o = s.Objectives[i]
		}
		out = append(out, o)
	}
	for _, o := range s.Objectives {
		if o.Target == target && !slices.ContainsFunc(out, func(p Objective) bool { return p.Key() == o.Key() && p.Target == target }) {
			out = append(out, o)
		}
	}
	return out
}

// IsZero reports an empty SLO block.
func (s SLO) IsZero() bool { return len(s.Objectives) == 0 }

// Merge lays overrides over s and returns the result; s is not changed.
// An override replaces every objective of s with the same Key, global and
// per target alike; the objectives of s it does not name stay. This is
// what --slo does to the scenario's objectives.
func (s SLO) Merge(overrides []Objective) SLO {
	var out []Objective
	for _, b := range s.Objectives {
		if !slices.ContainsFunc(overrides, func(o Objective) bool { return o.Key() == b.Key() }) {
			out = append(out, b)
		}
	}
	return SLO{Objectives: append(out, overrides...)}
}

// DefaultObjectives are judged on every run unless the scenario or --slo
// names the same key: the load must have been delivered. At most 0.1 % of
// the planned requests may be dropped, and the achieved rate over the load
// window must be at least 95 % of the target rate (open-loop stages).
func DefaultObjectives() []Objective {
	dropped, _ := ParseObjective("dropped", "0.1%")
	achieved, _ := ParseObjective("achieved_rate", "95%")
	dropped.Source, achieved.Source = "default", "default"
	return []Objective{dropped, achieved}
}

// ParseObjective reads one objective: name "ttft_p99", value "2s".
func ParseObjective(name, value string) (Objective, error) {
	o, err := parseObjectiveName(strings.TrimSpace(name))
	if err != nil {
		return o, err
	}
	o.Raw = strings.TrimSpace(value)
	switch {
	case o.IsLatency():
		o.Threshold, err = ParseDuration(value)
		if err == nil && o.Threshold <= 0 {
			err = fmt.Errorf("%q: a latency bound must be positive", value)
		}
	case o.Metric == "goodput":
		o.Rate, err = ParseRate(value)
	default:
		o.Ratio, err = ParseRatio(value)
	}
	return o, err
}

// ParseObjectives reads a comma-separated list of NAME=VALUE objectives,
// the --slo flag's form: "ttft_p99=2s,availability=99.9%". Errors name the
// item.
func ParseObjectives(list string) ([]Objective, error) {
	var out []Objective
	for _, part := range strings.Split(list, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q: want NAME=VALUE, e.g. ttft_p99=2s", strings.TrimSpace(part))
		}
		o, err := ParseObjective(k, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", strings.TrimSpace(k), err)
		}
		out = append(out, o)
	}
	return out, nil
}

// parseObjectiveName reads the name half: metric and statistic.
func parseObjectiveName(name string) (Objective, error) {
	o := Objective{Name: name}
	if slices.Contains(ratioMetrics, name) || name == "goodput" {
		o.Metric = name
		return o, nil
	}
	i := strings.LastIndex(name, "_")
	if i < 0 || !slices.Contains(latencyMetrics, name[:i]) {
		return o, fmt.Errorf("unknown objective (write METRIC_STAT with METRIC one of %s and STAT like p99, p99.9, mean or max; or availability, error_rate, goodput, dropped, achieved_rate)", strings.Join(latencyMetrics[:len(latencyMetrics)-1], ", "))
	}
	metric, stat := name[:i], name[i+1:]
	q, err := parseStat(stat)
	if err != nil {
		return o, err
	}
	if metric == "lag" {
		metric = "schedule_lag"
	}
	o.Metric, o.Stat, o.Quantile = metric, stat, q
	return o, nil
}

// parseStat reads p50, p99, p999 (= p99.9), p99.9, mean, max.
func parseStat(s string) (float64, error) {
	switch s {
	case "mean":
		return 0, nil
	case "max":
		return 1, nil
	}
	digits, ok := strings.CutPrefix(s, "p")
	if ok && digits != "" && !strings.ContainsAny(digits, "+-eExX_") {
		if !strings.Contains(digits, ".") && len(digits) > 2 {
			if !strings.HasPrefix(digits, "99") {
				return 0, fmt.Errorf("%q is not a statistic (try p50, p95, p99, p99.9, mean or max)", s)
			}
			digits = digits[:2] + "." + digits[2:] // p999 → 99.9
		}
		if v, err := strconv.ParseFloat(digits, 64); err == nil && v > 0 && v < 100 && !math.IsNaN(v) {
			return v / 100, nil
		}
	}
	return 0, fmt.Errorf("%q is not a statistic (try p50, p95, p99, p99.9, mean or max)", s)
}

func (s *SLO) decodeYAML(d *decoder, n ast.Node, path string) {
	if _, isNull := n.(*ast.NullNode); isNull {
		return
	}
	es, ok := d.entries(n, path)
	if !ok {
		d.failAt(n, path, "want a mapping of objectives (like ttft_p99: 2s), got %s", describe(n))
		return
	}
	for _, e := range es {
		p := joinPath(path, e.key)
		d.keyAt[p] = nodePos(e.keyN)
		if e.key == "targets" {
			targets, ok := d.entries(d.resolve(e.value, p), p)
			if !ok {
				d.failAt(e.value, p, "want a mapping from target name to objectives, got %s", describe(e.value))
				continue
			}
			for _, t := range targets {
				tp := joinPath(p, t.key)
				d.keyAt[tp] = nodePos(t.keyN)
				d.at[tp] = nodePos(t.value)
				objs, ok := d.entries(d.resolve(t.value, tp), tp)
				if !ok {
					d.failAt(t.value, tp, "want a mapping of objectives, got %s", describe(t.value))
					continue
				}
				for _, o := range objs {
					s.decodeOne(d, o, joinPath(tp, o.key), t.key)
				}
			}
			continue
		}
		s.decodeOne(d, e, p, "")
	}
}

func (s *SLO) decodeOne(d *decoder, e entry, path, target string) {
	d.keyAt[path] = nodePos(e.keyN)
	if _, err := parseObjectiveName(e.key); err != nil {
		d.failAt(e.keyN, path, "%v", err)
		return
	}
	text, window, ok := decodeObjectiveValue(d, e.key, e.value, path)
	if !ok {
		return
	}
	o, err := ParseObjective(e.key, text)
	if err != nil {
		d.failAt(e.value, path, "%v", err)
		return
	}
	o.Target, o.Window = target, window
	s.Objectives = append(s.Objectives, o)
}

// MarshalJSON writes the YAML shape: {"ttft_p99":"2s","targets":{"pro":{…}}}.
func (s SLO) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	per := map[string]map[string]any{}
	for _, o := range s.Objectives {
		if o.Target == "" {
			m[o.Name] = o.jsonValue()
			continue
		}
		if per[o.Target] == nil {
			per[o.Target] = map[string]any{}
		}
		per[o.Target][o.Name] = o.jsonValue()
	}
	if len(per) > 0 {
		m["targets"] = per
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes, parsing every objective;
// objectives come out sorted by target, then name.
func (s *SLO) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	s.Objectives = nil
	add := func(target, name string, raw json.RawMessage) error {
		o, err := parseJSONObjective(name, raw)
		if err != nil {
			return fmt.Errorf("slo.%s: %v", name, err)
		}
		o.Target = target
		s.Objectives = append(s.Objectives, o)
		return nil
	}
	for _, name := range sortedKeys(m) {
		if name == "targets" {
			var per map[string]map[string]json.RawMessage
			if err := json.Unmarshal(m[name], &per); err != nil {
				return fmt.Errorf("slo.targets: %v", err)
			}
			for _, t := range sortedKeys(per) {
				for _, n := range sortedKeys(per[t]) {
					if err := add(t, n, per[t][n]); err != nil {
						return err
					}
				}
			}
			continue
		}
		if err := add("", name, m[name]); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
