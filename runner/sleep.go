package runner

import (
	"context"
	"time"
)

// preciseWindow is the last stretch of a wait that sleepUntil sleeps in the
// kernel instead of on a Go timer. Go's timers are served by the network
// poller, which on Linux waits in whole milliseconds, so a timer for 200 µs
// fires ~1 ms late; at 1,000 req/s and above that lateness is the schedule
// lag. nanosleep on the scheduling goroutine's thread wakes within tens of
// microseconds.
const preciseWindow = 2 * time.Millisecond

// sleepUntil waits until due or until ctx is done (false). With precise
// the last preciseWindow of the wait is slept in the kernel; without, on
// the Go timer alone (Config.TimersOnly).
func sleepUntil(ctx context.Context, timer *time.Timer, due time.Time, precise bool) bool {
	d := time.Until(due)
	if d <= 0 {
		return ctx.Err() == nil
	}
	coarse := d
	if precise {
		coarse = d - preciseWindow
	}
	if coarse > 0 {
		timer.Reset(coarse)
		select {
		case <-timer.C:
		case <-ctx.Done():
			return false
		}
	}
	if precise {
		if d := time.Until(due); d > 0 {
			kernelSleep(d)
		}
	}
	return ctx.Err() == nil
}
