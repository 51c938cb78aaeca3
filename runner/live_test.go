package runner

import (
	"testing"
	"time"
)

// TestLiveSnapshot: the live figures say when a warmup stage runs and split
// the sends judged for timing into on time and late, against the trust
// limit as it stands (max of the floor and a share of the TTFT p50 so far).
func TestLiveSnapshot(t *testing.T) {
	stages := []Stage{{Name: "warmup", Pacer: rate(10), Duration: time.Second, Warmup: true}, {Name: "steady", Pacer: rate(10), Duration: time.Second}}
	l := NewLive(stages)
	if s := l.Snapshot(); s.OnTime != 0 || s.Late != 0 || !s.Warmup {
		t.Errorf("before the run: on time %d, late %d, warmup %v", s.OnTime, s.Late, s.Warmup)
	}
	l.begin(time.Now(), TrustLimit{Floor: 5 * time.Millisecond, TTFTFraction: 0.05})
	l.enterStage(0, 0)
	for _, lag := range []time.Duration{time.Millisecond, 4 * time.Millisecond, 30 * time.Millisecond} {
		l.sent(lag, true)
	}
	l.sent(time.Hour, false) // closed loop: no plan time, not judged by lag
	s := l.Snapshot()
	if !s.Warmup || s.StageName != "warmup" {
		t.Errorf("stage %q, warmup %v: want the warmup stage", s.StageName, s.Warmup)
	}
	if s.OnTime != 2 || s.Late != 1 || s.LateLimit != 5*time.Millisecond {
		t.Errorf("on time %d, late %d over %s; want 2 and 1 over 5ms", s.OnTime, s.Late, s.LateLimit)
	}
	// A closed-loop user's send delay is judged like a lag: one prompt,
	// one 8 ms after its answer.
	l.userDelay(300)
	l.userDelay(8000)
	if s := l.Snapshot(); s.OnTime != 3 || s.Late != 2 {
		t.Errorf("with two user delays: on time %d, late %d; want 3 and 2", s.OnTime, s.Late)
	}
	// A TTFT p50 of 400 ms raises the limit to 20 ms: the 30 ms send is
	// still late, the 8 ms user delay no longer, and the stage is no
	// longer warmup.
	l.enterStage(1, time.Second)
	l.finish(&Result{Status: StatusOK, Target: "mini", TTFTUS: 400_000})
	s = l.Snapshot()
	if s.Warmup || s.OnTime != 4 || s.Late != 1 || s.LateLimit < 19*time.Millisecond || s.LateLimit > 21*time.Millisecond {
		t.Errorf("warmup %v, on time %d, late %d over %s; want measured, 4 and 1 over 20ms", s.Warmup, s.OnTime, s.Late, s.LateLimit)
	}
}

// TestLiveRecordAllocs: recording a send's lag or a user's send delay, on
// every request, allocates nothing.
func TestLiveRecordAllocs(t *testing.T) {
	l := NewLive(nil)
	if n := testing.AllocsPerRun(1000, func() { l.sent(3*time.Millisecond, true); l.userDelay(700) }); n != 0 {
		t.Fatalf("%v allocations per record", n)
	}
}
