package report

import "github.com/seedbench/seedbench/runner"

// Metric names a latency distribution. Every one is measured on the
// monotonic clock from the moment the request was sent, in microseconds, and
// kept in an HDR histogram of one geometry (histogram.go).
type Metric int

// The latency metrics, in the order every table shows them.
const (
	// Lag is schedule lag: sent − intended. Recorded for every sent request.
	Lag Metric = iota
	// TTFB: response headers received.
	TTFB
	// TTFT: the first event whose delta carries content, reasoning or a tool
	// call (never the role-only chunk).
	TTFT
	// TTFAT: the first answer content, after any thinking.
	TTFAT
	// ITL: each gap between consecutive token-bearing events.
	ITL
	// TPOT = (E2E − TTFT) / (completion_tokens − 1), with the server's
	// completion_tokens when it sent usage, the client's estimate otherwise.
	TPOT
	// E2E: until data: [DONE].
	E2E
	// Corrected = E2E + schedule lag: latency from the intended send time, so
	// a generator that fell behind (coordinated omission) cannot hide it.
	Corrected
	numMetrics
)

var metricNames = [numMetrics]string{"schedule_lag", "ttfb", "ttft", "ttfat", "itl", "tpot", "e2e", "corrected"}

// metricTitles are the names tables and plots print.
var metricTitles = [numMetrics]string{"schedule lag", "TTFB", "TTFT", "TTFAT", "ITL", "TPOT", "E2E", "corrected E2E"}

// String is the metric's stable name in summary.json, CSV headers and SLO keys.
func (m Metric) String() string { return metricNames[m] }

// Title is the metric's display name.
func (m Metric) Title() string { return metricTitles[m] }

// ParseMetric reads a metric's stable name.
func ParseMetric(s string) (Metric, bool) {
	for i, n := range metricNames {
		if n == s {
			return Metric(i), true
		}
	}
	if s == "lag" {
		return Lag, true
	}
	return 0, false
}

// LatencyBasis is said next to every latency table: which requests the
// percentiles describe. Failed requests have no meaningful TTFT or E2E (a
// 429 returns in milliseconds), so mixing them in would flatter the figures;
// leaving them out silently would flatter them too. They are counted in
// availability and the error table instead.
const LatencyBasis = "latency percentiles are of successful requests only; failed and dropped requests count in availability and errors"

// Value is metric m of one successful request, in µs, exactly as the report
// counts it; ok is false when the request has no such figure (no token
// event, so no TTFT; fewer than two tokens, so no TPOT). ITL is a list, not
// one value: read r.EventsUS. Live exporters (the run's /metrics) use it so
// that their histograms agree with the report's.
func Value(m Metric, r *runner.Result) (us int64, ok bool) {
	switch m {
	case Lag:
		return r.LagUS, r.IntendedUS >= 0
	case TTFB:
		return r.TTFBUS, r.TTFBUS > 0
	case TTFT:
		return r.TTFTUS, r.TTFTUS > 0
	case TTFAT:
		return r.TTFATUS, r.TTFATUS > 0
	case TPOT:
		us, _, ok = tpotOf(r)
		return us, ok
	case E2E:
		return r.E2EUS, true
	case Corrected:
		return r.E2EUS + correctionOf(r), true
	}
	return 0, false
}

// correctionOf is what coordinated-omission correction adds to E2E: the
// schedule lag of an open-loop request (closed-loop requests have no plan
// time, so none).
func correctionOf(r *runner.Result) int64 {
	if r.IntendedUS < 0 {
		return 0
	}
	return max(r.LagUS, 0)
}
