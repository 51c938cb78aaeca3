package mockserver

import "time"

// Profile describes how one model behaves. Every duration in a Profile is
// multiplied by Config.TimeScale before it is used, so the same profile can
// run at real speed for demos and a hundred times faster in tests.
//
// The built-in profiles (see DefaultProfiles) are illustrative: they are
// plausible shapes for the Seed 2.0 family, not measurements of it.
type Profile struct {
	// Description is free text shown by GET /v1/models as owned_by context.
	Description string `yaml:"description" json:"description,omitempty"`

	// ContextWindow is the most prompt + output tokens one request may use.
	ContextWindow int `yaml:"context_window" json:"context_window"`
	// MaxOutputTokens is the largest max_tokens (or max_completion_tokens)
	// the model accepts.
	MaxOutputTokens int `yaml:"max_output_tokens" json:"max_output_tokens"`
	// DefaultMaxTokens caps the answer when the request gives no max_tokens.
	DefaultMaxTokens int `yaml:"default_max_tokens" json:"default_max_tokens"`

	// Latency model: see latency.go for the formulas.
	TTFTBase              time.Duration `yaml:"ttft_base" json:"ttft_base"`
	PrefillPerToken       time.Duration `yaml:"prefill_per_token" json:"prefill_per_token"`
	PrefillPerCachedToken time.Duration `yaml:"prefill_per_cached_token" json:"prefill_per_cached_token"`
	ITL                   time.Duration `yaml:"itl" json:"itl"`
	// ITLSpread is the sigma of the lognormal jitter applied to every gap;
	// the jitter has mean 1, so the mean gap stays ITL. 0 means no jitter.
	ITLSpread float64 `yaml:"itl_spread" json:"itl_spread"`
	// LoadFactor slows decode as requests pile up: a gap is multiplied by
	// 1 + LoadFactor·(inFlight−1)/max(MaxInFlight−1, 1).
	LoadFactor float64 `yaml:"load_factor" json:"load_factor"`
	// MaxInFlight requests are served at once; up to MaxQueue more wait
	// (their wait adds to TTFT); beyond that the request gets 429.
	MaxInFlight int `yaml:"max_in_flight" json:"max_in_flight"`
	MaxQueue    int `yaml:"max_queue" json:"max_queue"`

	// TokensPerEvent is how many tokens one SSE event carries.
	TokensPerEvent int `yaml:"tokens_per_event" json:"tokens_per_event"`
	// KeepAlive, when positive, sends ": keep-alive" comments whenever the
	// stream would otherwise be silent for longer than this.
	KeepAlive time.Duration `yaml:"keep_alive" json:"keep_alive"`

	// Thinking is the default when the request says nothing: "enabled",
	// "disabled" or "auto" (think with probability AutoThinkingRate).
	Thinking         string  `yaml:"thinking" json:"thinking"`
	AutoThinkingRate float64 `yaml:"auto_thinking_rate" json:"auto_thinking_rate"`
	// ReasoningTokens is the length distribution of the thinking phase at
	// reasoning_effort "medium"; "low" halves the mean, "high" doubles it.
	ReasoningTokens Length `yaml:"reasoning_tokens" json:"reasoning_tokens"`
	// OutputTokens is the natural length of the answer before max_tokens.
	OutputTokens Length `yaml:"output_tokens" json:"output_tokens"`

	// ToolCallRate is the share of requests offering tools (with the user's
	// message last) that are answered by a function call instead of text.
	// tool_choice "required" or a named function always calls; "none" never.
	ToolCallRate float64 `yaml:"tool_call_rate" json:"tool_call_rate"`

	// Chat-template overhead, added to the content tokens as a real chat
	// template adds role markers and separators.
	TemplateTokensPerMessage int `yaml:"template_tokens_per_message" json:"template_tokens_per_message"`
	TemplateTokensPerRequest int `yaml:"template_tokens_per_request" json:"template_tokens_per_request"`

	// PrefixCache configures the block-aligned LRU prefix cache.
	PrefixCache CacheConfig `yaml:"prefix_cache" json:"prefix_cache"`

	// RPM and TPM are the gateway's token buckets (0 = unlimited).
	// RetryAfter adds a Retry-After header to their 429s.
	RPM        int  `yaml:"rpm" json:"rpm"`
	TPM        int  `yaml:"tpm" json:"tpm"`
	RetryAfter bool `yaml:"retry_after" json:"retry_after"`

	// Faults are injected at these rates; the admin endpoint can change them
	// at runtime.
	Faults Faults `yaml:"faults" json:"faults"`
}

// Length is a token-count distribution: lognormal with the given mean and
// sigma (Spread), clamped to [Min, Max]. Spread 0 makes it exactly Mean.
type Length struct {
	Mean   int     `yaml:"mean" json:"mean"`
	Spread float64 `yaml:"spread" json:"spread"`
	Min    int     `yaml:"min" json:"min"`
	Max    int     `yaml:"max" json:"max"`
}

// CacheConfig sizes a model's prefix cache. BlockTokens 0 disables it.
// MinTokens is the shortest prefix it serves: a shorter match counts as
// uncached, as on a hosted service, whose caches start at about 1,024
// tokens (the default profiles' value; 0 serves any block).
type CacheConfig struct {
	BlockTokens    int `yaml:"block_tokens" json:"block_tokens"`
	CapacityBlocks int `yaml:"capacity_blocks" json:"capacity_blocks"`
	MinTokens      int `yaml:"min_tokens" json:"min_tokens"`
}

// Seed 2.0 limits shared by the four variants.
const (
	seedContextWindow = 256 * 1024
	seedMaxOutput     = 128 * 1024
)

// DefaultProfiles returns the built-in, illustrative profiles of the four
// Seed 2.0 variants. Pro thinks by default and is the slowest; Mini is the
// fastest and does not think unless asked; Code answers longer.
func DefaultProfiles() map[string]Profile {
	base := Profile{
		ContextWindow:            seedContextWindow,
		MaxOutputTokens:          seedMaxOutput,
		DefaultMaxTokens:         4096,
		ITLSpread:                0.25,
		LoadFactor:               0.5,
		MaxInFlight:              64,
		MaxQueue:                 1024,
		TokensPerEvent:           1,
		AutoThinkingRate:         0.5,
		ToolCallRate:             0.5,
		TemplateTokensPerMessage: 4,
		TemplateTokensPerRequest: 3,
		PrefixCache:              CacheConfig{BlockTokens: 64, CapacityBlocks: 1 << 16, MinTokens: contextMinTokens},
		RetryAfter:               true,
	}
	pro := base
	pro.Description = "illustrative Seed 2.0 Pro: thinks by default, slowest"
	pro.TTFTBase = 450 * time.Millisecond
	pro.PrefillPerToken = 40 * time.Microsecond
	pro.PrefillPerCachedToken = 4 * time.Microsecond
	pro.ITL = 35 * time.Millisecond
	pro.Thinking = "enabled"
	pro.ReasoningTokens = Length{Mean: 400, Spread: 0.5, Min: 16, Max: 32768}
	pro.OutputTokens = Length{Mean: 300, Spread: 0.6, Min: 8, Max: 8192}

	lite := base
	lite.Description = "illustrative Seed 2.0 Lite: thinks on auto, balanced"
	lite.TTFTBase = 300 * time.Millisecond
	lite.PrefillPerToken = 20 * time.Microsecond
	lite.PrefillPerCachedToken = 2 * time.Microsecond
	lite.ITL = 25 * time.Millisecond
	lite.Thinking = "auto"
	lite.ReasoningTokens = Length{Mean: 250, Spread: 0.5, Min: 16, Max: 32768}
	lite.OutputTokens = Length{Mean: 250, Spread: 0.6, Min: 8, Max: 8192}

	mini := base
	mini.Description = "illustrative Seed 2.0 Mini: no thinking by default, fastest"
	mini.TTFTBase = 150 * time.Millisecond
	mini.PrefillPerToken = 8 * time.Microsecond
	mini.PrefillPerCachedToken = 1 * time.Microsecond
	mini.ITL = 15 * time.Millisecond
	mini.Thinking = "disabled"
	mini.ReasoningTokens = Length{Mean: 150, Spread: 0.5, Min: 16, Max: 32768}
	mini.OutputTokens = Length{Mean: 200, Spread: 0.6, Min: 8, Max: 8192}

	code := base
	code.Description = "illustrative Seed 2.0 Code: thinks by default, long answers"
	code.TTFTBase = 350 * time.Millisecond
	code.PrefillPerToken = 25 * time.Microsecond
	code.PrefillPerCachedToken = 2 * time.Microsecond
	code.ITL = 20 * time.Millisecond
	code.Thinking = "enabled"
	code.ReasoningTokens = Length{Mean: 300, Spread: 0.5, Min: 16, Max: 32768}
	code.OutputTokens = Length{Mean: 600, Spread: 0.6, Min: 16, Max: 16384}

	return map[string]Profile{
		"doubao-seed-2.0-pro":  pro,
		"doubao-seed-2.0-lite": lite,
		"doubao-seed-2.0-mini": mini,
		"doubao-seed-2.0-code": code,
	}
}
