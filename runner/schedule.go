package runner

import (
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Stage is one phase of the load: open loop (Pacer set) or closed loop
// (Concurrency virtual users). Stages run back to back.
type Stage struct {
	Name        string
	Pacer       vegeta.Pacer // open loop: when to send
	Concurrency int          // closed loop: users, each sending when its last request ends
	Duration    time.Duration
	MaxRequests int64 // 0: no limit other than Duration
	Warmup      bool  // recorded, flagged, excluded from statistics
}

// Open reports whether the stage is paced (open loop).
func (st Stage) Open() bool { return st.Pacer != nil }

// Shard selects the requests k with k mod Count == Index.
type Shard struct {
	Index, Count int
}

// Owns reports whether the shard runs request k.
func (s Shard) Owns(k int64) bool {
	if s.Count <= 1 {
		return true
	}
	return k%int64(s.Count) == int64(s.Index)
}

// ClosedBlock is how many sequence numbers an uncapped closed-loop stage
// reserves. A closed-loop stage has no plan times, only users: user u's
// j-th request is k = base + j·Concurrency + u, the same whatever the
// responses' timing. To keep every k a pure function of the plan, open-loop
// stages are numbered first (0 … P−1, P their planned total), and
// closed-loop stages after them, each taking MaxRequests numbers, or
// ClosedBlock (2³², far more than any run sends) when it has no cap. Only a
// plan with two uncapped closed-loop stages has a gap in its numbers.
const ClosedBlock int64 = 1 << 32

// Intended walks an open-loop stage's pacer in virtual time and calls fn with
// each request's intended offset from the stage start, in order, until the
// pacer stops, the duration ends or fn returns false. It is a pure function of
// the pacer and the stage, which is what lets shards agree on the plan.
//
// Like vegeta's attack loop, a hit is due once the pacer's wait has elapsed,
// and a hit exactly at Duration still belongs to the stage: a constant rate r
// for duration d is r·d requests.
func Intended(st Stage, fn func(hit uint64, at time.Duration) bool) {
	var elapsed time.Duration
	var hits uint64
	for {
		if st.Duration > 0 && elapsed > st.Duration {
			return
		}
		if st.MaxRequests > 0 && hits >= uint64(st.MaxRequests) {
			return
		}
		wait, stop := st.Pacer.Pace(elapsed, hits)
		if stop {
			return
		}
		if wait > 0 {
			elapsed += wait
			continue
		}
		if st.Duration > 0 && elapsed > st.Duration {
			return
		}
		if !fn(hits, elapsed) {
			return
		}
		hits++
	}
}

// Count is the number of sequence numbers stage st uses: its pacer hits for
// an open-loop stage, MaxRequests or ClosedBlock for a closed-loop one. A
// constant pacer's count is worked out, not walked (see constantCount);
// other pacers are walked hit by hit.
func Count(st Stage) int64 {
	if !st.Open() {
		if st.MaxRequests > 0 {
			return st.MaxRequests
		}
		return ClosedBlock
	}
	if n, ok := constantCount(st); ok {
		return n
	}
	var n int64
	Intended(st, func(uint64, time.Duration) bool { n++; return true })
	return n
}

// CountUpTo is Count when it is cheap: worked out for a constant pacer and
// a closed-loop stage, walked for other pacers only while the walk takes at
// most limit hits. ok is false for a longer walk: the caller estimates, or
// does without, rather than spend time in proportion to the plan before
// the first request.
func CountUpTo(st Stage, limit int64) (n int64, ok bool) {
	if !st.Open() {
		return Count(st), true
	}
	if n, ok := constantCount(st); ok {
		return n, true
	}
	Intended(st, func(uint64, time.Duration) bool { n++; return n <= limit })
	if n > limit {
		return 0, false
	}
	return n, true
}

// constantCount is the hit count of a stage paced by vegeta's
// ConstantPacer. Its Pace sends hit h at (h+1)·interval, with interval =
// Per/Freq in whole nanoseconds, never earlier (in virtual time the walk
// is never behind), so a stage of duration D holds ⌊D/interval⌋ hits, at
// most MaxRequests. ok is false where Pace behaves otherwise (zero rate,
// an interval under a nanosecond, no duration).
func constantCount(st Stage) (int64, bool) {
	cp, ok := st.Pacer.(vegeta.ConstantPacer)
	if !ok || cp.Freq <= 0 || cp.Per <= 0 || st.Duration <= 0 {
		return 0, false
	}
	interval := int64(cp.Per) / int64(cp.Freq)
	if interval <= 0 {
		return 0, false
	}
	n := int64(st.Duration) / interval
	if st.MaxRequests > 0 {
		n = min(n, st.MaxRequests)
	}
	return n, true
}
