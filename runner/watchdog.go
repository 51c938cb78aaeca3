package runner

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Causes given to a request's context when a timeout ends it; classify maps
// them to error classes.
var (
	errTTFBTimeout  = errors.New("no response headers in time")
	errIdleTimeout  = errors.New("no data in time")
	errTotalTimeout = errors.New("request took too long")
)

// watchdog enforces the time-to-first-byte, idle and total timeouts of one
// request with a single timer (no context deadline, no timer reset per
// event). The read path only stores the offset of the latest arrival (one
// atomic store per read); when the timer fires, fire works out which limit,
// if any, has passed and otherwise sleeps until the nearest one:
//
//	draining after [DONE]: now ≥ drain end      → errDrain (drainFor)
//	total:  now ≥ Total                        → timeout
//	before the headers: now ≥ TTFB             → ttfb_timeout
//	after them: silent = now − lastArrival ≥ Idle → idle_timeout
//	else fire again at the nearest of Total − now, TTFB − now, Idle − silent.
//
// A wake-up that comes early only recomputes, so concurrent re-arming by
// gotHeaders and fire is harmless.
type watchdog struct {
	timer             *time.Timer
	cancel            context.CancelCauseFunc
	sent              time.Time
	ttfb, idle, total time.Duration
	headers           atomic.Bool
	last              atomic.Int64 // offset from sent of the latest arrival, ns
	drainBy           atomic.Int64 // offset from sent when draining must end, ns (0: not draining)
}

// startWatchdog arms the watchdog at the moment the request is sent. It
// returns nil when no timeout is set.
func startWatchdog(cancel context.CancelCauseFunc, sent time.Time, t Timeouts) *watchdog {
	if t.TTFB <= 0 && t.Idle <= 0 && t.Total <= 0 {
		return nil
	}
	w := &watchdog{cancel: cancel, sent: sent, ttfb: t.TTFB, idle: t.Idle, total: t.Total}
	d := never
	if w.ttfb > 0 {
		d = w.ttfb
	}
	if w.total > 0 {
		d = min(d, w.total)
	}
	// The timer exists before any callback can run, so fire never sees a
	// half-built watchdog.
	w.timer = time.AfterFunc(d, w.fire)
	return w
}

// gotHeaders switches from the TTFB phase to the idle phase.
func (w *watchdog) gotHeaders(at time.Duration) {
	w.last.Store(int64(at))
	w.headers.Store(true)
	if w.idle > 0 {
		d := w.idle
		if w.total > 0 {
			d = min(d, w.total-at)
		}
		w.timer.Reset(max(d, 0))
	}
}

// drainFor ends the request (errDrain) if it is still reading d from now:
// the body after [DONE] gets d, then the connection is dropped.
func (w *watchdog) drainFor(d time.Duration) {
	now := time.Since(w.sent)
	w.drainBy.Store(int64(now + d))
	if w.total > 0 {
		d = min(d, max(w.total-now, 0))
	}
	w.timer.Reset(d)
}

// activity records an arrival at offset at.
func (w *watchdog) activity(at time.Duration) { w.last.Store(int64(at)) }

func (w *watchdog) fire() {
	now := time.Since(w.sent)
	next := never
	if by := time.Duration(w.drainBy.Load()); by > 0 {
		if now >= by {
			w.cancel(errDrain)
			return
		}
		next = by - now
	}
	if w.total > 0 {
		if now >= w.total {
			w.cancel(errTotalTimeout)
			return
		}
		next = min(next, w.total-now)
	}
	if !w.headers.Load() {
		if w.ttfb > 0 {
			if now >= w.ttfb {
				w.cancel(errTTFBTimeout)
				return
			}
			next = min(next, w.ttfb-now)
		}
	} else if w.idle > 0 {
		silent := now - time.Duration(w.last.Load())
		if silent >= w.idle {
			w.cancel(errIdleTimeout)
			return
		}
		next = min(next, w.idle-silent)
	}
	if next < never {
		w.timer.Reset(next)
	}
}

func (w *watchdog) stop() {
	if w != nil {
		w.timer.Stop()
	}
}

// never is a timer duration that does not come (about 146 years).
const never = time.Duration(1<<63 - 1)
