package runner

// Status is what happened to one planned request.
type Status string

const (
	// StatusOK: the stream ended with [DONE] (or a complete non-stream body).
	StatusOK Status = "ok"
	// StatusError: the request was sent and failed; ErrorClass says how.
	StatusError Status = "error"
	// StatusDropped: the plan wanted the request sent but max_in_flight was
	// reached, so it was never sent. Counted, never silently delayed.
	StatusDropped Status = "dropped"
)

// Error classes. A failure is data in the Result, never a dropped record.
//
// HTTP statuses other than 200 get the class a user can act on; the
// README's failure-classes table lists every class with what to do.
const (
	ClassAuth                = "auth"        // 401, 403: the key, or what it may use
	ClassNotFound            = "not_found"   // 404: the base URL or the model id
	ClassBadRequest          = "bad_request" // 400, 422: the request body
	ClassTooLarge            = "too_large"   // 413: the prompt
	ClassHTTP429             = "http_429"
	ClassHTTP4xx             = "http_4xx" // another 4xx
	ClassHTTP5xx             = "http_5xx"
	ClassHTTP3xx             = "http_3xx"              // a redirect: never followed
	ClassTLS                 = "tls"                   // TLS handshake failed (bad certificate, HTTPS to plain HTTP, …)
	ClassBadContentType      = "bad_content_type"      // a 200 that is not an event stream, or encoded other than gzip
	ClassEmptyResponse       = "empty_response"        // [DONE] without a token or a finish_reason
	ClassBufferBudget        = "buffer_budget"         // the run's budget for buffered event bytes was spent
	ClassConversationTooLong = "conversation_too_long" // a session's conversation outgrew what any context window holds: not sent
	ClassTimeout             = "timeout"               // whole-request deadline
	ClassTTFBTimeout         = "ttfb_timeout"          // no response headers in time
	ClassIdleTimeout         = "idle_timeout"          // gap between events too long
	ClassConnect             = "connect"               // dial / TLS failed
	ClassReset               = "reset"                 // connection reset or closed before a response
	ClassStreamTruncated     = "stream_truncated"      // body ended without data: [DONE]
	ClassStreamError         = "stream_error"          // an "event: error", an {"error":...} event, or a JSON error with status 200
	ClassBadSSE              = "bad_sse"               // an event that is not valid SSE/JSON
	ClassCanceled            = "canceled"              // the run was stopped while in flight
	ClassDropped             = "dropped"               // not sent: max_in_flight reached
	ClassOther               = "other"                 // anything else (a 2xx other than 200, an unknown transport error)
)

// Result is one line of results.jsonl: everything measured about one request.
//
// All offsets are microseconds. Intended and Sent are offsets from the run's
// start (the shared wall-clock start for shards); every other timestamp is
// measured from Sent on the monotonic clock.
type Result struct {
	Type   string `json:"type"` // always "result"
	K      int64  `json:"k"`    // global sequence number in the plan
	Target string `json:"target"`
	Model  string `json:"model"`
	Class  string `json:"class,omitempty"` // mix class the request came from
	Tier   string `json:"tier,omitempty"`  // tier the plan meant ("32k", "128k", "256k")
	Stage  int    `json:"stage"`
	Warmup bool   `json:"warmup,omitempty"` // recorded but excluded from statistics
	Prefix int    `json:"prefix_group,omitempty"`
	// Session and Turn place a turn of a multi-turn session: the session's
	// id and the turn's index from 1 (both absent outside sessions).
	Session int64 `json:"session,omitempty"`
	Turn    int   `json:"turn,omitempty"`

	IntendedUS int64 `json:"intended_us"` // when the plan wanted it sent (-1: closed loop, no plan time)
	SentUS     int64 `json:"sent_us"`     // when it was sent
	LagUS      int64 `json:"lag_us"`      // schedule lag: sent - intended (0 for closed loop)

	ConnectUS int64 `json:"connect_us,omitempty"`  // dial+TLS, when a new connection was made
	Reused    bool  `json:"conn_reused,omitempty"` // sent on a kept-alive connection
	WroteUS   int64 `json:"wrote_us,omitempty"`    // request (headers and body) fully written
	TTFBUS    int64 `json:"ttfb_us,omitempty"`     // first response byte (the status line)
	TTFTUS    int64 `json:"ttft_us,omitempty"`     // first token-bearing event (content, reasoning or tool call)
	TTFATUS   int64 `json:"ttfat_us,omitempty"`    // first answer content (after thinking)
	E2EUS     int64 `json:"e2e_us"`                // until [DONE], or until the failure
	// EventsUS are the arrival offsets of every token-bearing event (ITL is
	// their differences); EventChars the characters each carried (content +
	// reasoning + tool-call name and arguments, in runes).
	EventsUS   []int64 `json:"events_us,omitempty"`
	EventChars []int32 `json:"event_chars,omitempty"`
	// TokensPerEvent is the mean tokens per token-bearing event: server
	// usage completion_tokens / events when usage came, else the client's
	// estimate / events. ITL per token = ITL / TokensPerEvent.
	TokensPerEvent float64 `json:"tokens_per_event,omitempty"`

	Status     Status `json:"status"`
	HTTPStatus int    `json:"http_status,omitempty"`
	ErrorClass string `json:"error_class,omitempty"`
	Error      string `json:"error,omitempty"`
	// ErrorCode is the gateway's own error code (Ark's
	// "RateLimitExceeded.EndpointTPMExceeded", OpenAI's
	// "context_length_exceeded", else the envelope's type), kept beside the
	// class it maps to.
	ErrorCode  string `json:"error_code,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"` // the Retry-After header (scrubbed, cut to 64)
	RequestID  string `json:"request_id,omitempty"`  // the server's X-Request-Id (or X-Tt-Logid)
	// The endpoint's quota as its x-ratelimit-* headers said on this
	// response (zero when absent): per-minute limit, what was left, and the
	// time until it is full again, verbatim.
	RLLimitRequests     int64  `json:"rl_limit_requests,omitempty"`
	RLRemainingRequests int64  `json:"rl_remaining_requests,omitempty"`
	RLResetRequests     string `json:"rl_reset_requests,omitempty"`
	RLLimitTokens       int64  `json:"rl_limit_tokens,omitempty"`
	RLRemainingTokens   int64  `json:"rl_remaining_tokens,omitempty"`
	RLResetTokens       string `json:"rl_reset_tokens,omitempty"`
	Finish              string `json:"finish_reason,omitempty"`
	// ZeroCompletion marks a success that finished (a finish_reason came)
	// without producing anything: no token-bearing event, or server usage
	// of 0 completion tokens. The report counts these apart; an answer with
	// neither a token nor a finish_reason is a failure (empty_response).
	ZeroCompletion bool `json:"zero_completion,omitempty"`
	// ContentEncoding is the stream's encoding when the server compressed
	// it in spite of Accept-Encoding: identity ("gzip", decoded).
	ContentEncoding string `json:"content_encoding,omitempty"`

	// Token counts keep their provenance: Usage is what the server said (nil
	// when it said nothing); Est* are the client's own estimates.
	Usage *Usage `json:"usage,omitempty"`
	// UsageInvalid says why Usage cannot be believed (a negative count, a
	// count over MaxUsageTokens, cached > prompt); Usage is kept raw beside
	// it, and the report leaves it out of billing and throughput.
	UsageInvalid        string `json:"usage_invalid,omitempty"`
	EstPromptTokens     int    `json:"est_prompt_tokens,omitempty"`
	EstCompletionTokens int    `json:"est_completion_tokens,omitempty"`
	MaxTokens           int    `json:"max_tokens,omitempty"`
	ReasoningChars      int    `json:"reasoning_chars,omitempty"`
	ContentChars        int    `json:"content_chars,omitempty"`
	ToolChars           int    `json:"tool_chars,omitempty"`
	// Ground truth, when the server is the mock with truth on: its own
	// stamps in µs from when its handler was entered (see mockserver).
	TruthHeadersUS int64   `json:"truth_headers_us,omitempty"`
	TruthTTFTUS    int64   `json:"truth_ttft_us,omitempty"`
	TruthEventsUS  []int64 `json:"truth_events_us,omitempty"`
}

// Usage is the server's own token accounting (the usage chunk).
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	CachedTokens     int `json:"cached_tokens,omitempty"`
	ReasoningTokens  int `json:"reasoning_tokens,omitempty"`
}

// OK reports whether the request succeeded.
func (r *Result) OK() bool { return r.Status == StatusOK }
