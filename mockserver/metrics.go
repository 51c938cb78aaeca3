package mockserver

import (
	"net/http"

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
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}, []string{"model"}),
		itl: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "itl_seconds",
			Help:    "Server-side gap between consecutive token events (0 for events flushed together).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"model"}),
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
