// Package runner is the instrument: it walks a schedule of requests, sends
// each one as a streaming chat completion over its own HTTP + SSE client,
// stamps what arrives on the monotonic clock, and hands one Result per
// request to a sink (normally the JSONL ResultsWriter).
//
// # Schedule
//
// Stages run back to back. An open-loop stage has a vegeta Pacer: one
// scheduling goroutine walks the plan (Intended), sleeps until each
// request's intended time and hands it to a worker pool that grows on demand
// up to MaxInFlight. When every worker is busy the request is recorded as
// dropped at its intended time: never sent late. A closed-loop stage has
// Concurrency users, each sending its next request when the last one ended.
// Every request has a sequence number k and, in an open loop, an intended
// time, both pure functions of the plan (see ClosedBlock), so shard i/N runs
// exactly the k with k mod N == i from an agreed start. Warm-up requests are
// recorded and flagged.
//
// # Timestamps
//
// All offsets are from "sent", the instant the request is handed to the
// transport: schedule lag = sent − intended; connect and request-written
// times and TTFB from httptrace; every SSE event is stamped with the time the
// Read that delivered it returned, before any parsing. TTFT is the first
// event whose delta carries non-empty content, reasoning text (under any of
// the names in reasoningFields) or a tool call (never the role chunk, an
// empty chunk or the usage chunk); every such
// event's offset and character count is kept (EventsUS, EventChars), so ITL
// and TPOT can be computed later. Events are decoded by a small validating
// scanner that reads only the needed fields and does not allocate.
//
// # Failures
//
// Per-request failures are data: each gets an error class a user can act on
// (auth, not_found, bad_request, too_large, http_429 with its Retry-After,
// http_5xx, http_3xx, tls, connect, reset, ttfb_timeout, idle_timeout,
// timeout, bad_content_type, stream_truncated, stream_error, bad_sse,
// empty_response, buffer_budget, canceled, dropped; see result.go) and a
// message. Every string a server supplies passes through the target's
// Scrubber before it is cut or kept, so no part of the API key is recorded.
// Redirects are never followed. There are no retries.
//
// # Trust
//
// Run measures its own timing: schedule lag quantiles, a wake-up probe (a
// goroutine sleeping 10 ms in a loop), drops and CPU. A run whose lag p99
// exceeds TrustLimit is marked untrustworthy.
//
// runner imports no other package of this module: scenarios build its
// inputs, report reads its output.
package runner
