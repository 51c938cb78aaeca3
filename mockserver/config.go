package mockserver

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
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
	// Admin serves /admin/faults and /admin/contexts to loopback clients.
	Admin bool
	// Flavor is the gateway the mock plays: FlavorOpenAI ("" means it) or
	// FlavorArk (see flavor.go).
	Flavor string
	// Endpoints maps gateway endpoint ids (Ark's "ep-…") to the configured
	// model they serve.
	Endpoints map[string]string

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
	for _, fe := range c.problems() {
		errs = append(errs, fe)
	}
	return errors.Join(errs...)
}

// fieldError is a problem with one field, named by its dotted YAML path
// (models.NAME.itl_spread) so LoadConfig can point at its line.
type fieldError struct {
	path string
	msg  string
}

func (e fieldError) Error() string { return e.path + ": " + e.msg }

// problems lists every invalid field of c in a stable order.
func (c Config) problems() []fieldError {
	var errs []fieldError
	if c.TimeScale < 0 || math.IsNaN(c.TimeScale) || math.IsInf(c.TimeScale, 0) {
		errs = append(errs, fieldError{"time_scale", fmt.Sprintf("%v must be a finite number ≥ 0", c.TimeScale)})
	}
	if c.MaxBodyBytes <= 0 {
		errs = append(errs, fieldError{"max_body_bytes", fmt.Sprintf("%d must be positive", c.MaxBodyBytes)})
	}
	if len(c.Models) == 0 {
		errs = append(errs, fieldError{"models", "no models configured"})
	}
	switch c.Flavor {
	case "", FlavorOpenAI, FlavorArk:
	default:
		errs = append(errs, fieldError{"flavor", fmt.Sprintf("%q is not one of openai, ark", c.Flavor)})
	}
	eps := make([]string, 0, len(c.Endpoints))
	for ep := range c.Endpoints {
		eps = append(eps, ep)
	}
	sort.Strings(eps)
	for _, ep := range eps {
		if _, ok := c.Models[c.Endpoints[ep]]; !ok {
			errs = append(errs, fieldError{"endpoints." + ep, fmt.Sprintf("%q is not a configured model", c.Endpoints[ep])})
		}
	}
	names := make([]string, 0, len(c.Models))
	for name := range c.Models {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "" {
			errs = append(errs, fieldError{"models", "a model has an empty name"})
		}
		for _, fe := range c.Models[name].problems() {
			fe.path = "models." + name + "." + fe.path
			errs = append(errs, fe)
		}
	}
	return errs
}

func (p Profile) problems() []fieldError {
	var errs []fieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, fieldError{field, fmt.Sprintf(format, args...)})
	}
	if p.ContextWindow <= 0 {
		bad("context_window", "%d must be positive", p.ContextWindow)
	}
	if p.MaxOutputTokens <= 0 || p.MaxOutputTokens > p.ContextWindow {
		bad("max_output_tokens", "%d must be in 1..context_window (%d)", p.MaxOutputTokens, p.ContextWindow)
	}
	if p.DefaultMaxTokens <= 0 || p.DefaultMaxTokens > p.MaxOutputTokens {
		bad("default_max_tokens", "%d must be in 1..max_output_tokens (%d)", p.DefaultMaxTokens, p.MaxOutputTokens)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"ttft_base", p.TTFTBase}, {"prefill_per_token", p.PrefillPerToken},
		{"prefill_per_cached_token", p.PrefillPerCachedToken}, {"itl", p.ITL},
		{"keep_alive", p.KeepAlive},
	} {
		if d.v < 0 {
			bad(d.name, "%v must not be negative", d.v)
		}
	}
	if !(p.ITLSpread >= 0 && p.ITLSpread <= 3) {
		bad("itl_spread", "%v must be in 0..3", p.ITLSpread)
	}
	if !(p.LoadFactor >= 0 && p.LoadFactor <= 100) {
		bad("load_factor", "%v must be in 0..100", p.LoadFactor)
	}
	if p.MaxInFlight <= 0 {
		bad("max_in_flight", "%d must be positive", p.MaxInFlight)
	}
	if p.MaxQueue < 0 {
		bad("max_queue", "%d must not be negative", p.MaxQueue)
	}
	if p.TokensPerEvent <= 0 || p.TokensPerEvent > 1024 {
		bad("tokens_per_event", "%d must be in 1..1024", p.TokensPerEvent)
	}
	switch p.Thinking {
	case "enabled", "disabled", "auto":
	default:
		bad("thinking", "%q is not enabled, disabled or auto", p.Thinking)
	}
	if !(p.AutoThinkingRate >= 0 && p.AutoThinkingRate <= 1) {
		bad("auto_thinking_rate", "%v must be in 0..1", p.AutoThinkingRate)
	}
	for _, fe := range p.ReasoningTokens.problems() {
		bad("reasoning_tokens."+fe.path, "%s", fe.msg)
	}
	for _, fe := range p.OutputTokens.problems() {
		bad("output_tokens."+fe.path, "%s", fe.msg)
	}
	if p.TemplateTokensPerMessage < 0 {
		bad("template_tokens_per_message", "%d must not be negative", p.TemplateTokensPerMessage)
	}
	if p.TemplateTokensPerRequest < 0 {
		bad("template_tokens_per_request", "%d must not be negative", p.TemplateTokensPerRequest)
	}
	if p.PrefixCache.BlockTokens < 0 {
		bad("prefix_cache.block_tokens", "%d must not be negative", p.PrefixCache.BlockTokens)
	}
	if p.PrefixCache.CapacityBlocks < 0 || p.PrefixCache.CapacityBlocks > 1<<30 {
		bad("prefix_cache.capacity_blocks", "%d must be in 0..2^30", p.PrefixCache.CapacityBlocks)
	}
	if p.PrefixCache.MinTokens < 0 {
		bad("prefix_cache.min_tokens", "%d must not be negative", p.PrefixCache.MinTokens)
	}
	if p.PrefixCache.BlockTokens > 0 && p.PrefixCache.CapacityBlocks == 0 {
		bad("prefix_cache.capacity_blocks", "must be positive when block_tokens is set")
	}
	if p.RPM < 0 {
		bad("rpm", "%d must not be negative", p.RPM)
	}
	if p.TPM < 0 {
		bad("tpm", "%d must not be negative", p.TPM)
	}
	for _, fe := range p.Faults.problems() {
		bad(strings.TrimSuffix("faults."+fe.path, "."), "%s", fe.msg)
	}
	return errs
}

func (l Length) problems() []fieldError {
	var errs []fieldError
	for _, v := range []struct {
		name string
		v    int
	}{{"mean", l.Mean}, {"min", l.Min}, {"max", l.Max}} {
		if v.v < 0 {
			errs = append(errs, fieldError{v.name, fmt.Sprintf("%d must not be negative", v.v)})
		}
	}
	if !(l.Spread >= 0 && l.Spread <= 3) {
		errs = append(errs, fieldError{"spread", fmt.Sprintf("%v must be in 0..3", l.Spread)})
	}
	if l.Max > 0 && l.Min > l.Max {
		errs = append(errs, fieldError{"min", fmt.Sprintf("%d is above max %d", l.Min, l.Max)})
	}
	return errs
}
