package report

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/seedbench/seedbench/scenarios"
)

// CompareSchema names the layout of compare.json.
const CompareSchema = "seedbench.compare/v1"

// DefaultMaxRegression is what compare checks when no --max-regression is
// given: median and tail TTFT and TPOT, tail E2E, and availability.
const DefaultMaxRegression = "ttft_p50=10%,ttft_p99=10%,tpot_p50=10%,tpot_p99=10%,e2e_p99=10%,availability=0.5%"

// Threshold is the largest change of one metric that is not a regression:
// relative for latencies, rates and cost ("ttft_p99=10%": at most 10%
// slower), absolute in percentage points for availability and error rate
// ("availability=0.5%": at most 0.5 points lower).
type Threshold struct {
	Key   string  `json:"metric"`
	Limit float64 `json:"limit"` // a fraction: 0.10 for 10%, 0.005 for 0.5 points
}

// ParseThresholds reads "ttft_p99=10%,availability=0.5%".
func ParseThresholds(s string) ([]Threshold, error) {
	var out []Threshold
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok {
			return nil, fmt.Errorf("max-regression %q: want METRIC=PERCENT, e.g. ttft_p99=10%%", part)
		}
		if _, err := compareMetric(k); err != nil {
			return nil, err
		}
		num, pct := strings.CutSuffix(v, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("max-regression %s: %q is not a percentage (try \"10%%\")", k, v)
		}
		if pct {
			f /= 100
		}
		out = append(out, Threshold{Key: k, Limit: f})
	}
	return out, nil
}

// metricKind says how a compared figure behaves.
type metricKind struct {
	latency    bool
	metric     Metric
	percentile float64
	pointsOnly bool // a share: the change is in points, not relative
	higherBad  bool
	unit       string
}

// compareMetric resolves a compare key: any latency percentile
// ("ttft_p99"), availability, error_rate, throughput_rps,
// output_tokens_per_s, goodput_rps or cost_per_1k.
func compareMetric(key string) (metricKind, error) {
	switch key {
	case "availability":
		return metricKind{pointsOnly: true, unit: "ratio"}, nil
	case "error_rate":
		return metricKind{pointsOnly: true, higherBad: true, unit: "ratio"}, nil
	case "throughput_rps", "goodput_rps":
		return metricKind{unit: "req/s"}, nil
	case "output_tokens_per_s":
		return metricKind{unit: "tok/s"}, nil
	case "cost_per_1k":
		return metricKind{higherBad: true, unit: "money"}, nil
	}
	o, err := scenarios.ParseObjective(key, "1s")
	m, latency := latencyMetric(o)
	if err != nil || !latency || o.IsMean() {
		return metricKind{}, fmt.Errorf("max-regression %q: unknown metric (try ttft_p99, tpot_p50, e2e_p99, availability, error_rate, throughput_rps, output_tokens_per_s, cost_per_1k)", key)
	}
	return metricKind{latency: true, metric: m, percentile: o.Percentile(), higherBad: true, unit: "ms"}, nil
}

// CompareOptions configure a comparison.
type CompareOptions struct {
	// Thresholds; nil means DefaultMaxRegression.
	Thresholds []Threshold
	// Replicates of the bootstrap (default 2000) and its seed (default 1):
	// the same inputs always give the same intervals.
	Replicates int
	Seed       uint64
}

// Comparison is the outcome of comparing a current run with a baseline:
// compare.json is this struct.
type Comparison struct {
	Schema     string             `json:"schema"` // CompareSchema
	Baseline   RunRef             `json:"baseline"`
	Current    RunRef             `json:"current"`
	Confidence float64            `json:"confidence"` // of the intervals: 0.95
	Replicates int                `json:"bootstrap_replicates"`
	Seed       uint64             `json:"bootstrap_seed"`
	Thresholds []Threshold        `json:"thresholds"`
	Targets    []TargetComparison `json:"targets"`
	// OnlyIn lists targets found in one run only (not compared).
	OnlyInBaseline []string `json:"only_in_baseline"`
	OnlyInCurrent  []string `json:"only_in_current"`
	Regressions    int      `json:"regressions"`
	Pass           bool     `json:"pass"` // no regression beyond a threshold
	LatencyBasis   string   `json:"latency_basis"`
	// Exchange is the rate money was converted at ("1 USD = 7.2 CNY"),
	// Currency the currency it is in; both absent in the catalog's own.
	Exchange string `json:"exchange,omitempty"`
	Currency string `json:"currency,omitempty"`
}

// RunRef identifies a compared run.
type RunRef struct {
	Scenario string    `json:"scenario"`
	Seed     int64     `json:"seed"`
	Start    time.Time `json:"start"`
	Files    []string  `json:"files"`
}

// TargetComparison is one variant's rows.
type TargetComparison struct {
	Target string  `json:"target"`
	Rows   []Delta `json:"rows"`
}

// Delta is one metric of one target, baseline against current.
type Delta struct {
	Metric   string  `json:"metric"`
	Unit     string  `json:"unit"` // "ms", "ratio", "req/s", "tok/s", "money"
	Baseline float64 `json:"baseline"`
	Current  float64 `json:"current"`
	// Change is current/baseline − 1 for latencies, rates and cost, and
	// current − baseline (points) for availability and error rate.
	Change float64 `json:"change"`
	// CI is the 95% bootstrap interval of Change (nil for figures the plan
	// fixes, such as rates, or without data).
	CILow  *float64 `json:"ci_low"`
	CIHigh *float64 `json:"ci_high"`
	// Significant: the interval excludes zero.
	Significant bool     `json:"significant"`
	HigherIsBad bool     `json:"higher_is_worse"`
	Threshold   *float64 `json:"threshold"`
	// Verdict: "regression" (worse beyond the threshold, significantly),
	// "worse" (significantly worse, within the threshold or none set),
	// "improved", "same" (no significant change; for rates and cost, which
	// have no interval, a change under 2%) or "no data".
	Verdict       string `json:"verdict"`
	BaselineN     int64  `json:"baseline_n"`
	CurrentN      int64  `json:"current_n"`
	Deterministic bool   `json:"-"`
}

// compareRows are the rows every target gets; thresholds on other metrics
// add theirs.
var compareRows = []string{
	"ttft_p50", "ttft_p90", "ttft_p99", "ttfat_p50", "ttfat_p99", "tpot_p50", "tpot_p99", "itl_p50", "itl_p99",
	"e2e_p50", "e2e_p99", "corrected_p99", "availability", "error_rate", "throughput_rps", "output_tokens_per_s", "cost_per_1k",
}

// Compare compares current with baseline, target by target.
func Compare(baseline, current *Summary, opts CompareOptions) (*Comparison, error) {
	th := opts.Thresholds
	if th == nil {
		var err error
		if th, err = ParseThresholds(DefaultMaxRegression); err != nil {
			return nil, err
		}
	}
	reps := opts.Replicates
	if reps <= 0 {
		reps = 2000
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	c := &Comparison{Schema: CompareSchema, Confidence: 0.95, Replicates: reps, Seed: seed, Thresholds: th,
		Baseline: ref(baseline), Current: ref(current), Targets: []TargetComparison{}, OnlyInBaseline: []string{}, OnlyInCurrent: []string{},
		LatencyBasis: LatencyBasis}
	if baseline.Exchange != "" {
		c.Exchange, c.Currency = baseline.Exchange, baseline.Currency
	}
	rows := slices.Clone(compareRows)
	for _, t := range th {
		if !slices.Contains(rows, t.Key) {
			rows = append(rows, t.Key)
		}
	}
	cur := map[string]*TargetSummary{}
	for i := range current.Targets {
		cur[current.Targets[i].Name] = &current.Targets[i]
	}
	for i := range baseline.Targets {
		bt := &baseline.Targets[i]
		ct := cur[bt.Name]
		if ct == nil {
			c.OnlyInBaseline = append(c.OnlyInBaseline, bt.Name)
			continue
		}
		tc := TargetComparison{Target: bt.Name}
		for _, key := range rows {
			d, ok := compareOne(key, baseline, current, bt, ct, reps, seed)
			if !ok {
				continue
			}
			for _, t := range th {
				if t.Key == key {
					lim := t.Limit
					d.Threshold = &lim
				}
			}
			d.Verdict = verdictOf(&d)
			if d.Verdict == "regression" {
				c.Regressions++
			}
			tc.Rows = append(tc.Rows, d)
		}
		c.Targets = append(c.Targets, tc)
	}
	base := map[string]bool{}
	for _, t := range baseline.Targets {
		base[t.Name] = true
	}
	for _, t := range current.Targets {
		if !base[t.Name] {
			c.OnlyInCurrent = append(c.OnlyInCurrent, t.Name)
		}
	}
	sort.Strings(c.OnlyInCurrent)
	c.Pass = c.Regressions == 0
	return c, nil
}

func ref(s *Summary) RunRef {
	return RunRef{Scenario: s.Scenario, Seed: s.Seed, Start: s.Start, Files: s.Files}
}

// rowRNG seeds each row's bootstrap from (seed, target, metric), so a row's
// interval does not depend on which other rows are computed.
func rowRNG(seed uint64, target, key string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(target + "\x00" + key))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

func compareOne(key string, bs, cs *Summary, bt, ct *TargetSummary, reps int, seed uint64) (Delta, bool) {
	k, err := compareMetric(key)
	if err != nil {
		return Delta{}, false
	}
	d := Delta{Metric: key, Unit: k.unit, HigherIsBad: k.higherBad}
	rng := rowRNG(seed, bt.Name, key)
	switch {
	case k.latency:
		ba, ca := bs.all[bt.Name], cs.all[ct.Name]
		if ba == nil || ca == nil {
			return d, false
		}
		bc, cc := newCDF(ba.hist[k.metric]), newCDF(ca.hist[k.metric])
		d.BaselineN, d.CurrentN = bc.n, cc.n
		if bc.n == 0 || cc.n == 0 {
			d.Baseline, d.Current = usToMS(bc.percentile(k.percentile)), usToMS(cc.percentile(k.percentile))
			return d, true
		}
		b0, c0 := float64(bc.percentile(k.percentile)), float64(cc.percentile(k.percentile))
		d.Baseline, d.Current = usToMS(int64(b0)), usToMS(int64(c0))
		d.Change = round6(c0/b0 - 1)
		r := make([]float64, reps)
		for i := range r {
			r[i] = float64(cc.bootstrap(rng, k.percentile))/float64(bc.bootstrap(rng, k.percentile)) - 1
		}
		setCI(&d, r)
	case key == "availability" || key == "error_rate":
		bg, cg := bt.All, ct.All
		d.BaselineN, d.CurrentN = bg.Issued, cg.Issued
		bk, ck := bg.OK, cg.OK
		if key == "error_rate" {
			bk, ck = bg.Failed, cg.Failed
		}
		if bg.Issued == 0 || cg.Issued == 0 {
			return d, true
		}
		d.Baseline, d.Current = round6(ratio(bk, bg.Issued)), round6(ratio(ck, cg.Issued))
		d.Change = round6(d.Current - d.Baseline)
		r := make([]float64, reps)
		for i := range r {
			r[i] = binomialShare(rng, ck, cg.Issued) - binomialShare(rng, bk, bg.Issued)
		}
		setCI(&d, r)
	default:
		var b, c float64
		var ok bool
		switch key {
		case "throughput_rps":
			b, c, ok = bt.All.Throughput, ct.All.Throughput, true
		case "goodput_rps":
			b, c, ok = bt.All.Goodput, ct.All.Goodput, true
		case "output_tokens_per_s":
			b, c, ok = bt.All.OutputTokensRate, ct.All.OutputTokensRate, true
		case "cost_per_1k":
			if bt.Cost != nil && ct.Cost != nil && bt.Cost.BilledRequests > 0 && ct.Cost.BilledRequests > 0 {
				b, c, ok = bt.Cost.Per1K, ct.Cost.Per1K, true
				d.Unit = bt.Cost.Currency
			}
		}
		if !ok {
			return d, false
		}
		d.Baseline, d.Current = b, c
		d.BaselineN, d.CurrentN = bt.All.OK, ct.All.OK
		d.Deterministic = true
		if b > 0 {
			d.Change = round6(c/b - 1)
		}
	}
	return d, true
}

func setCI(d *Delta, reps []float64) {
	lo, hi := interval(reps)
	if math.IsNaN(lo) {
		return
	}
	lo, hi = round6(lo), round6(hi)
	d.CILow, d.CIHigh = &lo, &hi
	d.Significant = lo > 0 || hi < 0
}

// verdictOf judges a row. Latencies and shares need a significant change (the
// interval excludes zero) as well as a change beyond the threshold, so noise
// in a short CI run does not fail the build; figures without sampling error
// (rates the plan fixes, cost) need only the threshold.
func verdictOf(d *Delta) string {
	if d.BaselineN == 0 || d.CurrentN == 0 {
		return "no data"
	}
	worse := d.Change > 0 == d.HigherIsBad && d.Change != 0
	// Rates and cost have no sampling interval; a change of under 2% is
	// called the same unless a threshold says otherwise.
	significant := d.Significant || (d.Deterministic && (math.Abs(d.Change) >= 0.02 || d.Threshold != nil && d.Change != 0))
	if !significant {
		return "same"
	}
	if !worse {
		return "improved"
	}
	if d.Threshold != nil && math.Abs(d.Change) > *d.Threshold {
		return "regression"
	}
	return "worse"
}
