// Package mockserver is an http.Handler that behaves like a Doubao Seed 2.0
// model behind an OpenAI-compatible gateway: streaming and non-streaming chat
// completions, thinking, prefix caching, limits, errors, injected faults and
// slowdown under load. It has no globals, so tests start as many as they like
// on :0, and it starts no goroutines of its own: Close cancels the requests in
// progress and waits for their handlers.
//
// mockserver imports no other package of this module.
//
// # Endpoints
//
//	POST /v1/chat/completions   stream and non-stream
//	GET  /v1/models             the configured model ids
//	GET  /healthz               "ok"
//	GET  /metrics               Prometheus (this server's own registry)
//	GET|PUT|DELETE /admin/faults  fault rates at runtime, loopback only, JSON bodies
//
// # Stream format
//
// Each event is "data: {json}\n\n", flushed as soon as the schedule reaches
// it: a first chunk with delta {"role":"assistant","content":""}; then
// "reasoning_content" deltas while the model thinks; then "content" deltas;
// a chunk with delta {} and finish_reason "stop" or "length"; when the
// request set stream_options.include_usage, a chunk with choices [] and the
// usage (prompt_tokens_details.cached_tokens,
// completion_tokens_details.reasoning_tokens); and "data: [DONE]". Every
// chunk but the usage chunk has "usage":null. A profile may add
// ": keep-alive" comments during silences.
//
// # Timing model
//
// The response headers and the role chunk are sent when the request gets a
// serving slot (after any queueing). The first token event follows after
//
//	prefill = TTFTBase + PrefillPerToken·uncached + PrefillPerCachedToken·cached
//
// and each later event carrying n tokens after
//
//	gap = ITL·n·exp(σZ − σ²/2)·(1 + LoadFactor·(inFlight−1)/(MaxInFlight−1))
//
// with Z standard normal and σ = ITLSpread (so the jitter has mean 1). Every
// duration is multiplied by Config.TimeScale. Events are scheduled against
// absolute deadlines, so a late wake-up does not shift the rest of the
// stream. With TimeScale 0 nothing waits and events are written in 16 KiB
// batches.
//
// # Capacity
//
// A model serves MaxInFlight requests at once and queues MaxQueue more, so
// it has a finite capacity: with every slot busy each request holds its
// slot for ServiceTime (prefill plus the decode gaps slowed by
// 1 + LoadFactor), and Profile.Capacity = MaxInFlight / ServiceTime requests
// per second (times 1/TimeScale), lower when RPM or TPM bind. Above it the
// queue grows, TTFT with it, and full queues answer 429.
//
// # Determinism
//
// Every random choice of a request (thinking, lengths, text, jitter, fault,
// where a mid-stream fault falls, the completion id) comes from a generator
// seeded with Config.Seed and the request's number. Requests are numbered
// in arrival order; a client may send its own number in the X-Seedbench-Seq
// header, which makes the outcome independent of arrival order (the
// runner's request index k is the natural choice). The prefix cache and
// the rate buckets depend on what came before, as on a real server.
//
// # Ground truth
//
// With Config.Truth set, the usage chunk of a stream (so the request must
// set stream_options.include_usage) carries an extension field:
//
//	"seedbench_truth":{"headers_us":H,"ttft_us":T,"events_us":[e0,e1,…]}
//
// All values are integer microseconds on the server's monotonic clock,
// measured from the moment ServeHTTP was entered for the request (after
// net/http read the request line and headers, before the body was read).
// events_us[i] is the instant just before the write (and flush) that
// carried the i-th token-bearing event (a chunk whose delta has non-empty
// reasoning_content or content; never the role, finish or usage chunk);
// ttft_us = events_us[0] (null if there was none); headers_us is the
// instant just before the headers and the role chunk were written. Events
// written in one batch share its time. Because the stamp precedes the write
// and the client's clock starts before the request reaches ServeHTTP, a
// client measuring from when it sent the request always sees each event at
// or after the truth; the difference is the request's transit, the write
// and the read path. Non-stream responses carry
// "seedbench_truth":{"response_us":R}, the offset at which the body was
// about to be written.
//
// # Faults
//
// Profile.Faults (and PUT /admin/faults at runtime) inject, each at a rate:
// HTTP 429 (with or without Retry-After), 500 and 503, a connection reset
// before the headers or mid-stream, slow headers, an error event
// mid-stream, truncation without [DONE], a mid-stream stall, an invalid
// JSON line, a keep-alive-only silence, CRLF line endings, one ~1 MiB event
// and a stream without its usage chunk. One draw per request picks at most one of them. Mid-stream
// faults happen just before a token event chosen uniformly among 1..N (N =
// after the last token event), so at least one token event is always sent
// first.
//
// # Serving
//
// NewHTTPServer wraps the handler in an http.Server whose read timeouts
// bound idle and slow (slowloris) clients; a request body that does not
// arrive in time gets 408 request_timeout. net/http lifts the read deadline
// once the body has been read, so streams of any length are never cut.
package mockserver
