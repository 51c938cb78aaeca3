package runner

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// slowSource builds each request only after a pause: the generator's own
// time between a user's answer and its next send (a stand-in for a slow
// sink, a busy CPU or an expensive request builder).
type slowSource struct {
	seqSource
	pause time.Duration
}

func (s slowSource) Request(k int64) Request {
	time.Sleep(s.pause)
	return s.seqSource.Request(k)
}

// TestUserSendDelay: closed-loop stages have no plan times, so a user's own
// delay between its previous answer and its next send is their schedule
// lag. A generator that makes every user wait 20 ms is untrustworthy, and
// the reason says it was the closed loop's sends; one that sends at once is
// not. Inside a synctest bubble the pauses and the endpoint's latency are
// virtual, so the delays are exact.
func TestUserSendDelay(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pause time.Duration
		bad   string // a word of the reason; "" trustworthy
	}{
		{"prompt", 0, ""},
		{"every send 20ms late", 20 * time.Millisecond, "closed-loop requests (100.0%) were sent more than 5ms after the user's previous answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ft := &fakeTransport{latency: ms(10)}
				_, st := runFake(t, ft, Config{Stages: []Stage{{Concurrency: 2, MaxRequests: 300}},
					Requests: slowSource{pause: tc.pause}})
				tr := st.Trust
				// 150 requests per user: 149 delays each.
				if tr.UserDelaySamples != 298 {
					t.Errorf("%d user delays recorded, want 298", tr.UserDelaySamples)
				}
				if tr.LagSamples != 0 {
					t.Errorf("%d schedule-lag samples in a closed loop", tr.LagSamples)
				}
				if tc.pause > 0 && (tr.UserDelayLate != 298 || tr.UserDelayP99US < 19_000 || tr.UserDelayP99US > 21_000) {
					t.Errorf("late %d, p99 %dµs; want every send about 20ms late", tr.UserDelayLate, tr.UserDelayP99US)
				}
				if tr.Untrustworthy != (tc.bad != "") || !strings.Contains(tr.Reason, tc.bad) {
					t.Errorf("untrustworthy %v (%s), want %q", tr.Untrustworthy, tr.Reason, tc.bad)
				}
			})
		})
	}
}

// TestSessionUserDelay: a session's later turns, and a closed-loop user's
// next session, are sent when the user is ready: previous answer plus
// think time. Their delays after that moment are the user's send delay;
// in a synctest bubble the generator takes no time, so they are nil.
func TestSessionUserDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{latency: ms(10)}
		res, st := runFake(t, ft, Config{Stages: []Stage{{Concurrency: 2, MaxRequests: 4}}, Sessions: testSessions{turns: 3}})
		if len(res) != 12 {
			t.Fatalf("%d records, want 4 sessions of 3 turns", len(res))
		}
		// Per user: 2 sessions of 3 turns, 6 sends, 5 after a previous answer.
		tr := st.Trust
		if tr.UserDelaySamples != 10 || tr.UserDelayMaxUS > 100 || tr.Untrustworthy {
			t.Errorf("%d user delays, max %dµs, untrustworthy %v (%s); want 10, none late", tr.UserDelaySamples, tr.UserDelayMaxUS, tr.Untrustworthy, tr.Reason)
		}
	})
}
