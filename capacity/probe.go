package capacity

import (
	"context"
	"time"
)

// Mode is what a probe's level counts.
type Mode string

const (
	// ByRate: the level is an open-loop arrival rate in requests per second.
	ByRate Mode = "rate"
	// ByConcurrency: the level is a number of concurrent closed-loop streams.
	ByConcurrency Mode = "concurrency"
)

// Verdict is an objective's outcome on one probe.
type Verdict string

const (
	Pass         Verdict = "pass"
	Fail         Verdict = "fail"
	Inconclusive Verdict = "inconclusive" // too few samples to judge
)

// Check is one objective judged on one probe.
type Check struct {
	Objective string  `json:"objective"` // "ttft_p99", "availability", "dropped", "achieved_rate", …
	Op        string  `json:"op"`        // "<=" or ">="
	Limit     float64 `json:"limit"`     // in Unit
	Measured  float64 `json:"measured"`  // in Unit (NaN is never stored: Inconclusive instead)
	Unit      string  `json:"unit"`      // "ms", "ratio", "req/s"
	Verdict   Verdict `json:"verdict"`
}

// Excess is how far a failing check is from its limit, as a fraction of the
// limit: 0.3 means 30 % over a ceiling (or 30 % short of a floor).
func (c Check) Excess() float64 {
	if c.Limit == 0 {
		return 0
	}
	if c.Op == ">=" {
		return (c.Limit - c.Measured) / c.Limit
	}
	return (c.Measured - c.Limit) / c.Limit
}

// Spec is one probe to run.
type Spec struct {
	Target   string        // the scenario target probed alone
	Mode     Mode          //
	Level    float64       // req/s (ByRate) or streams (ByConcurrency)
	Warmup   time.Duration // sent and excluded from every figure
	Duration time.Duration // the measured part, after the warmup
	Repeat   int           // 0 for a level's first probe, 1 for its repeat …
}

// Outcome is what one probe measured. Latencies in ms, rates per second,
// fractions in 0..1, money in Currency.
type Outcome struct {
	Spec Spec   `json:"-"`
	Dir  string `json:"dir,omitempty"` // the probe's run directory (re-reportable)

	Offered  float64 `json:"offered_rate"`  // req/s planned (ByConcurrency: 0)
	Achieved float64 `json:"achieved_rate"` // req/s sent over the load window
	Issued   int64   `json:"issued"`
	OK       int64   `json:"ok"`
	Good     int64   `json:"good"`      // ok and within every per-request objective
	Dropped  int64   `json:"dropped"`   // planned but never sent
	Throttle int64   `json:"throttled"` // failed with 429 or a quota error (runner.Throttled)
	// QuotaRPM and QuotaTPM are the throttled requests the gateway's own
	// code put down to its per-minute request or token quota.
	QuotaRPM int64 `json:"quota_rpm,omitempty"`
	QuotaTPM int64 `json:"quota_tpm,omitempty"`

	TTFTP50    float64 `json:"ttft_p50_ms"`
	TTFTP99    float64 `json:"ttft_p99_ms"`
	TPOTP95    float64 `json:"tpot_p95_ms"`
	E2EP99     float64 `json:"e2e_p99_ms"`
	Throughput float64 `json:"throughput_rps"` // ok requests per second
	TokensOut  float64 `json:"output_tokens_per_s"`
	// TTFTTrend is TTFT p50 of the probe's last third over its first third
	// (0: unknown). Well above 1 a queue was building: the endpoint could
	// not keep up even if the percentiles still passed.
	TTFTTrend float64 `json:"ttft_trend,omitempty"`

	CachedShare float64 `json:"cached_share"` // cached / prompt tokens (server usage)
	Spend       float64 `json:"spend"`        // measured, from server usage
	Per1K       float64 `json:"cost_per_1k"`  // per 1,000 billed requests
	Currency    string  `json:"currency,omitempty"`

	Checks []Check `json:"checks"`
	// Untrusted, when set, says why the generator's own figures make the
	// probe unusable (it is then neither a pass nor a fail: the search stops).
	Untrusted string `json:"untrusted,omitempty"`
}

// Prober runs one probe. Per-request failures are data in the Outcome; an
// error means the probe could not be run at all.
type Prober interface {
	Probe(ctx context.Context, s Spec) (Outcome, error)
}

// ProberFunc adapts a function to Prober.
type ProberFunc func(ctx context.Context, s Spec) (Outcome, error)

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, s Spec) (Outcome, error) { return f(ctx, s) }
