package main

import (
	"context"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// runMetrics exposes the run in progress to Prometheus (--metrics-addr), so
// an SRE can watch a soak in Grafana and alert on its error budget while it
// runs. Three kinds of series:
//
//   - counters and histograms fed by every finished request, labelled
//     target, model, tier and phase ("warmup" or "measured": warmup is
//     exported, labelled, never hidden), with the run and scenario on every
//     series;
//   - the runner's live figures (in flight, planned and achieved rate,
//     dropped, stage) read at scrape time;
//   - the scenario's objectives judged so far (status, measured value, error
//     budget remaining, availability), computed the way the report computes
//     them, so the dashboard and the final verdict do not disagree.
//
// Every series a run will have exists from the first scrape: the label
// combinations are created, at zero, before the first request.
type runMetrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	hists    [len(exportedLatencies)]*prometheus.HistogramVec
	itl      *prometheus.HistogramVec
	lag      *prometheus.HistogramVec
	tokens   *prometheus.CounterVec

	mu      sync.Mutex
	targets map[string]*targetObjectives
	order   []string // target names in scenario order, for a stable exposition
}

// metricsSetup is what the exposition needs to know about a run before it
// starts.
type metricsSetup struct {
	Run, Scenario string
	Targets       []metricsTarget
	Stages        []runner.Stage
}

// metricsTarget is one target: its model, the price tiers its requests can
// fall in (one series each from the start) and the objectives that apply
// to it.
type metricsTarget struct {
	Name, Model string
	Tiers       []string
	Objectives  []scenarios.Objective
}

// exportedLatencies are the per-request latency histograms, named
// seedbench_<metric>_seconds after the report's metric names (ITL, one
// value per gap, is separate).
var exportedLatencies = [...]report.Metric{report.TTFB, report.TTFT, report.TTFAT, report.TPOT, report.E2E, report.Corrected}

// latencyRange is each histogram's fixed bucket span in seconds: token gaps
// are milliseconds, first tokens up to a minute or two, whole answers up to
// many minutes.
func latencyRange(m report.Metric) (lo, hi float64) {
	switch m {
	case report.Lag:
		return 1e-5, 10
	case report.ITL, report.TPOT:
		return 1e-4, 10
	case report.E2E, report.Corrected:
		return 1e-2, 1e3
	}
	return 1e-3, 100
}

// renard10 are the R10 preferred numbers: ten steps a decade, each ×1.26,
// round values (1, 2 and 5 among them) so common thresholds already are
// boundaries. histogram_quantile interpolates inside a bucket, so its error
// is below one step (26 %); an objective's own threshold is always added
// as a boundary, so "is p99 under 2 s" is exact.
var renard10 = []float64{1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8}

// latencyBuckets is the R10 series from lo to hi (powers of ten, hi raised
// to cover the largest threshold) plus every threshold, sorted, duplicates
// removed.
func latencyBuckets(lo, hi float64, thresholds []float64) []float64 {
	var b []float64
	for _, t := range thresholds {
		if t > 0 && !math.IsInf(t, 0) {
			b = append(b, t)
			hi = max(hi, math.Pow(10, math.Ceil(math.Log10(t))))
		}
	}
	for dec := math.Round(math.Log10(lo)); dec < math.Round(math.Log10(hi)); dec++ {
		p := math.Pow(10, dec)
		for _, r := range renard10 {
			b = append(b, roundSig(r*p))
		}
	}
	b = append(b, hi)
	slices.Sort(b)
	return slices.Compact(b)
}

// roundSig drops float noise (0.1*3.15 = 0.31500000000000006) so boundaries
// print as written.
func roundSig(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return f
}

// Native histograms ride along with the classic buckets for a Prometheus that
// scrapes them (protobuf format, native histograms enabled): finer (×1.09),
// merge-friendly, and bounded by resolution reduction, never reset.
const (
	nativeFactor     = 1.1
	nativeMaxBuckets = 160
)

func newRunMetrics(live *runner.Live, setup metricsSetup) *runMetrics {
	thresholds := map[report.Metric][]float64{} // objective thresholds, seconds
	for _, t := range setup.Targets {
		for _, o := range t.Objectives {
			if m, ok := report.ParseMetric(o.Metric); ok && o.IsLatency() {
				thresholds[m] = append(thresholds[m], o.Threshold.Seconds())
			}
		}
	}
	perRequest := []string{"target", "model", "tier", "phase"}
	hist := func(name, help string, m report.Metric) *prometheus.HistogramVec {
		lo, hi := latencyRange(m)
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help,
			Buckets:                     latencyBuckets(lo, hi, thresholds[m]),
			NativeHistogramBucketFactor: nativeFactor, NativeHistogramMaxBucketNumber: nativeMaxBuckets}, perRequest)
	}
	m := &runMetrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seedbench_requests_total",
			Help: "Finished requests by status (ok, error, dropped) and error class."},
			append(slices.Clone(perRequest), "status", "error_class")),
		itl: hist("seedbench_itl_seconds", "Gaps between consecutive token-bearing events of successful requests.", report.ITL),
		lag: hist("seedbench_schedule_lag_seconds", "Schedule lag (sent − planned time) of every sent open-loop request: the generator's own delay.", report.Lag),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seedbench_tokens_total",
			Help: "Tokens by kind (prompt, cached, completion), as the server reported them."},
			append(slices.Clone(perRequest), "kind")),
		targets: map[string]*targetObjectives{},
	}
	for i, lm := range exportedLatencies {
		m.hists[i] = hist("seedbench_"+lm.String()+"_seconds", latencyHelp[lm], lm)
	}
	reg := prometheus.WrapRegistererWith(prometheus.Labels{"run": setup.Run, "scenario": setup.Scenario}, m.reg)
	reg.MustRegister(m.requests, m.itl, m.lag, m.tokens, liveCollector{live: live, stages: setup.Stages, rate: newRateMeter(time.Now())}, objectiveCollector{m})
	for _, h := range m.hists {
		reg.MustRegister(h)
	}
	for _, t := range setup.Targets {
		m.targets[t.Name] = newTargetObjectives(t)
		m.order = append(m.order, t.Name)
		for _, tier := range t.Tiers {
			for _, phase := range []string{"warmup", "measured"} {
				m.requests.WithLabelValues(t.Name, t.Model, tier, phase, string(runner.StatusOK), "")
				m.requests.WithLabelValues(t.Name, t.Model, tier, phase, string(runner.StatusDropped), runner.ClassDropped)
				for _, h := range m.hists {
					h.WithLabelValues(t.Name, t.Model, tier, phase)
				}
				m.itl.WithLabelValues(t.Name, t.Model, tier, phase)
				m.lag.WithLabelValues(t.Name, t.Model, tier, phase)
				for _, k := range []string{"prompt", "cached", "completion"} {
					m.tokens.WithLabelValues(t.Name, t.Model, tier, phase, k)
				}
			}
		}
	}
	return m
}

var latencyHelp = map[report.Metric]string{
	report.TTFB:      "Time to the response headers of successful requests.",
	report.TTFT:      "Time to first token (content, reasoning or tool call) of successful requests.",
	report.TTFAT:     "Time to the first answer content (after any thinking) of successful requests.",
	report.TPOT:      "Time per output token after the first, (E2E − TTFT)/(completion_tokens − 1), of successful requests.",
	report.E2E:       "End-to-end latency (until [DONE]) of successful requests.",
	report.Corrected: "E2E plus schedule lag (latency from the planned send time) of successful requests.",
}

func phaseOf(r *runner.Result) string {
	if r.Warmup {
		return "warmup"
	}
	return "measured"
}

// observe records one finished request.
func (m *runMetrics) observe(r *runner.Result) {
	phase := phaseOf(r)
	class := r.ErrorClass
	if r.Status == runner.StatusDropped && class == "" {
		class = runner.ClassDropped
	}
	m.requests.WithLabelValues(r.Target, r.Model, r.Tier, phase, string(r.Status), class).Inc()
	if r.Usage != nil {
		m.tokens.WithLabelValues(r.Target, r.Model, r.Tier, phase, "prompt").Add(float64(r.Usage.PromptTokens))
		m.tokens.WithLabelValues(r.Target, r.Model, r.Tier, phase, "cached").Add(float64(r.Usage.CachedTokens))
		m.tokens.WithLabelValues(r.Target, r.Model, r.Tier, phase, "completion").Add(float64(r.Usage.CompletionTokens))
	}
	if !r.Warmup {
		m.mu.Lock()
		if t := m.targets[r.Target]; t != nil {
			t.observe(r)
		}
		m.mu.Unlock()
	}
	if us, ok := report.Value(report.Lag, r); ok && r.Status != runner.StatusDropped {
		m.lag.WithLabelValues(r.Target, r.Model, r.Tier, phase).Observe(float64(max(us, 0)) / 1e6)
	}
	if !r.OK() {
		return
	}
	for i, lm := range exportedLatencies {
		if us, ok := report.Value(lm, r); ok {
			m.hists[i].WithLabelValues(r.Target, r.Model, r.Tier, phase).Observe(float64(us) / 1e6)
		}
	}
	itl := m.itl.WithLabelValues(r.Target, r.Model, r.Tier, phase)
	for i := 1; i < len(r.EventsUS); i++ {
		itl.Observe(float64(r.EventsUS[i]-r.EventsUS[i-1]) / 1e6)
	}
}

// targetObjectives judges one target's objectives over its measured
// requests so far, as the report will at the end: latency percentiles of
// successful requests, availability = ok / issued (dropped requests were
// never sent and are not charged).
type targetObjectives struct {
	name, model         string
	ok, failed, dropped int64
	hist                map[report.Metric]*hdrhistogram.Histogram
	objs                []liveObjective
}

type liveObjective struct {
	o      scenarios.Objective
	metric report.Metric
	over   int64 // latency: measured values above the threshold
	values int64 // latency: measured values
}

func newTargetObjectives(t metricsTarget) *targetObjectives {
	to := &targetObjectives{name: t.Name, model: t.Model, hist: map[report.Metric]*hdrhistogram.Histogram{}}
	for _, o := range t.Objectives {
		lo := liveObjective{o: o}
		if o.IsLatency() {
			m, ok := report.ParseMetric(o.Metric)
			if !ok {
				continue
			}
			lo.metric = m
			if to.hist[m] == nil {
				to.hist[m] = hdrhistogram.New(1, 3600*1000*1000, 3) // the report's geometry
			}
		} else if o.Metric != "availability" && o.Metric != "error_rate" {
			// goodput, dropped and achieved_rate are judged over the load
			// window, which only the report knows: not live
			continue
		}
		to.objs = append(to.objs, lo)
	}
	return to
}

func (t *targetObjectives) observe(r *runner.Result) {
	switch r.Status {
	case runner.StatusDropped:
		t.dropped++
		return
	case runner.StatusOK:
		t.ok++
	default:
		t.failed++
		return
	}
	for m, h := range t.hist {
		if m == report.ITL {
			for i := 1; i < len(r.EventsUS); i++ {
				_ = h.RecordValue(clampUS(r.EventsUS[i] - r.EventsUS[i-1]))
			}
		} else if us, ok := report.Value(m, r); ok {
			_ = h.RecordValue(clampUS(us))
		}
	}
	for i := range t.objs {
		lo := &t.objs[i]
		if !lo.o.IsLatency() {
			continue
		}
		lim := lo.o.Threshold.Microseconds()
		count := func(us int64) {
			lo.values++
			if us > lim {
				lo.over++
			}
		}
		if lo.metric == report.ITL {
			for j := 1; j < len(r.EventsUS); j++ {
				count(r.EventsUS[j] - r.EventsUS[j-1])
			}
		} else if us, ok := report.Value(lo.metric, r); ok {
			count(us)
		}
	}
}

func clampUS(us int64) int64 { return min(max(us, 1), 3600*1000*1000) }

// judged is one objective's standing so far.
type judged struct {
	status float64 // 1 met, 0 not met, -1 nothing measured yet
	value  float64 // seconds for latency, a fraction for ratios; NaN before data
	budget float64 // share of the error budget left (1 → 0 → negative); NaN when the objective has none
}

// judge evaluates lo now. The error budget of a ratio objective is its
// allowed failure share (availability ≥ 99.9 % allows 0.1 %); of a
// percentile objective, the share of values allowed above the threshold
// (p99 ≤ 2 s allows 1 %). Remaining = 1 − spent/allowed.
func (t *targetObjectives) judge(lo *liveObjective) judged {
	j := judged{status: -1, value: math.NaN(), budget: math.NaN()}
	issued := t.ok + t.failed
	o := lo.o
	switch {
	case o.IsLatency():
		h := t.hist[lo.metric]
		if h.TotalCount() == 0 {
			return j
		}
		switch o.Stat {
		case "mean":
			j.value = h.Mean() / 1e6
		case "max":
			j.value = float64(h.Max()) / 1e6
		default:
			j.value = float64(h.ValueAtQuantile(100*o.Quantile)) / 1e6
			if allowed := 1 - o.Quantile; allowed > 0 {
				j.budget = 1 - float64(lo.over)/float64(lo.values)/allowed
			}
		}
	case issued == 0:
		return j
	case o.Metric == "availability":
		j.value = float64(t.ok) / float64(issued)
		if allowed := o.ErrorBudget(); allowed > 0 {
			j.budget = 1 - (1-j.value)/allowed
		}
	case o.Metric == "error_rate":
		j.value = float64(t.failed) / float64(issued)
		if allowed := o.ErrorBudget(); allowed > 0 {
			j.budget = 1 - j.value/allowed
		}
	}
	j.status = 0
	if o.Met(j.value) {
		j.status = 1
	}
	return j
}

// objectiveCollector exports the objectives judged at scrape time.
type objectiveCollector struct{ m *runMetrics }

var (
	objLabels          = []string{"target", "model", "objective"}
	descObjStatus      = prometheus.NewDesc("seedbench_objective_status", "Objective judged over the measured requests so far: 1 met, 0 not met, -1 nothing measured yet.", objLabels, nil)
	descObjValue       = prometheus.NewDesc("seedbench_objective_value", "The objective's statistic so far (seconds for latency, a fraction 0..1 for availability and error rate).", objLabels, nil)
	descObjThreshold   = prometheus.NewDesc("seedbench_objective_threshold", "The objective's bound (seconds for latency, a fraction 0..1 for availability and error rate).", objLabels, nil)
	descBudget         = prometheus.NewDesc("seedbench_error_budget_remaining", "Share of the objective's error budget not yet spent: 1 untouched, 0 spent, below 0 overspent.", objLabels, nil)
	descAvailability   = prometheus.NewDesc("seedbench_availability", "Successful / issued measured requests so far (dropped requests were never sent and are not counted).", []string{"target", "model"}, nil)
	descMeasuredIssued = prometheus.NewDesc("seedbench_measured_issued", "Measured (non-warmup) requests sent so far: the availability's denominator.", []string{"target", "model"}, nil)
)

func (c objectiveCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descObjStatus, descObjValue, descObjThreshold, descBudget, descAvailability, descMeasuredIssued} {
		ch <- d
	}
}

func (c objectiveCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, name := range c.m.order {
		t := c.m.targets[name]
		issued := t.ok + t.failed
		avail := math.NaN()
		if issued > 0 {
			avail = float64(t.ok) / float64(issued)
		}
		gauge(descAvailability, avail, t.name, t.model)
		gauge(descMeasuredIssued, float64(issued), t.name, t.model)
		for i := range t.objs {
			lo := &t.objs[i]
			j := t.judge(lo)
			gauge(descObjStatus, j.status, t.name, t.model, lo.o.Name)
			gauge(descObjValue, j.value, t.name, t.model, lo.o.Name)
			gauge(descObjThreshold, lo.o.Bound(), t.name, t.model, lo.o.Name)
			if hasBudget(lo.o) {
				gauge(descBudget, j.budget, t.name, t.model, lo.o.Name)
			}
		}
	}
}

// hasBudget reports whether the objective has an error budget at all (a
// 100 % availability or a max has none).
func hasBudget(o scenarios.Objective) bool {
	if o.IsLatency() {
		return o.Stat != "mean" && o.Stat != "max" && o.Quantile < 1
	}
	return o.ErrorBudget() > 0
}

// liveCollector turns one Live snapshot per scrape into gauges.
type liveCollector struct {
	live   *runner.Live
	stages []runner.Stage
	rate   *rateMeter
}

var (
	descInFlight    = prometheus.NewDesc("seedbench_in_flight", "Requests in flight now.", nil, nil)
	descIssued      = prometheus.NewDesc("seedbench_issued_total", "Requests sent so far (warmup included).", nil, nil)
	descDropped     = prometheus.NewDesc("seedbench_dropped_total", "Requests the plan wanted sent but max_in_flight refused.", nil, nil)
	descPlannedRate = prometheus.NewDesc("seedbench_planned_rate", "The plan's request rate now (requests/s; 0 in a closed-loop stage).", nil, nil)
	descAchieved    = prometheus.NewDesc("seedbench_achieved_rate", "Requests sent per second over the last 10 s (or since the start).", nil, nil)
	descStage       = prometheus.NewDesc("seedbench_stage", "Index of the running stage; its name in the stage label.", []string{"stage"}, nil)
	descWarmup      = prometheus.NewDesc("seedbench_warmup", "1 while the warmup stage runs (its requests are labelled phase=\"warmup\").", nil, nil)
	descElapsed     = prometheus.NewDesc("seedbench_elapsed_seconds", "Time since the run's start.", nil, nil)
	descPlanned     = prometheus.NewDesc("seedbench_planned_seconds", "The plan's total duration.", nil, nil)
)

func (c liveCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descInFlight, descIssued, descDropped, descPlannedRate, descAchieved, descStage, descWarmup, descElapsed, descPlanned} {
		ch <- d
	}
}

func (c liveCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.live.Snapshot()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(descInFlight, float64(s.InFlight))
	ch <- prometheus.MustNewConstMetric(descIssued, prometheus.CounterValue, float64(s.Issued))
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(s.Dropped))
	gauge(descPlannedRate, s.TargetRate)
	gauge(descAchieved, c.rate.rate(time.Now(), s.Issued))
	gauge(descStage, float64(s.Stage), s.StageName)
	warm := 0.0
	if s.Stage < len(c.stages) && c.stages[s.Stage].Warmup {
		warm = 1
	}
	gauge(descWarmup, warm)
	gauge(descElapsed, s.Elapsed.Seconds())
	gauge(descPlanned, s.Planned.Seconds())
}

// rateMeter is the achieved send rate over a sliding window, from samples
// of the issued counter taken whenever it is asked (each scrape). One base
// sample at least the window old is kept, so the rate does not depend on
// how often, or by how many servers, it is scraped.
type rateMeter struct {
	mu      sync.Mutex
	samples []rateSample
}

const achievedWindow = 10 * time.Second

func newRateMeter(start time.Time) *rateMeter {
	return &rateMeter{samples: []rateSample{{at: start}}}
}

func (r *rateMeter) rate(now time.Time, issued int64) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, rateSample{now, issued})
	for len(r.samples) > 2 && now.Sub(r.samples[1].at) >= achievedWindow {
		r.samples = r.samples[1:]
	}
	first := r.samples[0]
	if d := now.Sub(first.at).Seconds(); d > 0 {
		return float64(issued-first.issued) / d
	}
	return 0
}

// serveMetrics listens on addr and serves /metrics until stop is called. It
// returns the address actually bound (addr may end in :0).
func serveMetrics(addr string, reg *prometheus.Registry) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	// Uncompressed: gzip of a large exposition costs the generator CPU (the
	// measuring instrument) on every scrape, to save bandwidth a loopback or
	// LAN scrape does not need.
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{DisableCompression: true}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // ErrServerClosed at stop; the run never depends on its metrics
	}()
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}

// metricsSetupOf describes a run for its exposition. The run label is the
// scenario and the start instant, which the shards of one run share, so
// their series sum into one run.
func metricsSetupOf(sc *scenarios.Scenario, hdr runner.Header, stages []runner.Stage, flagSLO []scenarios.Objective) metricsSetup {
	s := metricsSetup{Run: sc.Name + "-" + hdr.Start.UTC().Format("20060102T150405Z"), Scenario: sc.Name, Stages: stages}
	cat := sc.Catalog()
	slo := sc.SLO.Merge(flagSLO) // as the report will judge them
	for i, t := range sc.Targets {
		mt := metricsTarget{Name: t.Name, Model: hdr.Targets[i].Model, Objectives: slo.For(t.Name)}
		mt.Tiers = []string{""} // a model the catalog does not know has no tiers
		if m, ok := cat.Lookup(mt.Model); ok {
			mt.Tiers = m.TierNames()
		}
		s.Targets = append(s.Targets, mt)
	}
	return s
}
