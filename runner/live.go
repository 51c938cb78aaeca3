package runner

import (
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Live is the run in progress, for progress lines and /metrics. Counters
// are atomics; the histograms take a mutex once per finished request. A Live
// is filled by one Run; readers call Snapshot at any time.
type Live struct {
	issued, finished, ok, failed, dropped, inFlight atomic.Int64

	stage      atomic.Int64 // index of the running stage
	stageStart atomic.Int64 // its offset from the start, ns
	started    atomic.Int64 // unix ns of the run's offset 0 (0: not started)

	stages  []Stage
	planned time.Duration

	mu     sync.Mutex
	limit  TrustLimit              // how late a send may be; set when the run begins
	ttft   *hdrhistogram.Histogram // successful, non-warmup requests
	lag    *hdrhistogram.Histogram // sent open-loop requests
	user   *hdrhistogram.Histogram // closed-loop users' delays from answer to next send
	errors map[string]int64        // by error class, warmup included
	byTgt  map[string]*TargetLive
}

// TargetLive is one target's share of the live figures.
type TargetLive struct {
	OK, Failed, Dropped int64
	// TTFT of its successful, non-warmup requests.
	TTFT *hdrhistogram.Histogram
}

// NewLive returns an empty Live for a run of these stages.
func NewLive(stages []Stage) *Live {
	l := &Live{stages: stages, ttft: NewHistogram(), lag: NewHistogram(), user: NewHistogram(), errors: map[string]int64{}, byTgt: map[string]*TargetLive{}}
	for _, st := range stages {
		l.planned += st.Duration
	}
	return l
}

func (l *Live) begin(start time.Time, limit TrustLimit) {
	l.mu.Lock()
	l.limit = limit
	l.mu.Unlock()
	l.started.Store(start.UnixNano())
}

func (l *Live) enterStage(i int, offset time.Duration) {
	l.stageStart.Store(int64(offset))
	l.stage.Store(int64(i))
}

func (l *Live) sent(lag time.Duration, open bool) {
	l.issued.Add(1)
	if open {
		l.mu.Lock()
		RecordMicros(l.lag, us(lag))
		l.mu.Unlock()
	}
}

// userDelay records a closed-loop user's delay (µs) between its previous
// answer and its next send.
func (l *Live) userDelay(us int64) {
	l.mu.Lock()
	RecordMicros(l.user, us)
	l.mu.Unlock()
}

func (l *Live) finish(r *Result) {
	l.finished.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.byTgt[r.Target]
	if t == nil {
		t = &TargetLive{TTFT: NewHistogram()}
		l.byTgt[r.Target] = t
	}
	switch r.Status {
	case StatusOK:
		l.ok.Add(1)
		t.OK++
		if !r.Warmup && r.TTFTUS > 0 {
			RecordMicros(l.ttft, r.TTFTUS)
			RecordMicros(t.TTFT, r.TTFTUS)
		}
	case StatusDropped:
		l.dropped.Add(1)
		t.Dropped++
	default:
		l.failed.Add(1)
		t.Failed++
		l.errors[r.ErrorClass]++
	}
}

// Snapshot is the live figures at one instant.
type Snapshot struct {
	Elapsed, Planned time.Duration
	Stage            int
	StageName        string
	// TargetRate is the plan's rate right now (requests/s); 0 in a
	// closed-loop stage, whose Concurrency is set instead.
	TargetRate  float64
	Concurrency int
	// Warmup is set while a warmup stage runs: its requests are recorded
	// but left out of every figure.
	Warmup bool

	// OnTime and Late split the sends judged for timing: those within
	// LateLimit of their plan (open loop) or of the user's previous answer
	// (closed loop) and those later (the trust criterion's
	// "sent late", with the limit as it stands now: max(floor, a share of
	// the TTFT p50 so far)).
	OnTime, Late int64
	LateLimit    time.Duration

	Issued, Finished, OK, Failed, Dropped, InFlight int64

	TTFTP50, TTFTP99       time.Duration
	LagP50, LagP99, LagMax time.Duration
	Errors                 map[string]int64
	Targets                map[string]TargetSnapshot
}

// TargetSnapshot is one target's live figures.
type TargetSnapshot struct {
	OK, Failed, Dropped int64
	TTFTP50, TTFTP99    time.Duration
}

// Snapshot copies the live figures.
func (l *Live) Snapshot() Snapshot {
	s := Snapshot{Planned: l.planned}
	if st := l.started.Load(); st != 0 {
		s.Elapsed = max(time.Since(time.Unix(0, st)), 0)
	}
	s.Issued, s.Finished = l.issued.Load(), l.finished.Load()
	s.OK, s.Failed, s.Dropped, s.InFlight = l.ok.Load(), l.failed.Load(), l.dropped.Load(), l.inFlight.Load()
	if i := int(l.stage.Load()); i < len(l.stages) {
		st := l.stages[i]
		s.Stage, s.StageName, s.Warmup = i, st.Name, st.Warmup
		if st.Open() {
			s.TargetRate = st.Pacer.Rate(s.Elapsed - time.Duration(l.stageStart.Load()))
		} else {
			s.Concurrency = st.Concurrency
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	q := func(h *hdrhistogram.Histogram, p float64) time.Duration {
		if h.TotalCount() == 0 {
			return 0
		}
		return time.Duration(h.ValueAtQuantile(p)) * time.Microsecond
	}
	s.TTFTP50, s.TTFTP99 = q(l.ttft, 50), q(l.ttft, 99)
	s.LagP50, s.LagP99 = q(l.lag, 50), q(l.lag, 99)
	if l.lag.TotalCount() > 0 {
		s.LagMax = time.Duration(l.lag.Max()) * time.Microsecond
	}
	if l.limit != (TrustLimit{}) {
		s.LateLimit = l.limit.Limit(s.TTFTP50)
		judged, late := lateSends(l.lag, s.LateLimit)
		uj, ul := lateSends(l.user, s.LateLimit)
		s.OnTime, s.Late = judged-late+uj-ul, late+ul
	}
	s.Errors = maps.Clone(l.errors)
	s.Targets = make(map[string]TargetSnapshot, len(l.byTgt))
	for name, t := range l.byTgt {
		s.Targets[name] = TargetSnapshot{OK: t.OK, Failed: t.Failed, Dropped: t.Dropped, TTFTP50: q(t.TTFT, 50), TTFTP99: q(t.TTFT, 99)}
	}
	return s
}

// ShortDuration prints a duration with three significant digits (152ms,
// 1.24s, 310µs): the live line's and the trust line's figures.
func ShortDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.3gs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3gms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%dµs", d.Microseconds())
	}
}
