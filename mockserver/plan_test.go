package mockserver

import (
	"math"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func userRequest(text string) *chatRequest {
	return &chatRequest{Model: "m", Messages: []chatMessage{{Role: "user", Content: chatContent{text: text}}}}
}

func TestPlanLimitsAndThinking(t *testing.T) {
	profiles := DefaultProfiles()
	tests := []struct {
		name      string
		model     string
		edit      func(q *chatRequest)
		thinking  bool
		content   int // -1: any
		reasoning int // -1: any (but > 0 when thinking)
		finish    string
	}{
		// Pro thinks unless told otherwise; max_tokens caps only the answer.
		{"pro default", "doubao-seed-2.0-pro", func(q *chatRequest) { q.MaxTokens = ptr(10) }, true, 10, -1, "length"},
		{"pro disabled", "doubao-seed-2.0-pro", func(q *chatRequest) { q.MaxTokens = ptr(10); q.Thinking = &thinkingParam{"disabled"} }, false, 10, 0, "length"},
		// reasoning_effort minimal turns thinking off, as on the Seed API.
		{"pro minimal effort", "doubao-seed-2.0-pro", func(q *chatRequest) { q.MaxTokens = ptr(10); q.ReasoningEffort = "minimal" }, false, 10, 0, "length"},
		// Mini does not think unless asked, by thinking or by an effort.
		{"mini default", "doubao-seed-2.0-mini", func(q *chatRequest) { q.MaxTokens = ptr(10) }, false, 10, 0, "length"},
		{"mini enabled", "doubao-seed-2.0-mini", func(q *chatRequest) { q.MaxTokens = ptr(10); q.Thinking = &thinkingParam{"enabled"} }, true, 10, -1, "length"},
		{"mini high effort", "doubao-seed-2.0-mini", func(q *chatRequest) { q.MaxTokens = ptr(10); q.ReasoningEffort = "high" }, true, 10, -1, "length"},
		// max_completion_tokens caps reasoning + answer together.
		{"completion cap eaten by reasoning", "doubao-seed-2.0-pro", func(q *chatRequest) { q.MaxCompletionTokens = ptr(16) }, true, 0, 16, "length"},
		// ignore_eos: exactly max_tokens.
		{"ignore_eos", "doubao-seed-2.0-mini", func(q *chatRequest) { q.MaxTokens = ptr(5000); q.IgnoreEOS = true }, false, 5000, 0, "length"},
		// Without a cap the natural length (a few hundred) ends with stop.
		{"natural stop", "doubao-seed-2.0-mini", func(q *chatRequest) {}, false, -1, 0, "stop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := profiles[tt.model]
			q := userRequest("hello")
			tt.edit(q)
			pl, err := makePlan(q, &p, measurePrompt(q, &p), 42, Faults{})
			if err != nil {
				t.Fatal(err)
			}
			if pl.thinking != tt.thinking {
				t.Errorf("thinking %v", pl.thinking)
			}
			if tt.content >= 0 && pl.contentTokens != tt.content {
				t.Errorf("content %d, want %d", pl.contentTokens, tt.content)
			}
			switch {
			case tt.reasoning >= 0 && pl.reasoningTokens != tt.reasoning:
				t.Errorf("reasoning %d, want %d", pl.reasoningTokens, tt.reasoning)
			case tt.reasoning < 0 && pl.reasoningTokens == 0:
				t.Errorf("no reasoning while thinking")
			}
			if pl.finishReason != tt.finish {
				t.Errorf("finish %q, want %q", pl.finishReason, tt.finish)
			}
		})
	}
}

// TestPlanIsDeterministic: the same seed gives the same plan; another seed
// a different one.
func TestPlanIsDeterministic(t *testing.T) {
	p := DefaultProfiles()["doubao-seed-2.0-lite"]
	q := userRequest("hello")
	a, _ := makePlan(q, &p, measurePrompt(q, &p), 7, Faults{})
	b, _ := makePlan(q, &p, measurePrompt(q, &p), 7, Faults{})
	if a.reasoningTokens != b.reasoningTokens || a.contentTokens != b.contentTokens || a.thinking != b.thinking || completionID(a) != completionID(b) {
		t.Fatalf("same seed, different plans: %+v vs %+v", a, b)
	}
	differ := false
	for s := uint64(8); s < 20 && !differ; s++ {
		c, _ := makePlan(q, &p, measurePrompt(q, &p), s, Faults{})
		differ = c.contentTokens != a.contentTokens
	}
	if !differ {
		t.Fatal("twelve other seeds all gave the same length")
	}
}

func TestContextLimits(t *testing.T) {
	p := DefaultProfiles()["doubao-seed-2.0-pro"]
	// " hello" is one token: 270,000 of them exceed the 256K window.
	long := userRequest(string(repeatBytes(" hello", 270_000)))
	_, err := makePlan(long, &p, measurePrompt(long, &p), 1, Faults{})
	if err == nil || err.code != "context_length_exceeded" || err.status != 400 {
		t.Fatalf("270K-token prompt: %+v", err)
	}
	// Prompt fits, prompt + max_tokens does not.
	mid := userRequest(string(repeatBytes(" hello", 200_000)))
	mid.MaxTokens = ptr(100_000)
	if _, err := makePlan(mid, &p, measurePrompt(mid, &p), 1, Faults{}); err == nil || err.code != "context_length_exceeded" {
		t.Fatalf("200K + 100K: %+v", err)
	}
	over := userRequest("hi")
	over.MaxTokens = ptr(seedMaxOutput + 1)
	if _, err := makePlan(over, &p, measurePrompt(over, &p), 1, Faults{}); err == nil || err.param != "max_tokens" {
		t.Fatalf("max_tokens over the output cap: %+v", err)
	}
}

func repeatBytes(s string, n int) []byte {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return b
}

// TestLatencyModel checks prefill and gaps for given profiles with a fixed
// seed: prefill exactly, every gap within the jitter's ±4σ band and the
// mean gap within 10% of ITL·load.
func TestLatencyModel(t *testing.T) {
	tests := []struct {
		name        string
		profile     Profile
		prompt      int // tokens
		cached      int
		load        float64
		wantPrefill time.Duration
		wantITL     time.Duration // mean per-token gap
	}{
		// 450ms + 1000·40µs.
		{"pro cold", DefaultProfiles()["doubao-seed-2.0-pro"], 1000, 0, 1, 490 * time.Millisecond, 35 * time.Millisecond},
		// 450ms + 40·40µs + 960·4µs: the cache cuts prefill.
		{"pro warm", DefaultProfiles()["doubao-seed-2.0-pro"], 1000, 960, 1, 450*time.Millisecond + 1600*time.Microsecond + 3840*time.Microsecond, 35 * time.Millisecond},
		// 150ms + 100000·8µs: long prompts dominate TTFT.
		{"mini long prompt", DefaultProfiles()["doubao-seed-2.0-mini"], 100_000, 0, 1, 950 * time.Millisecond, 15 * time.Millisecond},
		// Load factor 1.5 (full occupancy at LoadFactor 0.5) slows decode.
		{"mini loaded", DefaultProfiles()["doubao-seed-2.0-mini"], 10, 0, 1.5, 150*time.Millisecond + 80*time.Microsecond, 22500 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.profile
			pl := &plan{promptTokens: tt.prompt}
			pl.timing = newPlanRand(99)
			pl.setPrefill(&p, tt.cached, 1)
			if pl.prefill != tt.wantPrefill {
				t.Errorf("prefill %v, want %v", pl.prefill, tt.wantPrefill)
			}
			const n = 2000
			var sum float64
			lo := float64(tt.wantITL) * math.Exp(-4*p.ITLSpread-p.ITLSpread*p.ITLSpread/2)
			hi := float64(tt.wantITL) * math.Exp(4*p.ITLSpread-p.ITLSpread*p.ITLSpread/2)
			for range n {
				g := float64(gap(&p, pl, 1, tt.load, 1))
				if g < lo || g > hi {
					t.Fatalf("gap %v outside [%v, %v]", time.Duration(g), time.Duration(lo), time.Duration(hi))
				}
				sum += g
			}
			mean := time.Duration(sum / n)
			if d := math.Abs(float64(mean-tt.wantITL)) / float64(tt.wantITL); d > 0.1 {
				t.Errorf("mean gap %v, want %v ±10%%", mean, tt.wantITL)
			}
			// Time scale multiplies everything.
			pl.setPrefill(&p, tt.cached, 0.01)
			if want := time.Duration(float64(tt.wantPrefill) * 0.01); pl.prefill != want {
				t.Errorf("scaled prefill %v, want %v", pl.prefill, want)
			}
		})
	}
}

func TestLoadFactor(t *testing.T) {
	tests := []struct {
		factor   float64
		max      int
		inFlight int64
		want     float64
	}{
		{0.5, 5, 1, 1},    // alone: no slowdown
		{0.5, 5, 3, 1.25}, // halfway: 1 + 0.5·2/4
		{0.5, 5, 5, 1.5},  // full: 1 + factor
		{0, 5, 5, 1},      // disabled
		{2, 1, 1, 1},      // single slot: never slowed
		{1, 3, 0, 1},      // idle (before admission) counts as alone
	}
	for _, tt := range tests {
		m := &model{profile: Profile{LoadFactor: tt.factor, MaxInFlight: tt.max}}
		m.inFlight.Store(tt.inFlight)
		if got := m.loadFactor(); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("factor %v max %d inFlight %d: %v, want %v", tt.factor, tt.max, tt.inFlight, got, tt.want)
		}
	}
}

func TestFaultPick(t *testing.T) {
	f := Faults{HTTP429: 0.1, Truncate: 0.2}
	tests := []struct {
		u    float64
		want faultKind
	}{
		{0, fault429}, {0.099, fault429}, // [0, 0.1)
		{0.1, faultTruncate}, {0.29, faultTruncate}, // [0.1, 0.3)
		{0.3001, faultNone}, {0.99, faultNone}, // past the sum (0.1+0.2 is 0.30000000000000004 in float64)
	}
	for _, tt := range tests {
		if got := f.pick(tt.u); got != tt.want {
			t.Errorf("pick(%v) = %v, want %v", tt.u, got, tt.want)
		}
	}
}
