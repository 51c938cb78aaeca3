package scenarios

// Scenario is what a user wants to test: which variants, what requests,
// what load, which objectives. It is the YAML schema (see README.md) and it
// round-trips through encoding/json, which is how a results file carries
// it (the header's resolved_scenario). Rates, durations and ratios are
// typed values (Rate, Duration, Ratio: unitvalue.go), parsed once when the
// scenario is read and written back as the text the user wrote.
type Scenario struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description" json:"description,omitempty"`
	Targets     []Target `yaml:"targets" json:"targets"`
	Mix         []Class  `yaml:"mix" json:"mix"`
	// Prefix lists shared-prefix sets: requests that start with the same
	// text, so a server with prefix caching serves them from cache.
	Prefix []PrefixSet `yaml:"prefix" json:"prefix,omitempty"`
	Load   Load        `yaml:"load" json:"load"`
	SLO    SLO         `yaml:"slo" json:"slo,omitzero"`
	// GuardBand keeps sampled prompt lengths this far (a fraction of the
	// boundary) away from every tier boundary, so the tokenizer's
	// disagreement with our estimate cannot push a request into the
	// neighbouring price tier. Default 3%.
	GuardBand Ratio `yaml:"guard_band" json:"guard_band,omitzero"`
	// Tokenizer corrects the client's token estimate to the server's count.
	Tokenizer Calibration `yaml:"tokenizer" json:"tokenizer,omitzero"`
	// Source takes requests from a dataset or a trace file instead of the
	// mix (see filesource.go).
	// Its file path is resolved when the scenario is read: relative to the
	// scenario file, or "builtin:…" for the files of built-in scenarios.
	Source FileSource `yaml:"source" json:"source,omitzero"`
	// Sessions makes the traffic multi-turn conversations (see session.go).
	Sessions Sessions `yaml:"sessions" json:"sessions,omitzero"`

	// catalog gives model limits and tiers; nil means DefaultCatalog.
	catalog *Catalog
	// Warnings are problems that do not stop a run (an unknown model).
	Warnings []string `yaml:"-" json:"-"`
}

// Target is one variant: a model behind an endpoint.
type Target struct {
	Name  string `yaml:"name" json:"name"`
	Model string `yaml:"model" json:"model"`
	// BaseURL is the OpenAI-compatible base (…/chat/completions is appended);
	// empty means the built-in mock.
	BaseURL string `yaml:"base_url" json:"base_url,omitempty"`
	// APIKeyEnv names the environment variable holding the key. The key
	// itself never appears in a scenario.
	APIKeyEnv string `yaml:"api_key_env" json:"api_key_env,omitempty"`
	// Gateway is the hosted gateway's flavour: ark, evolink or openai. It
	// says which model-id forms to expect and is shown with the target;
	// empty means guessed from BaseURL (see GatewayOf).
	Gateway string `yaml:"gateway" json:"gateway,omitempty"`
	// Quota is the endpoint's per-minute quota, when known: validate and
	// run warn when the plan asks for more.
	Quota Quota `yaml:"quota" json:"quota,omitzero"`
	// CatalogModel prices and limits the target as this catalog model, for
	// gateways that expose a model under another name (an endpoint ID).
	CatalogModel string            `yaml:"catalog_model" json:"catalog_model,omitempty"`
	Headers      map[string]string `yaml:"headers" json:"headers,omitempty"`
	// Thinking sends thinking: {type: …}: enabled, disabled or auto.
	Thinking string `yaml:"thinking" json:"thinking,omitempty"`
	// ReasoningEffort sends reasoning_effort: minimal, low, medium or high.
	ReasoningEffort string `yaml:"reasoning_effort" json:"reasoning_effort,omitempty"`
	// MaxOutputTokens caps max_tokens below the model's limit, for gateways
	// that cap it lower.
	MaxOutputTokens int `yaml:"max_output_tokens" json:"max_output_tokens,omitempty"`
	// MaxCompletionTokens is the thinking budget: it caps reasoning and
	// answer together (max_tokens caps only the answer). When set, requests
	// send max_completion_tokens instead of max_tokens (see thinking.go).
	MaxCompletionTokens int `yaml:"max_completion_tokens" json:"max_completion_tokens,omitempty"`
	// ExtraBody fields are added to every request body as they are.
	ExtraBody map[string]any `yaml:"extra_body" json:"extra_body,omitempty"`
	// Sweep expands the target into one target per combination of the
	// settings it lists (see sweep.go); the expanded targets replace it.
	Sweep Sweep `yaml:"sweep" json:"sweep,omitzero"`
}

// Class is one weighted kind of request in the mix.
type Class struct {
	Name   string  `yaml:"name" json:"name"`
	Weight float64 `yaml:"weight" json:"weight"`
	// Tier restricts prompt lengths to one price tier ("32k", "128k",
	// "256k"); the prompt distribution is conditioned on it.
	Tier string `yaml:"tier" json:"tier,omitempty"`
	// Boundaries lets prompt lengths fall in the guard band around tier
	// boundaries (to test the boundaries themselves).
	Boundaries   bool `yaml:"boundaries" json:"boundaries,omitempty"`
	PromptTokens Dist `yaml:"prompt_tokens" json:"prompt_tokens,omitzero"`
	// OutputTokens sets max_tokens.
	OutputTokens Dist `yaml:"output_tokens" json:"output_tokens"`
	// MaxCompletionTokens is the class's thinking budget, over the
	// target's (see Target.MaxCompletionTokens).
	MaxCompletionTokens int `yaml:"max_completion_tokens" json:"max_completion_tokens,omitempty"`
}

// PrefixSet is Groups distinct prefixes of Tokens tokens each; Share of the
// requests of Classes (every class when empty) start with one of them,
// chosen uniformly.
type PrefixSet struct {
	Name    string   `yaml:"name" json:"name"`
	Groups  int      `yaml:"groups" json:"groups"`
	Tokens  int      `yaml:"tokens" json:"tokens"`
	Share   Ratio    `yaml:"share" json:"share"`
	Classes []string `yaml:"classes" json:"classes,omitempty"`
	// Mode is how the prefix reaches the server's cache: implicit (the
	// default: sent with every request) or context_api (created once
	// through Ark's Context API; see contextcache.go). TTL is the
	// context's time to live (1h..7d, default 24h), context_api only.
	Mode string   `yaml:"mode" json:"mode,omitempty"`
	TTL  Duration `yaml:"ttl" json:"ttl,omitzero"`
}

// Load says how hard, how long and in what shape.
type Load struct {
	Seed int64 `yaml:"seed" json:"seed"`
	// MaxInFlight bounds open-loop concurrency: a request that would exceed
	// it is recorded as dropped, not sent late.
	MaxInFlight int `yaml:"max_in_flight" json:"max_in_flight"`
	// Timeout bounds each request as a whole (default 15m).
	Timeout Duration `yaml:"timeout" json:"timeout,omitzero"`
	// MaxRequests ends the run after this many requests (0: no limit).
	MaxRequests int64 `yaml:"max_requests" json:"max_requests,omitempty"`
	// MaxSpend caps what the run may spend, measured from server usage
	// as it goes ("5CNY"; see Catalog.ParseMoney): at the cap the run stops
	// issuing, lets the requests in flight finish and exits 3.
	MaxSpend string `yaml:"max_spend" json:"max_spend,omitempty"`
	// Warmup runs the first stage's load for this long before it, flagged
	// and left out of the statistics.
	Warmup Duration `yaml:"warmup" json:"warmup,omitzero"`
	Stages []Stage  `yaml:"stages" json:"stages"`
}

// Stage is one load phase. Which fields apply depends on Kind:
//
//	constant, poisson  rate
//	gamma              rate, cv
//	ramp               from, to
//	sine               mean, amplitude, period, phase
//	concurrency        users
//	trace              (none: the source trace gives every send time)
type Stage struct {
	Name      string   `yaml:"name" json:"name,omitempty"`
	Kind      string   `yaml:"kind" json:"kind"`
	Rate      Rate     `yaml:"rate" json:"rate,omitzero"`
	CV        float64  `yaml:"cv" json:"cv,omitempty"`
	From      Rate     `yaml:"from" json:"from,omitzero"`
	To        Rate     `yaml:"to" json:"to,omitzero"`
	Mean      Rate     `yaml:"mean" json:"mean,omitzero"`
	Amplitude Rate     `yaml:"amplitude" json:"amplitude,omitzero"`
	Period    Duration `yaml:"period" json:"period,omitzero"`
	Phase     string   `yaml:"phase" json:"phase,omitempty"`
	Users     int      `yaml:"users" json:"users,omitempty"`
	Duration  Duration `yaml:"duration" json:"duration"`
	// MaxRequests ends the stage early after this many requests.
	MaxRequests int64 `yaml:"max_requests" json:"max_requests,omitempty"`
}

// Stage kinds.
const (
	KindConstant    = "constant"
	KindPoisson     = "poisson"
	KindGamma       = "gamma"
	KindRamp        = "ramp"
	KindSine        = "sine"
	KindConcurrency = "concurrency"
	// KindTrace replays the scenario's source trace at its own times.
	KindTrace = "trace"
)
