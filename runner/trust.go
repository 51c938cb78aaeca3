package runner

import (
	"fmt"
	"time"
)

// TrustLimit decides when a run's own timing is too poor to trust its
// latencies: the schedule lag p99 must stay within
//
//	limit = max(Floor, TTFTFraction · TTFT p50)
//
// A generator that sends 20 ms late cannot claim a 50 ms TTFT p99; a 5 ms
// floor keeps short mock runs, whose TTFT is tiny, from failing on timer
// granularity alone.
type TrustLimit struct {
	Floor        time.Duration
	TTFTFraction float64
}

// DefaultTrustLimit is 5 ms or 5% of TTFT p50, whichever is larger.
var DefaultTrustLimit = TrustLimit{Floor: 5 * time.Millisecond, TTFTFraction: 0.05}

// Limit is the lag p99 allowed for a run whose TTFT p50 is ttftP50.
func (l TrustLimit) Limit(ttftP50 time.Duration) time.Duration {
	return max(l.Floor, time.Duration(l.TTFTFraction*float64(ttftP50)))
}

// evaluate fills the verdict fields of t.
func (l TrustLimit) evaluate(t *Trust) {
	limit := l.Limit(time.Duration(t.TTFTP50US) * time.Microsecond)
	t.LagLimitUS = us(limit)
	if t.LagP99US > t.LagLimitUS {
		t.Untrustworthy = true
		t.Reason = fmt.Sprintf("schedule lag p99 %s exceeds the limit %s (max of %s and %.0f%% of TTFT p50): the generator fell behind its schedule",
			fmtUS(t.LagP99US), fmtUS(t.LagLimitUS), l.Floor, 100*l.TTFTFraction)
	}
}

func fmtUS(v int64) string {
	return (time.Duration(v) * time.Microsecond).String()
}
