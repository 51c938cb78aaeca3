// Package runner is the instrument: it walks a schedule of requests (open-loop
// pacing through vegeta's Pacer interface, or closed-loop virtual users), sends
// each one as a streaming chat completion over its own HTTP+SSE client, stamps
// the arrival of the first byte, the first token and every token-bearing event
// on the monotonic clock, and streams one Result per request to a JSONL file.
//
// runner imports no other package of this module: scenarios build its inputs,
// report reads its output.
package runner
