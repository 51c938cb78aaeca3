package runner

import "time"

// Target is one endpoint + model the run sends to (a "variant").
type Target struct {
	Name    string
	Model   string
	BaseURL string // OpenAI-compatible base, e.g. https://gw.example/api/v3 (…/chat/completions is appended)
	// APIKey is sent as a bearer token. It is never written anywhere: Result,
	// Header and every error message are built without it.
	APIKey  string
	Headers map[string]string
}

// Info is the Target as it may be recorded.
func (t Target) Info() TargetInfo {
	return TargetInfo{Name: t.Name, Model: t.Model, BaseURL: t.BaseURL}
}

// Timeouts bound each phase of a request; zero means no limit for that phase.
type Timeouts struct {
	Connect time.Duration // dial + TLS handshake
	TTFB    time.Duration // request sent → response headers
	Idle    time.Duration // longest gap between two SSE lines
	Total   time.Duration // whole request
}

// DefaultTimeouts suit long-context streaming: a 256K-token prompt may take
// tens of seconds to prefill, and a 128K-token answer minutes to stream.
var DefaultTimeouts = Timeouts{Connect: 10 * time.Second, TTFB: 120 * time.Second, Idle: 60 * time.Second, Total: 15 * time.Minute}

// Request is one planned request, built deterministically from (scenario,
// seed, K) by a RequestSource.
type Request struct {
	K               int64
	Target          int // index into Config.Targets
	Class           string
	Tier            string
	Prefix          int
	EstPromptTokens int
	MaxTokens       int
	// ContextAPI sends the request to the Context API's chat endpoint
	// ({base}/context/chat/completions) instead of {base}/chat/completions:
	// its body names a cached context (context_id) in place of the prefix.
	ContextAPI bool
	// Body is the complete JSON request body, model and stream options
	// included, built once; the runner sends it as is.
	Body []byte
	// answer, set on a session's turn, collects the streamed answer.
	answer *answerBuf
}

// RequestSource builds request k. It must be a pure function of k (and the
// scenario and seed it was made from) so shards agree, and cheap enough to call
// from a worker goroutine (not the scheduler).
type RequestSource interface {
	Request(k int64) Request
}

// Describer is a RequestSource that can also describe request k (target,
// class, tier, lengths) without building its body. Dropped requests are
// recorded through it when the source has it: a drop storm then costs a
// record each, not a synthesised prompt each.
type Describer interface {
	Describe(k int64) Request
}
