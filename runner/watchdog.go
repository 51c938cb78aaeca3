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

// watchdog enforces the time-to-first-byte and idle timeouts of one request
// with a single timer. The read path only stores the offset of the latest
// arrival (one atomic store per read, no timer reset); when the timer fires
// it checks how long the stream has really been silent and either cancels
// the request or sleeps for the rest of the idle allowance:
//
//	silent = now − lastArrival; silent ≥ Idle → cancel, else fire again in Idle − silent.
type watchdog struct {
	timer   *time.Timer
	cancel  context.CancelCauseFunc
	sent    time.Time
	ttfb    time.Duration
	idle    time.Duration
	headers atomic.Bool
	last    atomic.Int64 // offset from sent of the latest arrival, ns
}

// start arms the watchdog at the moment the request is sent. It returns nil
// when neither timeout is set.
func startWatchdog(cancel context.CancelCauseFunc, sent time.Time, ttfb, idle time.Duration) *watchdog {
	if ttfb <= 0 && idle <= 0 {
		return nil
	}
	w := &watchdog{cancel: cancel, sent: sent, ttfb: ttfb, idle: idle}
	d := ttfb
	if d <= 0 {
		d = never // the idle phase re-arms it
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
	if w.idle <= 0 {
		w.timer.Stop()
		return
	}
	w.timer.Reset(w.idle)
}

// activity records an arrival at offset at.
func (w *watchdog) activity(at time.Duration) { w.last.Store(int64(at)) }

func (w *watchdog) fire() {
	if !w.headers.Load() {
		if w.ttfb <= 0 {
			return
		}
		w.cancel(errTTFBTimeout)
		return
	}
	if w.idle <= 0 {
		return
	}
	silent := time.Since(w.sent) - time.Duration(w.last.Load())
	if silent >= w.idle {
		w.cancel(errIdleTimeout)
		return
	}
	w.timer.Reset(w.idle - silent)
}

func (w *watchdog) stop() {
	if w != nil {
		w.timer.Stop()
	}
}

// never is a timer duration that does not come (about 146 years).
const never = time.Duration(1<<63 - 1)
