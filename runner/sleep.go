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
	// pacingTimers waits on Go timers alone (Config.TimersOnly, and paces
	// faster than busyGap).
	pacingTimers pacing = iota
	// pacingKernel sleeps the last preciseWindow of a wait in the kernel
	// while Go timers are late, as a blocking system call.
	pacingKernel
	// pacingKernelRaw is pacingKernel with a short kernel sleep (up to
	// rawSleepMax) taken raw, keeping the processor (sleep_linux.go): for
	// paces of rawGap or faster, where waits are that short.
	pacingKernelRaw
)

// rawGap is the slowest mean gap between sends at which the pacer's short
// kernel sleeps are raw. At 1,000/s and above the waits are a millisecond
// or less and the processor would mostly idle through them; at slower
// paces, where streams of earlier requests do most of the work, a raw
// sleep would take a processor from them: at 424/s with 500 streams open
// (seedbench selfcheck's open step) the schedule lag grew.
const rawGap = time.Millisecond

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
