package selfcheck

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Config says which loads to try and how the mock behaves.
type Config struct {
	// Streams are the closed-loop steps: N users, each sending its next
	// request when the last one ends.
	Streams []int
	// Rates are the open-loop steps in requests per second (constant
	// pacing). Nil derives one per Streams entry by Little's law, the rate
	// that keeps N streams open: R = N / request duration.
	Rates []int
	// NoRates skips the open-loop steps (Rates is then ignored).
	NoRates bool

	// TTFT and ITL are the mock's fixed latencies; Tokens the mean length
	// of an answer (one token per event, see Lockstep).
	TTFT, ITL time.Duration
	Tokens    int

	// Duration is each step's measured length; Warmup runs before it at
	// the same load, so connections are open and the runtime is warm, and
	// is left out of every figure.
	Duration, Warmup time.Duration

	// Lockstep gives every request the same TTFT and length. By default
	// requests differ as a real workload's do, deterministically: the TTFT
	// of request k is TTFT + (k mod P)·ITL/P (P = ITL/50µs phases, set by
	// the prompt length through the mock's prefill cost), so the streams'
	// token events are spread over the ITL period, and its answer length
	// cycles through ⌈Tokens/2⌉ … ⌈Tokens/2⌉+Tokens−1 (mean ≈ Tokens), so
	// closed-loop users that start together drift apart within a request
	// or two. In lockstep, N closed-loop streams started together send
	// their requests and receive every token at the same instant for the
	// whole step: the worst case of the harness, not a typical load.
	Lockstep bool

	// Limit is the largest p99 error (TTFT and |ITL|) a step may show and
	// still count as accurate.
	Limit time.Duration

	// Progress, when set, is called with each step as soon as it is done.
	Progress func(Step)
}

// DefaultConfig is what `seedbench selfcheck` runs without flags: 100 and
// 500 streams and the matching rates, 20 s each after a 2 s warm-up, a
// 200 ms TTFT and 20 ms ITL over 50 tokens (requests of about 1.2 s).
func DefaultConfig() Config {
	return Config{
		Streams:  []int{100, 500},
		TTFT:     200 * time.Millisecond,
		ITL:      20 * time.Millisecond,
		Tokens:   50,
		Duration: 20 * time.Second,
		Warmup:   2 * time.Second,
		Limit:    time.Millisecond,
	}
}

// maxStreams bounds a step: each stream is a goroutine pair, a socket pair
// and a mock handler in this one process.
const maxStreams = 100_000

// Validate reports every problem of c, naming the field.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(c.Streams) == 0 {
		bad("streams: at least one step is needed")
	}
	for _, n := range c.Streams {
		if n < 1 || n > maxStreams {
			bad("streams: %d is not in 1..%d", n, maxStreams)
		}
	}
	if !c.NoRates {
		for _, r := range c.Rates {
			if r < 1 || r > 1_000_000 {
				bad("rates: %d/s is not in 1..1000000", r)
			}
		}
	}
	if c.TTFT < time.Millisecond || c.TTFT > time.Minute {
		bad("ttft: %v is not in 1ms..1m", c.TTFT)
	}
	if c.ITL < time.Millisecond || c.ITL > 10*time.Second {
		bad("itl: %v is not in 1ms..10s (events closer than 1 ms would be batched by TCP and blur the gaps)", c.ITL)
	}
	if c.Tokens < 2 || c.Tokens > 4096 {
		bad("tokens: %d is not in 2..4096 (two events make the first gap)", c.Tokens)
	}
	if c.Duration <= 0 {
		bad("duration: %v must be positive", c.Duration)
	}
	if c.Warmup < 0 {
		bad("warmup: %v must not be negative", c.Warmup)
	}
	if c.Limit <= 0 {
		bad("limit: %v must be positive", c.Limit)
	}
	return errors.Join(errs...)
}

// RequestDuration is how long one request takes on the mock on average,
// before any harness delay: the TTFT with its mean phase offset, then the
// mean number of gaps.
func (c Config) RequestDuration() time.Duration {
	spread := time.Duration(c.phases()-1) * c.prefillPerToken() / 2
	gaps := float64(c.Tokens - 1)
	if !c.Lockstep {
		// mean of ⌈T/2⌉ … ⌈T/2⌉+T−1, minus one
		gaps = float64((c.Tokens+1)/2) + float64(c.Tokens-1)/2 - 1
	}
	return c.TTFT + spread + time.Duration(gaps*float64(c.ITL))
}

// answerTokens is the answer length of request k. The stride 7 (coprime
// with most lengths) makes consecutive requests differ by more than a
// token or two.
func (c Config) answerTokens(k int64) int {
	if c.Lockstep {
		return c.Tokens
	}
	return (c.Tokens+1)/2 + int((k*7)%int64(c.Tokens))
}

// maxTokens is the longest answer any request asks for.
func (c Config) maxTokens() int {
	if c.Lockstep {
		return c.Tokens
	}
	return (c.Tokens+1)/2 + c.Tokens - 1
}

// StepPlan is one load to try.
type StepPlan struct {
	Kind    string `json:"kind"`              // "streams" (closed loop) or "rate" (open loop)
	Streams int    `json:"streams,omitempty"` // closed loop: users
	Rate    int    `json:"rate,omitempty"`    // open loop: requests per second
}

func (p StepPlan) String() string {
	if p.Kind == KindRate {
		return fmt.Sprintf("rate %d/s", p.Rate)
	}
	return fmt.Sprintf("streams %d", p.Streams)
}

// Step kinds.
const (
	KindStreams = "streams"
	KindRate    = "rate"
)

// Plan lists the steps in order of increasing load, each closed-loop step
// followed by the open-loop steps up to the same expected concurrency.
// Expected concurrency of a rate step is R·D by Little's law, D the
// request duration.
func (c Config) Plan() []StepPlan {
	streams := slices.Clone(c.Streams)
	slices.Sort(streams)
	streams = slices.Compact(streams)
	var rates []int
	switch {
	case c.NoRates:
	case c.Rates != nil:
		rates = slices.Clone(c.Rates)
	default:
		d := c.RequestDuration().Seconds()
		for _, n := range streams {
			rates = append(rates, max(1, int(math.Round(float64(n)/d))))
		}
	}
	slices.Sort(rates)
	rates = slices.Compact(rates)

	d := c.RequestDuration().Seconds()
	var plan []StepPlan
	ri := 0
	for _, n := range streams {
		plan = append(plan, StepPlan{Kind: KindStreams, Streams: n})
		for ri < len(rates) && float64(rates[ri])*d <= float64(n)+0.5 {
			plan = append(plan, StepPlan{Kind: KindRate, Rate: rates[ri]})
			ri++
		}
	}
	for ; ri < len(rates); ri++ {
		plan = append(plan, StepPlan{Kind: KindRate, Rate: rates[ri]})
	}
	return plan
}

// concurrency is the number of streams a step is expected to hold open.
func (c Config) concurrency(p StepPlan) int {
	if p.Kind == KindRate {
		return max(1, int(math.Ceil(float64(p.Rate)*c.RequestDuration().Seconds())))
	}
	return p.Streams
}
