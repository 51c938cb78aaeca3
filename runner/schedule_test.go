package runner

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestIntended checks the plan walk: pure, vegeta's convention (the first
// hit one interval in, a hit at the stage's end included).
func TestIntended(t *testing.T) {
	for _, tc := range []struct {
		name  string
		st    Stage
		first []time.Duration
		n     int64
	}{
		// 10/s for 1 s: 100 ms apart, the last at 1 s.
		{"10/s for 1s", Stage{Pacer: rate(10), Duration: time.Second}, []time.Duration{ms(100), ms(200), ms(300)}, 10},
		// a request cap ends the stage before its duration.
		{"capped", Stage{Pacer: rate(10), Duration: time.Minute, MaxRequests: 4}, []time.Duration{ms(100), ms(200), ms(300)}, 4},
		// 3/s does not divide a second: 333.333333 ms apart, truncated to ns.
		{"3/s", Stage{Pacer: rate(3), Duration: time.Second}, []time.Duration{333333333, 666666666, 999999999}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []time.Duration
			Intended(tc.st, func(hit uint64, at time.Duration) bool {
				if int(hit) != len(got) {
					t.Fatalf("hit %d out of order", hit)
				}
				got = append(got, at)
				return true
			})
			if int64(len(got)) != tc.n || Count(tc.st) != tc.n {
				t.Fatalf("got %d hits (Count %d), want %d", len(got), Count(tc.st), tc.n)
			}
			for i, want := range tc.first {
				if got[i] != want {
					t.Errorf("hit %d at %v, want %v", i, got[i], want)
				}
			}
		})
	}
}

// TestOpenLoopExactTimes: with virtual time, every request is sent exactly
// at its intended time (lag 0), in k order, across two back-to-back stages,
// and warmup is flagged only in the first.
func TestOpenLoopExactTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{latency: ms(40)}
		res, st := runFake(t, ft, Config{Stages: []Stage{
			{Name: "warmup", Pacer: rate(10), Duration: time.Second, Warmup: true}, // k 0..9 at 0.1..1.0 s
			{Name: "steady", Pacer: rate(20), Duration: time.Second},               // k 10..29 at 1.05..2.0 s
		}, MaxInFlight: 10})
		if len(res) != 30 || st.Issued != 30 || st.Dropped != 0 {
			t.Fatalf("got %d results, %d issued, %d dropped; want 30, 30, 0", len(res), st.Issued, st.Dropped)
		}
		for i, r := range res {
			want := ms(100 * (i + 1))
			stage, warm := 0, true
			if i >= 10 {
				want, stage, warm = time.Second+ms(50*(i-9)), 1, false
			}
			if r.K != int64(i) || r.IntendedUS != us(want) || r.SentUS != r.IntendedUS || r.LagUS != 0 {
				t.Errorf("k=%d: intended %dµs sent %dµs lag %dµs, want k=%d intended=sent=%dµs", r.K, r.IntendedUS, r.SentUS, r.LagUS, i, us(want))
			}
			if r.Stage != stage || r.Warmup != warm || !r.OK() || r.E2EUS != 40000 || r.TTFTUS != 40000 {
				t.Errorf("k=%d: stage %d warmup %v status %s e2e %d ttft %d", r.K, r.Stage, r.Warmup, r.Status, r.E2EUS, r.TTFTUS)
			}
		}
		if st.Trust.LagP99US != 0 || st.Trust.Untrustworthy {
			t.Errorf("trust %+v, want zero lag", st.Trust)
		}
		if ft.peak != 1 {
			t.Errorf("peak concurrency %d, want 1 (40 ms requests 50 ms apart never overlap)", ft.peak)
		}
	})
}

// TestOpenLoopDrops: at max_in_flight the request is recorded as dropped
// at its intended time, never sent late.
func TestOpenLoopDrops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 10/s for 1 s, 250 ms each, 2 slots. Sends at 100, 200 (busy till
		// 350, 450); 300 finds both busy: dropped; 400 and 500 go; 600
		// dropped; 700, 800 go; 900 dropped; 1000 goes.
		ft := &fakeTransport{latency: ms(250)}
		res, st := runFake(t, ft, Config{Stages: []Stage{{Pacer: rate(10), Duration: time.Second}}, MaxInFlight: 2})
		var dropped []int64
		for _, r := range res {
			switch r.Status {
			case StatusDropped:
				dropped = append(dropped, r.IntendedUS/1000)
				if r.SentUS != -1 || r.ErrorClass != ClassDropped || r.Target != "a" {
					t.Errorf("k=%d: dropped record %+v", r.K, r)
				}
			case StatusOK:
				if r.LagUS != 0 {
					t.Errorf("k=%d sent %dµs late; a full pool must drop, not delay", r.K, r.LagUS)
				}
			default:
				t.Errorf("k=%d: %s %s", r.K, r.ErrorClass, r.Error)
			}
		}
		if fmt.Sprint(dropped) != "[300 600 900]" || st.Dropped != 3 || st.Issued != 7 || st.Trust.Dropped != 3 {
			t.Errorf("dropped at %v ms (%d), issued %d; want [300 600 900], 3, 7", dropped, st.Dropped, st.Issued)
		}
		if ft.peak != 2 {
			t.Errorf("peak concurrency %d, want 2", ft.peak)
		}
	})
}

// TestClosedLoop: N users each send when their last request ends; k is
// base + j·N + u whatever the timing.
func TestClosedLoop(t *testing.T) {
	for _, tc := range []struct {
		name    string
		st      Stage
		latency time.Duration
		want    int
		// per user u, the start offsets of its requests (ms)
		sends string
	}{
		// 3 users × 300 ms for 1 s: sends at 0, 300, 600, 900 (the last
		// ends after the stage, and finishes).
		{"duration", Stage{Concurrency: 3, Duration: time.Second}, ms(300), 12, "[0 300 600 900]"},
		// 3 users, 7 requests: users 0 and 1 send three, user 2 two.
		{"capped", Stage{Concurrency: 3, MaxRequests: 7}, ms(100), 7, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ft := &fakeTransport{latency: tc.latency}
				res, st := runFake(t, ft, Config{Stages: []Stage{tc.st}})
				if len(res) != tc.want || st.Issued != int64(tc.want) {
					t.Fatalf("%d results, %d issued; want %d", len(res), st.Issued, tc.want)
				}
				if ft.peak != tc.st.Concurrency {
					t.Errorf("peak concurrency %d, want %d", ft.peak, tc.st.Concurrency)
				}
				byUser := map[int64][]int64{}
				for i, r := range res {
					if r.K != int64(i) || r.IntendedUS != -1 || r.LagUS != 0 || !r.OK() {
						t.Errorf("result %d: k=%d intended %d lag %d status %s", i, r.K, r.IntendedUS, r.LagUS, r.Status)
					}
					u := r.K % int64(tc.st.Concurrency)
					byUser[u] = append(byUser[u], r.SentUS/1000)
				}
				for u, sends := range byUser {
					if tc.sends != "" && fmt.Sprint(sends) != tc.sends {
						t.Errorf("user %d sent at %v ms, want %s", u, sends, tc.sends)
					}
				}
			})
		})
	}
}

// TestStagesMixed: closed- and open-loop stages back to back. Open-loop
// stages are numbered first (k 0..3), closed-loop ones after (4..7, then
// 8.. for the uncapped one); each stage starts when the previous ends.
func TestStagesMixed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{latency: ms(100)}
		res, _ := runFake(t, ft, Config{Stages: []Stage{
			{Concurrency: 2, MaxRequests: 4},     // k 4..7 at 0, 0, 100, 100 ms; done at 200 ms
			{Pacer: rate(10), Duration: ms(300)}, // k 0..2 at 300, 400, 500 ms
			{Concurrency: 1, Duration: ms(250)},  // from 500 ms: k 8, 9, 10 at 500, 600, 700
			{Pacer: rate(10), Duration: ms(100)}, // k 3 at 850 ms
		}})
		var got []string
		for _, r := range res {
			got = append(got, fmt.Sprintf("%d@%d", r.K, r.SentUS/1000))
		}
		want := "[0@300 1@400 2@500 3@850 4@0 5@0 6@100 7@100 8@500 9@600 10@700]"
		if fmt.Sprint(got) != want {
			t.Errorf("got  %v\nwant %s", got, want)
		}
	})
}

// TestShard: shard i/N runs exactly the k with k mod N == i, at the same
// intended times as the unsharded plan.
func TestShard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{latency: ms(10)}
		res, _ := runFake(t, ft, Config{Stages: []Stage{{Pacer: rate(10), Duration: time.Second}}, Shard: Shard{Index: 1, Count: 3}})
		var got []string
		for _, r := range res {
			got = append(got, fmt.Sprintf("%d@%d", r.K, r.IntendedUS/1000))
		}
		if fmt.Sprint(got) != "[1@200 4@500 7@800]" {
			t.Errorf("shard 1/3 ran %v", got)
		}
	})
}

// TestTargetsInterleaved: two targets share the same window, alternating.
func TestTargetsInterleaved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{latency: ms(10)}
		res, _ := runFake(t, ft, Config{
			Targets: []Target{{Name: "mini", BaseURL: "http://fake"}, {Name: "pro", BaseURL: "http://fake"}},
			Stages:  []Stage{{Pacer: rate(10), Duration: time.Second}},
		})
		for i, r := range res {
			want := []string{"mini", "pro"}[i%2]
			if r.Target != want {
				t.Errorf("k=%d went to %s, want %s", r.K, r.Target, want)
			}
		}
	})
}

// TestStopIssuing: canceling the issue context stops the schedule; the
// requests in flight finish and are recorded.
func TestStopIssuing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{latency: ms(500)}
		var c collector
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(ms(350), cancel) // after k 0, 1, 2 were sent
		st, err := Run(ctx, context.Background(), Config{
			Targets: []Target{{Name: "a", BaseURL: "http://fake"}}, Requests: seqSource{1}, Sink: c.sink,
			Stages: []Stage{{Pacer: rate(10), Duration: time.Second}}, Client: &http.Client{Transport: ft}, TimersOnly: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		res := c.sorted()
		if len(res) != 3 || st.Issued != 3 {
			t.Fatalf("%d results, %d issued; want 3", len(res), st.Issued)
		}
		for _, r := range res {
			if !r.OK() {
				t.Errorf("k=%d: %s (in-flight requests must finish)", r.K, r.ErrorClass)
			}
		}
	})
}

// TestDrainCancel: canceling the drain context cancels the requests in
// flight, recorded as canceled.
func TestDrainCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{latency: time.Hour}
		var c collector
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(ms(250), cancel)
		st, err := Run(ctx, ctx, Config{
			Targets: []Target{{Name: "a", BaseURL: "http://fake"}}, Requests: seqSource{1}, Sink: c.sink,
			Stages: []Stage{{Pacer: rate(10), Duration: time.Second}}, Client: &http.Client{Transport: ft}, TimersOnly: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		res := c.sorted()
		if len(res) != 2 || st.Issued != 2 {
			t.Fatalf("%d results, %d issued; want 2", len(res), st.Issued)
		}
		for _, r := range res {
			if r.ErrorClass != ClassCanceled {
				t.Errorf("k=%d: class %q, want canceled", r.K, r.ErrorClass)
			}
		}
	})
}

// TestTrustLimit: the limit is max(floor, fraction·TTFT p50); the verdict
// judges the share of late sends (given enough of them), the worst send and
// the wake-up probe, and names the likely cause.
func TestTrustLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   Trust
		bad  string // "" trustworthy, else a word of the reason
	}{
		// 2 of 1000 late: under 1%.
		{"few late", Trust{LagSamples: 1000, LateSends: 2, LagMaxUS: 40_000, TTFTP50US: 10_000}, ""},
		// 30 of 1000 late: over 1%.
		{"many late", Trust{LagSamples: 1000, LateSends: 30, LagMaxUS: 40_000, TTFTP50US: 10_000}, "30 of 1000"},
		// 2 of 50 is 4%, but 50 sends are too few to judge a share: one
		// hiccup must not flip the verdict.
		{"few samples", Trust{LagSamples: 50, LateSends: 2, LagMaxUS: 40_000}, ""},
		// One send 150 ms late: over 20 × the 5 ms floor.
		{"one stall", Trust{LagSamples: 50, LateSends: 1, LagMaxUS: 150_000}, "150ms late"},
		// 5% of a 200 ms TTFT p50 is 10 ms: 150 ms is under 20 × 10 ms.
		{"limit follows TTFT", Trust{LagSamples: 50, LateSends: 1, LagMaxUS: 150_000, TTFTP50US: 4_000_000}, ""},
		// Closed loop: no sends judged, but the wake-up probe was late.
		{"late timers", Trust{WakeupP99US: 30_000}, "wake-up"},
		// Open loop with enough sends: their own lag judges, not the probe.
		{"open loop, late timers", Trust{LagSamples: 1000, LateSends: 2, LagMaxUS: 9_000, WakeupP99US: 30_000}, ""},
		// The cause: a loaded host is named.
		{"loaded host", Trust{WakeupP99US: 30_000, LoadAvg1: 9.7, CPUs: 2}, "load average 9.7 on 2 CPUs: other processes"},
		// Closed loop with enough user delays: 30 of 1000 sends left more
		// than 5 ms after the user's answer; 2 of 1000 is within 1%.
		{"users late", Trust{UserDelaySamples: 1000, UserDelayLate: 30, UserDelayMaxUS: 40_000}, "30 of 1000 closed-loop requests"},
		{"users few late", Trust{UserDelaySamples: 1000, UserDelayLate: 2, UserDelayMaxUS: 40_000}, ""},
		// One user stalled 150 ms, over 20 × the floor, however few sends.
		{"user stall", Trust{UserDelaySamples: 20, UserDelayLate: 1, UserDelayMaxUS: 150_000}, "closed-loop user sent 150ms after"},
		// The user delays name the closed loop's problem before the probe.
		{"users late, timers late", Trust{UserDelaySamples: 1000, UserDelayLate: 30, UserDelayMaxUS: 40_000, WakeupP99US: 30_000}, "after the user's previous answer"},
		{"nothing measured", Trust{}, ""},
	} {
		tr := tc.tr
		DefaultTrustLimit.evaluate(&tr)
		if tr.Untrustworthy != (tc.bad != "") || !strings.Contains(tr.Reason, tc.bad) {
			t.Errorf("%s: untrustworthy %v (%s), want %q", tc.name, tr.Untrustworthy, tr.Reason, tc.bad)
		}
	}
	if got := DefaultTrustLimit.Limit(200 * time.Millisecond); got != 10*time.Millisecond {
		t.Errorf("limit for TTFT p50 200ms = %s, want 10ms", got)
	}
}

// TestConstantCountMatchesWalk: the worked-out count of a constant stage is
// the count of walking it, over rates, durations and caps that do and do
// not divide evenly.
func TestConstantCountMatchesWalk(t *testing.T) {
	for _, freq := range []int{1, 3, 7, 1000, 1001, 33_333, 999_999, 5_000_000} {
		for _, per := range []time.Duration{time.Second, 1000 * time.Second, 7 * time.Millisecond} {
			for _, d := range []time.Duration{time.Nanosecond, time.Millisecond, 999 * time.Millisecond, time.Second, 3*time.Second + 1} {
				for _, max := range []int64{0, 1, 17} {
					st := Stage{Pacer: vegeta.ConstantPacer{Freq: freq, Per: per}, Duration: d, MaxRequests: max}
					if max == 0 && float64(freq)*d.Seconds()/per.Seconds() > 200_000 {
						continue // a long walk proves no more
					}
					var walked int64
					Intended(st, func(uint64, time.Duration) bool { walked++; return true })
					if got := Count(st); got != walked {
						t.Errorf("Freq %d Per %v D %v max %d: Count %d, walk %d", freq, per, d, max, got, walked)
					}
				}
			}
		}
	}
}

// TestCountUpTo: a walk longer than the limit is not taken.
func TestCountUpTo(t *testing.T) {
	lin := Stage{Pacer: vegeta.LinearPacer{StartAt: vegeta.ConstantPacer{Freq: 100, Per: time.Second}, Slope: 10}, Duration: 10 * time.Second}
	full := Count(lin)
	if n, ok := CountUpTo(lin, full); !ok || n != full {
		t.Errorf("limit = count: %d %v, want %d", n, ok, full)
	}
	if _, ok := CountUpTo(lin, full-1); ok {
		t.Error("a walk over the limit was taken")
	}
	huge := Stage{Pacer: vegeta.ConstantPacer{Freq: 1_000_000_000, Per: time.Second}, Duration: time.Hour}
	if n, ok := CountUpTo(huge, 10); !ok || n != 3_600_000_000_000 {
		t.Errorf("constant: %d %v", n, ok)
	}
}

// TestTimerLateness: one late timer switches the pacer to the kernel sleep
// at once; on-time timers bring it back after a calm spell, not at once.
func TestTimerLateness(t *testing.T) {
	var l timerLateness
	if l.late() {
		t.Fatal("late before any timer fired")
	}
	l.observe(50 * time.Microsecond)
	if l.late() {
		t.Fatal("late after a timer 50 µs late")
	}
	l.observe(900 * time.Microsecond)
	if !l.late() {
		t.Fatal("not late after a timer 900 µs late")
	}
	l.observe(10 * time.Microsecond)
	if !l.late() {
		t.Fatal("one on-time timer cleared a late one")
	}
	n := 0
	for ; l.late(); n++ {
		l.observe(10 * time.Microsecond)
	}
	if n < 10 || n > 40 {
		t.Fatalf("%d on-time timers to clear a 900 µs late one, want 10–40", n)
	}
}

// TestPacingFor: the raw kernel sleep only for paces from 800/s to
// 4,000/s; timers above (a busy process) and below (a late timer costs
// little, a kernel sleep costs the streams), and always under TimersOnly.
func TestPacingFor(t *testing.T) {
	for _, c := range []struct {
		perSec     float64
		timersOnly bool
		want       pacing
	}{
		{100, false, pacingTimers},
		{424, false, pacingTimers},
		{799, false, pacingTimers},
		{800, false, pacingKernelRaw},
		{1000, false, pacingKernelRaw},
		{2000, false, pacingKernelRaw},
		{4000, false, pacingKernelRaw},
		{4001, false, pacingTimers},
		{6000, false, pacingTimers},
		{2000, true, pacingTimers},
	} {
		gap := time.Duration(float64(time.Second) / c.perSec)
		if got := pacingFor(gap, c.timersOnly); got != c.want {
			t.Errorf("%g/s (gap %s), timers only %v: pacing %d, want %d", c.perSec, gap, c.timersOnly, got, c.want)
		}
	}
}
