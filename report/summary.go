package report

import (
	"time"

	"github.com/seedbench/seedbench/runner"
)

// SummarySchema names the version of summary.json's layout. Fields are only
// ever added within a version; a rename or removal bumps it.
const SummarySchema = "seedbench.summary/v1"

// Summary is everything a report says about a run: summary.json is this
// struct, and every other format is rendered from it. Latencies are in
// milliseconds, rates per second, fractions in 0..1.
type Summary struct {
	Schema     string    `json:"schema"` // SummarySchema
	Tool       string    `json:"tool"`   // the tool that ran, from the results header
	Scenario   string    `json:"scenario"`
	Seed       int64     `json:"seed"`
	PlanHash   string    `json:"plan_hash,omitempty"`
	Start      time.Time `json:"start"`           // wall-clock instant of offset 0
	Files      []string  `json:"files"`           // results files read, in order
	ShardCount int       `json:"shard_count"`     // shards in the plan (1 unsharded)
	Shards     []int     `json:"shards_read"`     // shard indices among the files
	Complete   bool      `json:"complete"`        // every file ended with its footer (not cut by a crash)
	Window     Window    `json:"window"`          // the measured window
	TargetRate float64   `json:"target_rate"`     // planned req/s, all targets (0: closed loop or unknown)
	Achieved   float64   `json:"achieved_rate"`   // issued req/s over the send span, all targets
	Warmup     int64     `json:"warmup_excluded"` // warmup records read and left out of every figure
	// LatencyBasis says which requests the latency figures describe.
	LatencyBasis string `json:"latency_basis"`

	Targets []TargetSummary `json:"targets"` // sorted by name
	Tiers   []Group         `json:"tiers"`   // every target together, per planned tier
	Overall Group           `json:"overall"` // every target and tier together

	// Load is the load delivered per target and measured stage (then per
	// stage over every target when there are several).
	Load []Delivered `json:"load_delivered"`
	// Sessions is the per-turn view of multi-turn sessions (turns.go).
	Sessions *Sessions `json:"sessions,omitempty"`

	SLO      Verdict `json:"slo"`
	Currency string  `json:"currency,omitempty"` // of every cost figure ("" when no catalog)
	// Exchange is the rate the prices were converted at ("1 USD = 7.2
	// CNY"), empty when they are in the catalog's own currency.
	Exchange string        `json:"exchange,omitempty"`
	Trust    *runner.Trust `json:"trust,omitempty"` // the generator's own figures, from the footer (worst shard)
	Warnings []string      `json:"warnings"`

	// Kept for plots and compare; not part of summary.json.
	targets map[string]*targetAcc `json:"-"`
	overall *acc                  `json:"-"`
	all     map[string]*acc       `json:"-"` // per target, every tier
	step    int64                 `json:"-"`
}

// Window is the measured window: from the first request sent to the last
// one finished, in seconds from the run's start.
type Window struct {
	Start      float64 `json:"start_s"`
	End        float64 `json:"end_s"`
	Seconds    float64 `json:"seconds"`
	SeriesStep int64   `json:"series_step_s"` // width of a timeseries.csv bucket
}

// TargetSummary is one variant.
type TargetSummary struct {
	Name   string   `json:"name"`
	Model  string   `json:"model"`  // the model most records named
	Models []string `json:"models"` // every model seen (more than one when overridden mid-way)
	All    Group    `json:"all"`    // every tier together
	Tiers  []Group  `json:"tiers"`  // per planned tier, sorted by tier
	// Cost is nil when no price catalog was available.
	Cost *TargetCost `json:"cost,omitempty"`
	// TierMismatches lists requests billed in another tier than the plan
	// meant (the prompt came out longer or shorter than aimed).
	TierMismatches []TierMismatch `json:"tier_mismatches"`
	// TierPlanned is the billed requests the plan aimed at a tier, and
	// TierInPlan those of them billed in it: the share says whether the
	// token estimate is calibrated to the server's tokenizer.
	TierPlanned int64 `json:"tier_planned,omitempty"`
	// Errors is the error table: failed and dropped requests by class, HTTP
	// status and the gateway's error code, with one example message each.
	Errors []ErrorRow `json:"errors"`
	// Quota is nil unless the target was throttled or sent quota headers.
	Quota      *QuotaSummary `json:"quota,omitempty"`
	TierInPlan int64         `json:"tier_in_plan,omitempty"`
}

// Group is one set of requests: a target's tier, a target, a tier across
// targets, or all of them.
type Group struct {
	Target string `json:"target,omitempty"` // "" across targets
	Tier   string `json:"tier,omitempty"`   // "" across tiers

	Requests int64 `json:"requests"` // measured: ok + failed + dropped
	Issued   int64 `json:"issued"`   // sent: ok + failed
	OK       int64 `json:"ok"`
	// ZeroCompletion counts the successes (in OK) that finished with a
	// finish_reason but produced no completion token: the server answered
	// nothing, so they are shown apart rather than hidden in OK.
	ZeroCompletion int64            `json:"zero_completion"`
	Failed         int64            `json:"failed"`
	Dropped        int64            `json:"dropped"`       // planned but not sent (max_in_flight reached)
	ErrorClasses   map[string]int64 `json:"error_classes"` // failed and dropped, by class
	Availability   float64          `json:"availability"`  // ok / issued
	ErrorRate      float64          `json:"error_rate"`    // failed / issued
	GoodRequests   int64            `json:"good_requests"` // ok and within every per-request objective
	Goodput        float64          `json:"goodput_rps"`   // good requests per second of the window

	Throughput       float64 `json:"throughput_rps"`      // ok requests per second of the window
	InputTokensRate  float64 `json:"input_tokens_per_s"`  // prompt tokens of ok requests per second
	OutputTokensRate float64 `json:"output_tokens_per_s"` // completion tokens of ok requests per second
	Achieved         float64 `json:"achieved_rate"`       // issued per second over the group's send span
	TargetRate       float64 `json:"target_rate"`         // the plan's rate for this group (share of the total)

	// Latency holds one distribution per metric (schedule_lag, ttfb, ttft,
	// ttfat, itl, tpot, e2e, corrected), in ms, of successful requests only
	// (schedule_lag: of every issued request).
	Latency map[string]Dist `json:"latency_ms"`
	Tokens  Tokens          `json:"tokens"`
}

// Tokens are the group's token counts with their provenance.
type Tokens struct {
	WithUsage        int64 `json:"requests_with_usage"`    // ok requests the server sent usage for
	WithoutUsage     int64 `json:"requests_without_usage"` // ok requests without (counts from the client's estimate)
	ServerPrompt     int64 `json:"server_prompt"`
	ServerCompletion int64 `json:"server_completion"`
	ServerCached     int64 `json:"server_cached"`
	ServerReasoning  int64 `json:"server_reasoning"`
	// Compared requests had both server usage and client estimates; the
	// mismatch is (client − server) / server over them.
	Compared           int64   `json:"compared_requests"`
	ClientPrompt       int64   `json:"client_prompt"`
	ClientCompletion   int64   `json:"client_completion"`
	PromptMismatch     float64 `json:"prompt_mismatch"`
	CompletionMismatch float64 `json:"completion_mismatch"`
	CachedShare        float64 `json:"cached_share"`     // server_cached / server_prompt
	TokensPerEvent     float64 `json:"tokens_per_event"` // completion tokens per token-bearing event (beside ITL)
	TPOTFromServer     int64   `json:"tpot_from_server_usage"`
	TPOTFromClient     int64   `json:"tpot_from_client_estimate"`
	Thinking           int64   `json:"thinking_requests"` // ok requests whose answer came after reasoning
	FinishLength       int64   `json:"finish_length"`     // ok requests cut at max_tokens
}

// TargetCost is what one variant cost, from the server's usage.
type TargetCost struct {
	Currency       string  `json:"currency"`
	Total          float64 `json:"total"`
	BilledRequests int64   `json:"billed_requests"` // requests with server usage
	Per1K          float64 `json:"per_1k_requests"` // total / billed × 1000
	CacheSavings   float64 `json:"cache_savings"`   // cached tokens at cache-read instead of input price
	Unbilled       int64   `json:"unbilled_requests"`
	UnknownModel   int64   `json:"unknown_model_requests"`
	ProjectedRate  float64 `json:"projected_rate"` // req/s the projection assumes
	PerDay         float64 `json:"projected_per_day"`
	PerMonth       float64 `json:"projected_per_month"` // 30 days
	// CacheStoragePrice is per 1M tokens held in the prefix cache per hour;
	// that storage is billed by time and is not in Total.
	CacheStoragePrice float64    `json:"cache_storage_price_per_1m_hour"`
	Tiers             []TierCost `json:"tiers"`
	// Context is the bill of the target's Context API caches, apart from
	// Total (contextcost.go); absent without any.
	Context *ContextCost `json:"context_cache,omitempty"`
}

// TierCost is one billed tier's share of a target's cost.
type TierCost struct {
	Model            string  `json:"model"`
	Tier             string  `json:"tier"`
	Requests         int64   `json:"requests"`
	PromptTokens     int64   `json:"prompt_tokens"`
	CachedTokens     int64   `json:"cached_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	InputPrice       float64 `json:"input_price_per_1m"`
	CacheReadPrice   float64 `json:"cache_read_price_per_1m"`
	OutputPrice      float64 `json:"output_price_per_1m"`
	Input            float64 `json:"input_cost"`      // uncached prompt tokens
	CacheRead        float64 `json:"cache_read_cost"` // cached prompt tokens
	Output           float64 `json:"output_cost"`
	Total            float64 `json:"total"`
	CacheSavings     float64 `json:"cache_savings"`
	Per1K            float64 `json:"per_1k_requests"`
}

// TierMismatch counts requests the plan meant for one tier that the server
// billed in another.
type TierMismatch struct {
	Planned  string  `json:"planned"`
	Billed   string  `json:"billed"`
	Count    int64   `json:"count"`
	Examples []int64 `json:"examples"` // the smallest sequence numbers k
}

// Verdict is the SLO outcome.
type Verdict struct {
	Pass   bool    `json:"pass"` // every check passed (true when there are none)
	Checks []Check `json:"checks"`
	// Inconclusive counts the checks with too few samples to pass.
	Inconclusive int `json:"inconclusive"`
	// Windows are the windowed objectives window by window (windows.go);
	// each is also in Checks with its worst window's figure.
	Windows []WindowedCheck `json:"windows,omitempty"`
	// Burn is every objective with an error budget: the budget consumed
	// and the multi-window burn-rate conditions over the run (burn.go);
	// each is also in Checks, failing when its fast-burn condition fired.
	Burn []BurnCheck `json:"burn,omitempty"`
}

// Check is one objective judged on one target.
type Check struct {
	Target    string   `json:"target"`
	Objective string   `json:"objective"` // "ttft_p99"
	Op        string   `json:"op"`        // "<=" or ">="
	Limit     float64  `json:"limit"`     // ms for latency, fraction, or req/s
	Measured  *float64 `json:"measured"`  // same unit; null when there was nothing to measure (the check fails)
	Unit      string   `json:"unit"`      // "ms", "ratio", "req/s"
	Pass      bool     `json:"pass"`
	// Status is "pass", "fail" or "inconclusive" (too few samples: a
	// percentile of fewer than 1/(1−p) values, or a share whose 95 %
	// Wilson interval holds the limit).
	Status string `json:"status"`
	// N is the sample the figure is of: values of the latency metric, or
	// issued requests for availability and error rate.
	N int64 `json:"n,omitempty"`
	// Interval is the 95 % Wilson interval of availability or error rate.
	Interval *[2]float64 `json:"interval_95,omitempty"`
	// BudgetLeft is the share of the error budget not spent, for
	// availability and error-rate objectives: 1 − (1 − measured)/(1 − limit)
	// for availability, 1 − measured/limit for error rate; negative when
	// overspent.
	BudgetLeft *float64 `json:"error_budget_left,omitempty"`
	Basis      string   `json:"basis"`  // what the figure is of, e.g. "981 successful of 1000 issued"
	Source     string   `json:"source"` // "scenario" or "flag"
	Text       string   `json:"text"`   // "ttft_p99 <= 2s"
}
