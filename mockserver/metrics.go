package mockserver

import (
	"math"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is one Server's Prometheus registry (never the global one, so
// servers in parallel tests do not collide).
type metrics struct {
	registry *prometheus.Registry
	handler  http.Handler

	requests *prometheus.CounterVec // model, code
	inFlight *prometheus.GaugeVec
	queue    *prometheus.GaugeVec
	tokens   *prometheus.CounterVec // model, kind
	faults   *prometheus.CounterVec // model, fault
	ttft     *prometheus.HistogramVec
	itl      *prometheus.HistogramVec
}

// modelMetrics are one model's handles, resolved once so the hot path does
// no label lookups.
type modelMetrics struct {
	inFlight, queue                       prometheus.Gauge
	prompt, cached, completion, reasoning prometheus.Counter
	ttft, itl                             prometheus.Observer
	requests                              *prometheus.CounterVec
	faults                                *prometheus.CounterVec
	name                                  string
}

func newMetrics() *metrics {
	const ns = "seedbench_mock"
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "requests_total",
			Help: "Chat-completion requests by model and HTTP status."}, []string{"model", "code"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "in_flight",
			Help: "Requests holding a serving slot."}, []string{"model"}),
		queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "queue_depth",
			Help: "Requests waiting for a serving slot."}, []string{"model"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "tokens_total",
			Help: "Tokens by kind: prompt, cached (part of prompt), completion, reasoning (part of completion)."}, []string{"model", "kind"}),
		faults: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "faults_total",
			Help: "Injected faults by kind."}, []string{"model", "fault"}),
		ttft: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "ttft_seconds",
			Help:    "Server-side time from request received to the first token event flushed.",
			Buckets: renard10Buckets(-3, 2), NativeHistogramBucketFactor: 1.1, NativeHistogramMaxBucketNumber: 160}, []string{"model"}),
		itl: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "itl_seconds",
			Help:    "Server-side gap between consecutive token events (0 for events flushed together).",
			Buckets: renard10Buckets(-4, 1), NativeHistogramBucketFactor: 1.1, NativeHistogramMaxBucketNumber: 160}, []string{"model"}),
	}
	m.registry.MustRegister(m.requests, m.inFlight, m.queue, m.tokens, m.faults, m.ttft, m.itl)
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) forModel(name string) modelMetrics {
	return modelMetrics{
		name:       name,
		inFlight:   m.inFlight.WithLabelValues(name),
		queue:      m.queue.WithLabelValues(name),
		prompt:     m.tokens.WithLabelValues(name, "prompt"),
		cached:     m.tokens.WithLabelValues(name, "cached"),
		completion: m.tokens.WithLabelValues(name, "completion"),
		reasoning:  m.tokens.WithLabelValues(name, "reasoning"),
		ttft:       m.ttft.WithLabelValues(name),
		itl:        m.itl.WithLabelValues(name),
		requests:   m.requests,
		faults:     m.faults,
	}
}

// renard10Buckets are histogram boundaries from 10^from to 10^to seconds in
// the R10 preferred numbers (1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8 per
// decade): fine enough for histogram_quantile (under 26 % inside a bucket)
// and round, so the usual thresholds (50 ms, 200 ms, 1 s, 2 s) are exact
// boundaries. The runner's /metrics uses the same series, so the mock's and
// the client's histograms line up on one dashboard. Native histograms ride
// along for a Prometheus that scrapes them.
func renard10Buckets(from, to int) []float64 {
	var b []float64
	for dec := from; dec < to; dec++ {
		for _, r := range []float64{1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8} {
			v, _ := strconv.ParseFloat(strconv.FormatFloat(r*math.Pow10(dec), 'g', 6, 64), 64)
			b = append(b, v)
		}
	}
	return append(b, math.Pow10(to))
}
