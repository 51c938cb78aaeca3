package mockserver

import (
	"errors"
	"fmt"
	"sort"
)

// DefaultMaxBodyBytes is the request-body limit of DefaultConfig; larger
// bodies get 413 without being read into memory.
const DefaultMaxBodyBytes = 16 << 20

// Config is everything a Server needs. Start from DefaultConfig (or
// LoadConfig) and change fields: a Config built by hand from its zero value
// is rejected by Validate and makes New panic, so a forgotten field can never
// silently mean "no models" or "no body limit".
type Config struct {
	// Models maps a model id to its behaviour.
	Models map[string]Profile
	// Seed makes every random choice (lengths, jitter, text, faults)
	// reproducible; see the package doc for how requests are numbered.
	Seed uint64
	// TimeScale multiplies every duration of every profile: 1 is real
	// time, 0.01 is a hundred times faster, 0 removes all waiting (the
	// stream is written as fast as the connection takes it).
	TimeScale float64
	// APIKey, when non-empty, is required as "Authorization: Bearer KEY";
	// other requests get 401. It is never logged or echoed.
	APIKey string
	// MaxBodyBytes bounds the request body (413 beyond it).
	MaxBodyBytes int64
	// Truth adds the ground-truth extension (see the package doc) to usage
	// chunks and non-stream responses.
	Truth bool
	// Admin serves /admin/faults to loopback clients.
	Admin bool

	valid bool // set by DefaultConfig and LoadConfig
}

// DefaultConfig returns the built-in Seed 2.0 profiles at real speed with
// seed 1, a 16 MiB body limit, no auth, no ground truth and the admin
// endpoint enabled (it only answers loopback clients).
func DefaultConfig() Config {
	return Config{
		Models:       DefaultProfiles(),
		Seed:         1,
		TimeScale:    1,
		MaxBodyBytes: DefaultMaxBodyBytes,
		Admin:        true,
		valid:        true,
	}
}

// Validate reports every problem of c, naming the model and field.
func (c Config) Validate() error {
	if !c.valid {
		return errors.New("mockserver: Config was not made by DefaultConfig or LoadConfig (its zero value is not usable)")
	}
	var errs []error
	if c.TimeScale < 0 {
		errs = append(errs, fmt.Errorf("time_scale: %v is negative", c.TimeScale))
	}
	if c.MaxBodyBytes <= 0 {
		errs = append(errs, fmt.Errorf("max_body_bytes: %d must be positive", c.MaxBodyBytes))
	}
	if len(c.Models) == 0 {
		errs = append(errs, errors.New("models: no models configured"))
	}
	names := make([]string, 0, len(c.Models))
	for name := range c.Models {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := c.Models[name]
		if err := p.validate(); err != nil {
			errs = append(errs, fmt.Errorf("models.%s.%w", name, err))
		}
	}
	return errors.Join(errs...)
}

func (p Profile) validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if p.ContextWindow <= 0 {
		bad("context_window", "%d must be positive", p.ContextWindow)
	}
	if p.MaxOutputTokens <= 0 || p.MaxOutputTokens > p.ContextWindow {
		bad("max_output_tokens", "%d must be in 1..context_window", p.MaxOutputTokens)
	}
	if p.DefaultMaxTokens <= 0 || p.DefaultMaxTokens > p.MaxOutputTokens {
		bad("default_max_tokens", "%d must be in 1..max_output_tokens", p.DefaultMaxTokens)
	}
	for _, d := range []struct {
		name string
		v    int64
	}{
		{"ttft_base", int64(p.TTFTBase)}, {"prefill_per_token", int64(p.PrefillPerToken)},
		{"prefill_per_cached_token", int64(p.PrefillPerCachedToken)}, {"itl", int64(p.ITL)},
		{"keep_alive", int64(p.KeepAlive)},
	} {
		if d.v < 0 {
			bad(d.name, "must not be negative")
		}
	}
	if p.ITLSpread < 0 || p.ITLSpread > 3 {
		bad("itl_spread", "%v must be in 0..3", p.ITLSpread)
	}
	if p.LoadFactor < 0 {
		bad("load_factor", "%v must not be negative", p.LoadFactor)
	}
	if p.MaxInFlight <= 0 {
		bad("max_in_flight", "%d must be positive", p.MaxInFlight)
	}
	if p.MaxQueue < 0 {
		bad("max_queue", "%d must not be negative", p.MaxQueue)
	}
	if p.TokensPerEvent <= 0 {
		bad("tokens_per_event", "%d must be positive", p.TokensPerEvent)
	}
	switch p.Thinking {
	case "enabled", "disabled", "auto":
	default:
		bad("thinking", "%q is not enabled, disabled or auto", p.Thinking)
	}
	if p.AutoThinkingRate < 0 || p.AutoThinkingRate > 1 {
		bad("auto_thinking_rate", "%v must be in 0..1", p.AutoThinkingRate)
	}
	if err := p.ReasoningTokens.validate(); err != nil {
		bad("reasoning_tokens", "%v", err)
	}
	if err := p.OutputTokens.validate(); err != nil {
		bad("output_tokens", "%v", err)
	}
	if p.TemplateTokensPerMessage < 0 || p.TemplateTokensPerRequest < 0 {
		bad("template_tokens_per_message", "template overheads must not be negative")
	}
	if p.PrefixCache.BlockTokens < 0 || p.PrefixCache.CapacityBlocks < 0 {
		bad("prefix_cache", "block_tokens and capacity_blocks must not be negative")
	}
	if p.PrefixCache.BlockTokens > 0 && p.PrefixCache.CapacityBlocks == 0 {
		bad("prefix_cache.capacity_blocks", "must be positive when block_tokens is set")
	}
	if p.RPM < 0 || p.TPM < 0 {
		bad("rpm", "rpm and tpm must not be negative")
	}
	if err := p.Faults.validate(); err != nil {
		bad("faults", "%v", err)
	}
	return errors.Join(errs...)
}

func (l Length) validate() error {
	switch {
	case l.Mean < 0 || l.Min < 0 || l.Max < 0:
		return fmt.Errorf("mean, min and max must not be negative")
	case l.Spread < 0 || l.Spread > 3:
		return fmt.Errorf("spread %v must be in 0..3", l.Spread)
	case l.Max > 0 && l.Min > l.Max:
		return fmt.Errorf("min %d is above max %d", l.Min, l.Max)
	}
	return nil
}
