package main

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/seedbench/seedbench/runner"
)

// runMetrics exposes the run in progress to Prometheus (--metrics-addr), so
// an SRE dashboard can watch a soak as it happens. Latencies are histograms
// per target (aggregatable across shards); counts and the live figures come
// from the runner's Live at scrape time.
type runMetrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	ttft, e2e *prometheus.HistogramVec
	itl       *prometheus.HistogramVec
	tokens    *prometheus.CounterVec
}

func newRunMetrics(live *runner.Live) *runMetrics {
	// 1 ms … ~65 s, doubling: TTFT and E2E of chat models.
	latency := prometheus.ExponentialBuckets(0.001, 2, 17)
	m := &runMetrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seedbench_requests_total",
			Help: "Finished requests by target, status (ok, error, dropped) and error class."}, []string{"target", "status", "error_class"}),
		ttft: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "seedbench_ttft_seconds",
			Help: "Time to first token of successful, measured (non-warmup) requests.", Buckets: latency}, []string{"target"}),
		e2e: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "seedbench_e2e_seconds",
			Help: "End-to-end latency of successful, measured requests.", Buckets: latency}, []string{"target"}),
		itl: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "seedbench_itl_seconds",
			Help:    "Gaps between consecutive token-bearing events of successful, measured requests.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, []string{"target"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seedbench_tokens_total",
			Help: "Tokens by target and kind (prompt, cached, completion), as the server reported them."}, []string{"target", "kind"}),
	}
	m.reg.MustRegister(m.requests, m.ttft, m.e2e, m.itl, m.tokens, liveCollector{live})
	return m
}

// observe records one finished request.
func (m *runMetrics) observe(r *runner.Result) {
	m.requests.WithLabelValues(r.Target, string(r.Status), r.ErrorClass).Inc()
	if r.Usage != nil {
		m.tokens.WithLabelValues(r.Target, "prompt").Add(float64(r.Usage.PromptTokens))
		m.tokens.WithLabelValues(r.Target, "cached").Add(float64(r.Usage.CachedTokens))
		m.tokens.WithLabelValues(r.Target, "completion").Add(float64(r.Usage.CompletionTokens))
	}
	if !r.OK() || r.Warmup {
		return
	}
	m.ttft.WithLabelValues(r.Target).Observe(float64(r.TTFTUS) / 1e6)
	m.e2e.WithLabelValues(r.Target).Observe(float64(r.E2EUS) / 1e6)
	itl := m.itl.WithLabelValues(r.Target)
	for i := 1; i < len(r.EventsUS); i++ {
		itl.Observe(float64(r.EventsUS[i]-r.EventsUS[i-1]) / 1e6)
	}
}

// liveCollector turns one Live snapshot per scrape into gauges.
type liveCollector struct{ live *runner.Live }

var (
	descInFlight   = prometheus.NewDesc("seedbench_in_flight", "Requests in flight now.", nil, nil)
	descIssued     = prometheus.NewDesc("seedbench_issued_total", "Requests sent so far.", nil, nil)
	descDropped    = prometheus.NewDesc("seedbench_dropped_total", "Requests the plan wanted sent but max_in_flight refused.", nil, nil)
	descTargetRate = prometheus.NewDesc("seedbench_target_rate", "The plan's request rate now (requests/s; 0 in a closed-loop stage).", nil, nil)
	descStage      = prometheus.NewDesc("seedbench_stage", "Index of the running stage.", nil, nil)
	descElapsed    = prometheus.NewDesc("seedbench_elapsed_seconds", "Time since the run's start.", nil, nil)
	descLag        = prometheus.NewDesc("seedbench_schedule_lag_seconds", "Schedule lag (sent − intended) quantiles so far.", []string{"quantile"}, nil)
)

func (c liveCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descInFlight, descIssued, descDropped, descTargetRate, descStage, descElapsed, descLag} {
		ch <- d
	}
}

func (c liveCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.live.Snapshot()
	ch <- prometheus.MustNewConstMetric(descInFlight, prometheus.GaugeValue, float64(s.InFlight))
	ch <- prometheus.MustNewConstMetric(descIssued, prometheus.CounterValue, float64(s.Issued))
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(s.Dropped))
	ch <- prometheus.MustNewConstMetric(descTargetRate, prometheus.GaugeValue, s.TargetRate)
	ch <- prometheus.MustNewConstMetric(descStage, prometheus.GaugeValue, float64(s.Stage))
	ch <- prometheus.MustNewConstMetric(descElapsed, prometheus.GaugeValue, s.Elapsed.Seconds())
	for q, v := range map[float64]time.Duration{0.5: s.LagP50, 0.99: s.LagP99, 1: s.LagMax} {
		ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, v.Seconds(), strconv.FormatFloat(q, 'g', -1, 64))
	}
}

// serveMetrics listens on addr and serves /metrics until stop is called. It
// returns the address actually bound (addr may end in :0).
func serveMetrics(addr string, reg *prometheus.Registry) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
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
