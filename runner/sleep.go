package runner

import (
	"context"
	"sync/atomic"
	"time"
)

// preciseWindow is the last stretch of a wait that sleepUntil sleeps in the
// kernel instead of on a Go timer, when Go timers are late. Go's timers are
// served by the network poller, which on Linux waits in whole milliseconds
// when the process is idle, so a timer for 200 µs fires ~1 ms late; at
// 1,000 req/s and above that lateness is the schedule lag. nanosleep on the
// scheduling goroutine's thread wakes within tens of microseconds.
const preciseWindow = 2 * time.Millisecond

// busyGap is the mean gap between planned sends below which the pacer
// stays on Go timers whatever their lateness. At such paces the process is
// busy: its timers are checked at every scheduling point and fire within
// microseconds, and a kernel sleep, which at these paces is raw and holds
// a processor (sleep_linux.go), would take a core from the requests for
// most of every interval. At 6,000/s (167 µs apart) timers alone sent
// as many requests on time as the kernel sleep and cost 15–20 % less CPU
// per request (BenchmarkRaceSeedbench, SEEDBENCH_RACE_RATE=6000, with and
// without SEEDBENCH_BENCH_TIMER). The test is on the mean gap, not on each
// wait: a Poisson pace of 1,000/s has many short gaps, and those still
// need the kernel sleep when the process idles between them.
const busyGap = 250 * time.Microsecond

// timersLate is how late a Go timer may fire before the pacer switches to
// the kernel sleep for the end of each wait.
const timersLate = 200 * time.Microsecond

// timerLateness tracks how late Go timers fire right now, so the pacer
// pays for precision only when it buys some. The kernel sleep is precise
// but dear: a wake-up for every request where a late timer sends two or
// three at once, and, as a blocking call, the runtime handing the
// processor to another thread and back (at 2,000/s a third of the client's
// CPU, BenchmarkRaceSeedbench with and without SEEDBENCH_BENCH_TIMER; the
// raw sleep of pacingKernelRaw took most of the hand-off away: 316 → 231 ms
// per 1,000 requests, against 206 on timers alone). A busy process, the usual
// case at high rates, checks its timers at every scheduling point and fires
// them within microseconds; an idle one sleeps in the poller by whole
// milliseconds. So every wake-up seen, the pacer's own on timers and the
// wake-up probe's, feeds a decaying maximum, and the pacer sleeps in the
// kernel while it is above timersLate.
type timerLateness struct{ ns atomic.Int64 }

// observe notes a timer that fired over late: the maximum jumps up at once
// and decays by 1/16 a sample, so a burst of late timers switches to the
// kernel sleep immediately and a calm spell switches back.
func (l *timerLateness) observe(over time.Duration) {
	for {
		old := l.ns.Load()
		v := max(int64(over), old-old/16)
		if l.ns.CompareAndSwap(old, v) {
			return
		}
	}
}

func (l *timerLateness) late() bool { return time.Duration(l.ns.Load()) > timersLate }

// pacing is how sleepUntil waits.
type pacing uint8

const (
	// pacingTimers waits on Go timers alone: Config.TimersOnly, paces
	// faster than busyGap (timers are on time in a busy process) and paces
	// slower than rawGap (see there).
	pacingTimers pacing = iota
	// pacingKernel sleeps the last preciseWindow of a wait in the kernel
	// while Go timers are late, as a blocking system call: the run's
	// aligned start (waitForStart), a single wait.
	pacingKernel
	// pacingKernelRaw is pacingKernel with a short kernel sleep (up to
	// rawSleepMax) taken raw, keeping the processor (sleep_linux.go): paces
	// from 800/s to 4,000/s (rawGap to busyGap), where waits are short and
	// a late timer would be most of the gap.
	pacingKernelRaw
)

// rawGap is the slowest mean gap between sends the pacer sleeps in the
// kernel for. Slower paces wait on timers: a late timer costs them at most
// about a millisecond of schedule lag, far inside the trust limit, while a
// kernel sleep of up to preciseWindow per request costs the streams of
// earlier requests either a processor (raw) or, as a blocking call, the
// wait until the runtime hands the sleeping thread's processor on. seedbench
// selfcheck --streams 500 --duration 8s, its 424/s step, 8 runs each
// alternating: TTFT error p99 36.6 ms (4.5–164) with the blocking kernel
// sleep, 4.1 ms (2.6–51) on timers; schedule lag p99 5.7 vs 3.5 ms. It is
// 1.25 ms (800/s), not 1 ms, so that a pace of 1,000/s stays precise: the
// moving average of a Poisson pace's gaps swings about a fifth around its
// mean, and at 1 ms half of such a stage went to timers (7 runs each:
// 91 % of sends within 1 ms of plan against 99 % before).
const rawGap = 1250 * time.Microsecond

// pacingFor is how an open-loop stage whose sends are meanGap apart
// waits: the raw kernel sleep (while timers are late) from busyGap to
// rawGap, timers otherwise and always under Config.TimersOnly.
func pacingFor(meanGap time.Duration, timersOnly bool) pacing {
	if !timersOnly && meanGap >= busyGap && meanGap <= rawGap {
		return pacingKernelRaw
	}
	return pacingTimers
}

// sleepUntil waits until due or until ctx is done (false). With lateness
// nil or late timers (and a kernel pacing), the last preciseWindow is
// slept in the kernel; otherwise the whole wait is on the timer, whose
// overshoot is observed.
func sleepUntil(ctx context.Context, timer *time.Timer, due time.Time, lateness *timerLateness, how pacing) bool {
	d := time.Until(due)
	if d <= 0 {
		return ctx.Err() == nil
	}
	kernel := how != pacingTimers && (lateness == nil || lateness.late())
	coarse := d
	if kernel {
		coarse = d - preciseWindow
	}
	if coarse > 0 {
		timer.Reset(coarse)
		select {
		case <-timer.C:
		case <-ctx.Done():
			return false
		}
		if !kernel && lateness != nil {
			lateness.observe(-time.Until(due))
		}
	}
	if kernel {
		kernelSleepUntil(due, how == pacingKernelRaw)
	}
	return ctx.Err() == nil
}
