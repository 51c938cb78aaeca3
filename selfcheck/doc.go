// Package selfcheck measures the harness's own error on this machine: it
// serves the built-in mock in-process on loopback with a fixed, jitter-free
// latency and ground-truth reporting, drives runner.Run against it at
// increasing load, and compares every measured timestamp with the time the
// mock says it wrote the bytes. The answer is a figure users can quote:
// "this machine measures TTFT accurately up to N concurrent streams / R
// req/s".
//
// selfcheck is a leaf, like cmd: it imports runner and mockserver and
// nothing imports it. It is a package rather than part of cmd/seedbench
// because the method (what is compared with what, which requests count,
// the statistics, the verdict) is too large to sit in a command file and
// is worth testing on its own; the command only parses flags and prints.
//
// # What is compared
//
// The client and the mock run in one process, so they share one monotonic
// clock, but each side measures from its own start of the request:
//
//   - measured TTFT (runner.Result.TTFTUS): from the client's "sent" stamp,
//     taken just before the request is handed to the transport, to the
//     arrival of the bytes that carried the first token-bearing event,
//     stamped by the runner's reader before any parsing;
//   - true TTFT (Result.TruthTTFTUS, the mock's seedbench_truth.ttft_us):
//     from the moment the mock's ServeHTTP was entered to the instant just
//     before the mock wrote and flushed the first token event.
//
// The difference
//
//	TTFT error = measured TTFT − true TTFT
//	           = (ServeHTTP entered − client sent)            request side
//	           + (client read the event − server about to write it)  response side
//
// is the time the measurement itself added: taking a pooled connection,
// writing the request, loopback transit in both directions, both kernels'
// socket wake-ups, both Go schedulers, and net/http parsing the request on
// the mock's side. Both terms are on one clock and cannot be negative, so
// neither can the error. Two parts of it belong to the mock, not the
// runner (net/http reading the request before ServeHTTP, and the write
// itself, including any time the mock's goroutine lost its CPU between
// the stamp and the write), so the figure is an upper bound of the
// runner's own error. The mock's sleep overshoot is not in it: the truth
// is stamped when the bytes are actually about to leave, however late.
//
// Which side drifted: selfcheck wraps the mock's handler and stamps, on the
// same clock, when it was entered and when each flush returned, and splits
// every request's TTFT error into three parts that add up to it:
//
//	request     = handler entered − client sent         (client transport, loopback, the mock's net/http)
//	mock write  = first-token flush returned − truth    (the mock's write, and its goroutine losing the CPU in it)
//	client read = error − request − mock write          (bytes in the client's socket → runner's stamp)
//
// Client read is the runner's own share, mock write the mock's; request is
// both sides', mostly the client's. Client read can be a few µs below zero:
// the client may read the bytes before the mock's write call has returned.
//
// Inter-token gaps are compared gap by gap,
//
//	ITL error[i] = (m[i] − m[i−1]) − (t[i] − t[i−1])
//
// with m the runner's event arrival offsets (Result.EventsUS) and t the
// mock's pre-write stamps (Result.TruthEventsUS). The two origins cancel, so no clock
// offset enters; the error is signed (reading event i−1 late makes gap i
// look short), and the check uses its absolute value.
//
// # Which requests count
//
// Each step starts with a warm-up at the same load (connections opened,
// runtime warm); requests sent during it are left out. A measured request
// that was not sent on a kept-alive connection is left out of the TTFT
// error: the dial is a real part
// of the latency a user sees, not an error of the measurement, but the
// mock's truth starts after it. Its gaps still count. A request that
// failed, was dropped or carried no truth fails the step, because the
// figures would silently leave it out.
//
// # Steps and verdict
//
// The mock has no jitter and no slowdown under load: every duration is
// exact and a pure function of the request. The requests differ as a real
// workload's do, deterministically: request k has a prompt that puts its
// TTFT at TTFT + (k mod P)·ITL/P, P = ITL/50 µs (through the mock's prefill
// cost per prompt token), and an answer length cycling through
// ⌈T/2⌉…⌈T/2⌉+T−1 tokens (mean ≈ T). So the streams' token events are
// spread over the ITL period, and closed-loop users started together drift
// apart within a request or two, instead of N streams sending their
// requests and receiving every token at the same microsecond for the whole
// step. Config.Lockstep (--lockstep) keeps that worst case on purpose: one
// TTFT, one length. Each step is a single runner stage whose first
// Config.Warmup is left out, because a second stage would start its users
// together again.
//
// Closed-loop steps hold N streams open (N users, each sending when its
// last request ends). Open-loop steps send R requests per second on
// vegeta's constant pacer; by default one per N, at the rate that keeps N
// streams open by Little's law, R = N / D with D the mean request
// duration (Config.RequestDuration). Open-loop steps also
// show the schedule lag (sent − intended), which says whether the load
// shape was held; it is not checked against the limit because it is
// recorded per request and corrected for (corrected latency = E2E + lag),
// so it does not make a measured latency wrong. Note that an idle Go
// process wakes its timers through epoll with a millisecond timeout, so
// the lag (and the wake-up lag below) of a lightly loaded step sits near
// 1 ms however good the pacer is.
//
// A step is within limits when nothing failed and the p99 of the TTFT
// error and of |ITL error| are at most the limit (1 ms by default). The verdict names the highest step of each
// kind within limits with every lower step of its kind within limits too.
// It is not trusted when even the lowest step of a kind is outside.
//
// Beside the errors each step reports, to explain them: the overshoot of a
// goroutine sleeping 10 ms in a loop (the scheduler delay every timestamp
// is exposed to, without any network), and the process's CPU time from
// getrusage (runner and mock together) in cores.
package selfcheck
