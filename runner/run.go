package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Config is everything a run needs; build it with the scenarios package.
type Config struct {
	Targets  []Target
	Stages   []Stage
	Requests RequestSource
	// Sessions, when set, makes every stage's arrivals multi-turn sessions
	// (see SessionSource); Requests then serves only drop records' fallback.
	Sessions SessionSource
	// MaxInFlight caps the open-loop requests in flight at once; one the
	// plan wants sent beyond it is recorded as dropped, never delayed.
	MaxInFlight int
	Timeouts    Timeouts
	Shard       Shard
	// Start is the instant offset 0 stands for; zero means now. Shards
	// agree on one wall-clock start; Run waits for it if it is ahead.
	Start time.Time
	// Client sends the requests; nil means NewHTTPClient sized to
	// MaxInFlight (and verifying TLS unless Insecure).
	Client   *http.Client
	Insecure bool
	// Sink receives every finished record, dropped ones included, from many
	// goroutines at once.
	Sink func(*Result)
	// Live, when set, is kept up to date for progress and metrics.
	Live *Live
	// TrustLimit judges the schedule lag; zero means DefaultTrustLimit.
	TrustLimit TrustLimit
	// TimersOnly paces on Go timers alone, without the kernel sleep for
	// the last 2 ms of each wait: about 1 ms less precise, but a virtual
	// clock (testing/synctest) advances it, which a kernel sleep, taking
	// real time, would not.
	TimersOnly bool
	// EventBudget bounds the event bytes all streams buffer together
	// beyond their read buffers; zero means DefaultEventBudget.
	EventBudget int64
}

// Stats are the run's counts and trust figures.
type Stats struct {
	Issued  int64 // requests sent
	Dropped int64 // requests the plan wanted but max_in_flight refused
	Elapsed time.Duration
	Trust   Trust
}

// DefaultMaxInFlight applies when Config.MaxInFlight is not set.
const DefaultMaxInFlight = 1000

// Run executes the plan until it ends or ctx is canceled, then waits for the
// requests in flight. Canceling ctx stops issuing; canceling drainCtx cancels
// the requests in flight (they are recorded as "canceled"), so a caller
// passes the same context twice to stop at once, or a drain context canceled
// after a grace period. Per-request failures are data in the Results; Run
// returns an error only when the Config cannot run.
func Run(ctx, drainCtx context.Context, cfg Config) (Stats, error) {
	if err := cfg.check(); err != nil {
		return Stats{}, err
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.Client == nil {
		cfg.Client = NewHTTPClient(cfg.MaxInFlight, cfg.Timeouts, cfg.Insecure)
	}
	if cfg.TrustLimit == (TrustLimit{}) {
		cfg.TrustLimit = DefaultTrustLimit
	}
	if cfg.Live == nil {
		cfg.Live = NewLive(cfg.Stages)
	}
	start, skew, err := waitForStart(ctx, cfg.Start, !cfg.TimersOnly)
	if err != nil {
		return Stats{}, err
	}
	defer tuneGC()()
	r := &run{cfg: cfg, start: start, issue: ctx, drain: drainCtx, live: cfg.Live, work: make(chan job)}
	r.str = newStreamer(cfg.Client, cfg.Timeouts, cfg.Targets)
	r.str.budget = newEventBudget(cfg.EventBudget)
	r.str.onSent = r.onSent
	r.drops = make(chan job, dropQueueSize)
	r.live.begin(start, cfg.TrustLimit)

	probeCtx, stopProbe := context.WithCancel(context.Background())
	probeDone := make(chan struct{})
	wake := NewHistogram()
	go wakeProbe(probeCtx, wake, &r.lateness, probeDone)
	dropsDone := make(chan struct{})
	go r.recordDrops(dropsDone)
	cpu0, host0 := processCPU(), sampleHost()

	var base int64 // next open-loop k
	closedBase := closedStart(cfg.Stages)
	var offset time.Duration
	for i, st := range cfg.Stages {
		if ctx.Err() != nil {
			break
		}
		r.live.enterStage(i, offset)
		if st.Open() {
			n, last, done := r.openLoop(ctx, i, st, base, offset)
			if !done {
				break
			}
			base += n
			if st.Duration > 0 {
				offset += st.Duration
			} else {
				offset += last
			}
		} else {
			if cfg.Sessions != nil {
				r.sessionClosedLoop(ctx, i, st, closedBase, offset)
			} else {
				r.closedLoop(ctx, i, st, closedBase, offset)
			}
			closedBase += Count(st)
			if st.Duration > 0 {
				offset += st.Duration
			} else {
				offset = time.Since(start)
			}
		}
	}
	close(r.work)
	r.wg.Wait()
	close(r.drops)
	<-dropsDone
	stopProbe()
	<-probeDone

	elapsed := time.Since(start)
	st := Stats{Issued: r.live.issued.Load(), Dropped: r.dropped.Load(), Elapsed: elapsed}
	st.Trust = r.trust(wake, processCPU()-cpu0, elapsed, host0)
	st.Trust.StartSkewUS = us(skew)
	return st, nil
}

// closedStart is the first k of the closed-loop stages: the open-loop
// stages' planned total (computed only when there is a closed-loop stage).
func closedStart(stages []Stage) int64 {
	var p int64
	for _, st := range stages {
		if !st.Open() {
			for _, o := range stages {
				if o.Open() {
					p += Count(o)
				}
			}
			return p
		}
	}
	return 0
}

func (c *Config) check() error {
	if len(c.Targets) == 0 {
		return errors.New("runner: no targets")
	}
	if len(c.Stages) == 0 {
		return errors.New("runner: no stages")
	}
	if c.Requests == nil && c.Sessions == nil || c.Sink == nil {
		return errors.New("runner: Requests (or Sessions) and Sink are required")
	}
	for i, st := range c.Stages {
		switch {
		case st.Open():
		case st.Concurrency <= 0:
			return fmt.Errorf("runner: stage %d (%s): neither a pacer nor a concurrency", i, st.Name)
		case st.Duration <= 0 && st.MaxRequests <= 0:
			return fmt.Errorf("runner: stage %d (%s): a closed-loop stage needs a duration or a request count", i, st.Name)
		}
	}
	if c.Shard.Count > 1 && (c.Shard.Index < 0 || c.Shard.Index >= c.Shard.Count) {
		return fmt.Errorf("runner: shard %d/%d out of range", c.Shard.Index, c.Shard.Count)
	}
	return nil
}

// waitForStart sleeps until start (when it is ahead) and returns it with a
// monotonic clock reading, so the schedule is immune to wall-clock steps,
// and how late the wake-up was (the shard's start skew).
func waitForStart(ctx context.Context, start time.Time, precise bool) (time.Time, time.Duration, error) {
	now := time.Now()
	if start.IsZero() {
		return now, 0, nil
	}
	mono := now.Add(start.Sub(now)) // start on now's monotonic clock
	t := time.NewTimer(never)
	defer t.Stop()
	how := pacingTimers
	if precise {
		how = pacingKernel
	}
	if !sleepUntil(ctx, t, mono, nil, how) {
		return time.Time{}, 0, context.Cause(ctx)
	}
	return mono, time.Since(mono), nil
}

// run is one Run in progress.
type run struct {
	cfg   Config
	start time.Time
	str   *streamer
	issue context.Context // canceled: stop issuing (a session's next turn too)
	drain context.Context
	live  *Live

	// The open-loop worker pool: workers is only touched by the scheduling
	// goroutine, busy by it and the workers.
	work    chan job
	workers int
	busy    atomic.Int64
	wg      sync.WaitGroup // workers and closed-loop users

	dropped atomic.Int64
	drops   chan job // dropped jobs on their way to recordDrops
	// lateness is how late Go timers fire now (the pacer's and the wake-up
	// probe's): the pacer sleeps in the kernel only while they are late.
	lateness timerLateness
}

// job is one request to send.
type job struct {
	k        int64
	stage    int
	warmup   bool
	intended time.Duration // offset from start; -1 in a closed loop
	session  bool          // k is a session id: run its turns (see session)
}

// openLoop walks the stage's plan on the scheduling goroutine: it sleeps
// until each request's intended time and hands it to an idle worker, starts
// a worker when none is idle, and records a drop when MaxInFlight workers
// are busy. It never waits for a slot. It returns how many sequence numbers
// the stage used, the last intended offset, and false if ctx ended it.
func (r *run) openLoop(ctx context.Context, stage int, st Stage, base int64, offset time.Duration) (n int64, last time.Duration, done bool) {
	timer := time.NewTimer(never)
	defer timer.Stop()
	done = true
	// meanGap follows the gap between this shard's planned sends (a moving
	// average over about 16), for the choice of pacing (busyGap, rawGap);
	// it starts above both, so a stage starts on timers and moves to the
	// kernel sleep if its pace is in the band where that pays.
	meanGap, prev := 2*rawGap, time.Duration(-1)
	Intended(st, func(hit uint64, at time.Duration) bool {
		k := base + int64(hit)
		n, last = int64(hit)+1, at
		if !r.cfg.Shard.Owns(k) {
			return true
		}
		intended := offset + at
		if prev >= 0 {
			meanGap += (intended - prev - meanGap) / 16
		}
		prev = intended
		if !sleepUntil(ctx, timer, r.start.Add(intended), &r.lateness, pacingFor(meanGap, r.cfg.TimersOnly)) {
			done = false
			return false
		}
		if !r.dispatch(ctx, job{k: k, stage: stage, warmup: st.Warmup, intended: intended, session: r.cfg.Sessions != nil}) {
			done = false
			return false
		}
		return true
	})
	return n, last, done
}

// dispatch hands j to the pool or records it as dropped. busy counts the
// workers with a job; a drop happens exactly when all MaxInFlight are busy.
// It returns false only when ctx ended while a drop waited for room in the
// drop queue (that request is then neither sent nor dropped: the run
// stopped before it).
func (r *run) dispatch(ctx context.Context, j job) bool {
	if r.busy.Load() >= int64(r.cfg.MaxInFlight) {
		return r.drop(ctx, j)
	}
	r.busy.Add(1)
	select {
	case r.work <- j: // an idle worker took it
		return true
	default:
	}
	if r.workers < r.cfg.MaxInFlight {
		r.workers++
		r.wg.Add(1)
		go r.worker(j)
		return true
	}
	// Every worker exists and one is not busy: it is between its last
	// job and its receive, and takes this one at once.
	r.work <- j
	return true
}

// dropQueueSize bounds the drops waiting to be recorded. The scheduler
// hands a drop over without waiting while there is room; in a storm that
// outruns recordDrops it waits for room (or for ctx), so a storm costs at
// most this many queued jobs of memory, records are written as fast as the
// sink takes them and no faster, and the plan falls behind its schedule,
// which the lag figures and the trust verdict then show.
const dropQueueSize = 4096

func (r *run) drop(ctx context.Context, j job) bool {
	select {
	case r.drops <- j:
	default:
		select {
		case r.drops <- j:
		case <-ctx.Done():
			return false
		}
	}
	r.dropped.Add(1)
	return true
}

func (r *run) worker(j job) {
	defer r.wg.Done()
	for {
		if j.session {
			r.session(r.issue, j, -1)
		} else {
			r.one(j)
		}
		r.busy.Add(-1)
		var ok bool
		if j, ok = <-r.work; !ok {
			return
		}
	}
}

// closedStage is what a closed-loop stage runs within: a context that ends
// at the stage's deadline (none without a duration), its users, and how
// many of them (requests, or sessions) it may start in all.
func (r *run) closedStage(ctx context.Context, st Stage, offset time.Duration) (stageCtx context.Context, cancel context.CancelFunc, users, limit int64) {
	stageCtx, cancel = ctx, func() {}
	if st.Duration > 0 {
		stageCtx, cancel = context.WithDeadline(ctx, r.start.Add(offset+st.Duration))
	}
	limit = ClosedBlock
	if st.MaxRequests > 0 {
		limit = st.MaxRequests
	}
	return stageCtx, cancel, int64(st.Concurrency), limit
}

// closedLoop runs st.Concurrency users: user u's j-th request is
// k = base + j·Concurrency + u, sent when its previous one has ended, until
// the stage's duration or request count is reached. A shard runs the users
// u with u mod Count == Index. Requests still in flight at the end of the
// stage finish while the next stage starts.
func (r *run) closedLoop(ctx context.Context, stage int, st Stage, base int64, offset time.Duration) {
	stageCtx, cancel, c, limit := r.closedStage(ctx, st, offset)
	defer cancel()
	var users sync.WaitGroup
	for u := int64(0); u < c; u++ {
		if !r.cfg.Shard.Owns(u) {
			continue
		}
		users.Add(1)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer users.Done()
			// The user's own send delay: from its previous answer (the
			// moment that request's stream was done) to its next send. This
			// is the closed loop's schedule lag: everything the generator
			// itself spends between the two (recording, building the next
			// request, waiting for a CPU) delays the user. These users have
			// no think time (sessions do: session.go), so the answer's end
			// is when the user is ready. Recorded after the send, never
			// between answer and send.
			prevDone := int64(-1)
			for idx := u; idx < limit && stageCtx.Err() == nil; idx += c {
				sent, done := r.one(job{k: base + idx, stage: stage, warmup: st.Warmup, intended: -1})
				r.userSent(prevDone, sent)
				prevDone = done
			}
		}()
	}
	allDone := make(chan struct{})
	go func() { users.Wait(); close(allDone) }()
	select {
	case <-allDone:
	case <-stageCtx.Done():
	}
}

// one sends request j and records it. It returns what send returns.
func (r *run) one(j job) (sentUS, doneUS int64) {
	req := r.cfg.Requests.Request(j.k)
	res := &Result{K: j.k, Stage: j.stage, Warmup: j.warmup, IntendedUS: -1}
	if j.intended >= 0 {
		res.IntendedUS = us(j.intended)
	}
	return r.send(&req, res)
}

// send sends req, fills res and hands it to the sink. It returns when the
// request was sent and when its stream was done, µs from the start (-1, -1
// when it was not sent), for a closed-loop user's send delay.
func (r *run) send(req *Request, res *Result) (sentUS, doneUS int64) {
	if !r.fill(res, req) {
		r.live.finish(res)
		r.cfg.Sink(res)
		return -1, -1
	}
	r.live.inFlight.Add(1)
	r.str.do(r.drain, req, res)
	doneUS = us(time.Since(r.start))
	r.live.inFlight.Add(-1)
	sentUS = res.SentUS
	estimate(res)
	r.live.finish(res)
	r.cfg.Sink(res)
	if sentUS < 0 {
		return -1, -1
	}
	return sentUS, doneUS
}

// userSent records a closed-loop send's delay after the moment its user
// was ready (previous answer done, plus any think time), µs from the
// start; nothing when there was no previous answer or no send.
func (r *run) userSent(readyUS, sentUS int64) {
	if readyUS >= 0 && sentUS >= 0 {
		r.live.userDelay(max(sentUS-readyUS, 0))
	}
}

// onSent stamps the send on the Result and feeds the lag figures:
// lag = sent − intended, in µs (never negative: a timer does not fire early,
// only rounding could make it so).
func (r *run) onSent(res *Result, sent time.Time) {
	res.SentUS = us(sent.Sub(r.start))
	open := res.IntendedUS >= 0
	if open {
		res.LagUS = max(res.SentUS-res.IntendedUS, 0)
	}
	r.live.sent(time.Duration(res.LagUS)*time.Microsecond, open)
}

// fill copies the request's description into the Result; false when the
// request names a target that does not exist (recorded as an error).
func (r *run) fill(res *Result, req *Request) bool {
	res.Class, res.Tier, res.Prefix = req.Class, req.Tier, req.Prefix
	res.EstPromptTokens, res.MaxTokens = req.EstPromptTokens, req.MaxTokens
	if req.Target < 0 || req.Target >= len(r.cfg.Targets) {
		res.SentUS = -1
		res.Status, res.ErrorClass = StatusError, ClassOther
		res.Error = fmt.Sprintf("request %d names target %d of %d", req.K, req.Target, len(r.cfg.Targets))
		return false
	}
	t := &r.cfg.Targets[req.Target]
	res.Target, res.Model = t.Name, t.Model
	return true
}

// estimate fills the client-side token estimates: about 4 characters per
// token for English text (server usage is preferred wherever it exists), and
// tokens per event = completion tokens / token-bearing events.
func estimate(res *Result) {
	res.EstCompletionTokens = estimateTokens(res.ContentChars + res.ReasoningChars + res.ToolChars)
	if n := len(res.EventsUS); n > 0 {
		tokens := res.EstCompletionTokens
		if res.UsageValid() && res.Usage.CompletionTokens > 0 {
			tokens = res.Usage.CompletionTokens
		}
		res.TokensPerEvent = float64(tokens) / float64(n)
	}
}

func estimateTokens(chars int) int { return (chars + 3) / 4 }

// trust computes the run's trust figures and verdict.
func (r *run) trust(wake interface {
	ValueAtQuantile(float64) int64
	Max() int64
	TotalCount() int64
}, cpu, elapsed time.Duration, host0 hostSample) Trust {
	l := r.live
	l.mu.Lock()
	t := Trust{Dropped: r.dropped.Load()}
	if l.lag.TotalCount() > 0 {
		t.LagP50US, t.LagP99US, t.LagMaxUS = l.lag.ValueAtQuantile(50), l.lag.ValueAtQuantile(99), l.lag.Max()
	}
	if l.ttft.TotalCount() > 0 {
		t.TTFTP50US = l.ttft.ValueAtQuantile(50)
	}
	limit := r.cfg.TrustLimit.Limit(time.Duration(t.TTFTP50US) * time.Microsecond)
	t.LagSamples, t.LateSends = lateSends(l.lag, limit)
	if l.user.TotalCount() > 0 {
		t.UserDelayP50US, t.UserDelayP99US, t.UserDelayMaxUS = l.user.ValueAtQuantile(50), l.user.ValueAtQuantile(99), l.user.Max()
	}
	t.UserDelaySamples, t.UserDelayLate = lateSends(l.user, limit)
	l.mu.Unlock()
	if wake.TotalCount() > 0 {
		t.WakeupP50US, t.WakeupP99US, t.WakeupMaxUS = wake.ValueAtQuantile(50), wake.ValueAtQuantile(99), wake.Max()
	}
	t.CPUSeconds = cpu.Seconds()
	if elapsed > 0 {
		t.CPUShare = cpu.Seconds() / (elapsed.Seconds() * float64(runtime.GOMAXPROCS(0)))
	}
	t.recordHost(host0)
	r.cfg.TrustLimit.evaluate(&t)
	return t
}

// recordDrops writes the record of every dropped job, off the scheduling
// goroutine: describing a request (through Describer when the source has
// it, else by building it) is not the scheduler's job. It ends when the
// drop queue is closed and empty.
func (r *run) recordDrops(done chan<- struct{}) {
	defer close(done)
	var describe func(int64) Request
	if r.cfg.Requests != nil {
		describe = r.cfg.Requests.Request
	}
	if d, ok := r.cfg.Requests.(Describer); ok {
		describe = d.Describe
	}
	for j := range r.drops {
		var req Request
		res := &Result{K: j.k, Stage: j.stage, Warmup: j.warmup, IntendedUS: us(j.intended), SentUS: -1}
		if j.session {
			// The session's first turn stands for the session: none of
			// its turns was sent.
			req = r.cfg.Sessions.Turn(j.k, 0).Request
			res.K, res.Session, res.Turn = req.K, j.k, 1
		} else {
			req = describe(j.k)
		}
		if r.fill(res, &req) {
			res.Status, res.ErrorClass = StatusDropped, ClassDropped
			res.Error = fmt.Sprintf("not sent: %d requests in flight (max_in_flight)", r.cfg.MaxInFlight)
		}
		r.live.finish(res)
		r.cfg.Sink(res)
	}
}
