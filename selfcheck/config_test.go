package selfcheck

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // substring of the error; "" for valid
	}{
		// The defaults are valid.
		{"default", func(*Config) {}, ""},
		// Every list entry is checked.
		{"zero streams", func(c *Config) { c.Streams = []int{100, 0} }, "streams: 0"},
		{"no streams", func(c *Config) { c.Streams = nil }, "at least one step"},
		{"bad rate", func(c *Config) { c.Rates = []int{-1} }, "rates: -1/s"},
		// Rates are ignored when skipped.
		{"bad rate skipped", func(c *Config) { c.Rates, c.NoRates = []int{-1}, true }, ""},
		// Sub-millisecond gaps would be coalesced by TCP.
		{"itl too small", func(c *Config) { c.ITL = 500 * time.Microsecond }, "itl: 500µs"},
		{"ttft zero", func(c *Config) { c.TTFT = 0 }, "ttft: 0s"},
		{"one token", func(c *Config) { c.Tokens = 1 }, "tokens: 1"},
		{"no duration", func(c *Config) { c.Duration = 0 }, "duration"},
		{"negative warmup", func(c *Config) { c.Warmup = -time.Second }, "warmup"},
		{"zero limit", func(c *Config) { c.Limit = 0 }, "limit"},
		// Several problems are all reported.
		{"two problems", func(c *Config) { c.Tokens, c.Limit = 0, 0 }, "tokens: 0 is not in 2..4096 (two events make the first gap)\nlimit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestRequestDuration(t *testing.T) {
	c := DefaultConfig() // 200 ms, 20 ms, 50 tokens
	c.Lockstep = true
	// 200 ms + 49 gaps of 20 ms.
	if got, want := c.RequestDuration(), 1180*time.Millisecond; got != want {
		t.Errorf("lockstep: %v, want %v", got, want)
	}
	c.Lockstep = false
	// Mean TTFT offset (400−1)·50µs/2 = 9.975 ms; lengths 25..74, mean 49.5,
	// so 48.5 gaps = 970 ms.
	if got, want := c.RequestDuration(), 200*time.Millisecond+9975*time.Microsecond+970*time.Millisecond; got != want {
		t.Errorf("spread: %v, want %v", got, want)
	}
}

func TestAnswerTokensMean(t *testing.T) {
	for _, tokens := range []int{2, 3, 50, 51, 4096} {
		c := DefaultConfig()
		c.Tokens = tokens
		var sum, lo, hi int
		lo = 1 << 30
		for k := range int64(tokens) {
			n := c.answerTokens(k)
			sum += n
			lo, hi = min(lo, n), max(hi, n)
		}
		// Over one cycle every length ⌈T/2⌉…⌈T/2⌉+T−1 appears once.
		if lo != (tokens+1)/2 || hi != c.maxTokens() || hi-lo != tokens-1 {
			t.Errorf("tokens %d: range %d..%d, max %d", tokens, lo, hi, c.maxTokens())
		}
		mean := float64(sum) / float64(tokens)
		if mean < float64(tokens)-0.5 || mean > float64(tokens)+1 {
			t.Errorf("tokens %d: mean length %.2f", tokens, mean)
		}
	}
}

func TestPlan(t *testing.T) {
	lock := func(c *Config) { c.Lockstep = true } // D = 1.18 s with the defaults
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want []string
	}{
		// Auto rates: R = round(N/D), each right after its N.
		{"auto", lock, []string{"streams 100", "rate 85/s", "streams 500", "rate 424/s"}},
		// Streams are sorted and deduplicated.
		{"unsorted", func(c *Config) { lock(c); c.Streams = []int{500, 100, 500}; c.NoRates = true },
			[]string{"streams 100", "streams 500"}},
		// Explicit rates go after the largest stream step that holds them.
		{"explicit rates", func(c *Config) { lock(c); c.Rates = []int{400, 10, 1000} },
			[]string{"streams 100", "rate 10/s", "streams 500", "rate 400/s", "rate 1000/s"}},
		// No rates.
		{"none", func(c *Config) { c.NoRates = true }, []string{"streams 100", "streams 500"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			var got []string
			for _, p := range c.Plan() {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Plan = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConcurrency(t *testing.T) {
	c := DefaultConfig()
	c.Lockstep = true
	// Little's law: 85/s · 1.18 s = 100.3 → 101 streams.
	if got := c.concurrency(StepPlan{Kind: KindRate, Rate: 85}); got != 101 {
		t.Errorf("rate 85: %d", got)
	}
	if got := c.concurrency(StepPlan{Kind: KindStreams, Streams: 7}); got != 7 {
		t.Errorf("streams 7: %d", got)
	}
}
