package runner

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Config is everything a run needs; build it with the scenarios package.
type Config struct {
	Targets     []Target
	Stages      []Stage
	Requests    RequestSource
	MaxInFlight int // open loop: requests beyond this are recorded as dropped
	Timeouts    Timeouts
	Shard       Shard
	Start       time.Time    // the instant offset 0 stands for; zero: now
	Client      *http.Client // nil: NewHTTPClient sized to MaxInFlight
	// Sink receives every finished record, from many goroutines at once.
	Sink func(*Result)
}

// Stats are the run's own trust figures.
type Stats struct {
	Issued  int64
	Dropped int64
	Lags    []time.Duration // schedule lag of every sent open-loop request
	Elapsed time.Duration
}

// Run executes the plan until it ends or ctx is canceled. Canceling ctx
// stops issuing new requests; in-flight requests are canceled when
// drainCtx is done (pass the same ctx to stop at once).
func Run(ctx, drainCtx context.Context, cfg Config) (Stats, error) {
	if len(cfg.Targets) == 0 {
		return Stats{}, errors.New("no targets")
	}
	if cfg.Requests == nil || cfg.Sink == nil {
		return Stats{}, errors.New("runner: Requests and Sink are required")
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 1000
	}
	if cfg.Client == nil {
		cfg.Client = NewHTTPClient(cfg.MaxInFlight, cfg.Timeouts, false)
	}
	start := cfg.Start
	if start.IsZero() {
		start = time.Now()
	}
	if d := time.Until(start); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return Stats{}, ctx.Err()
		}
	}
	r := &run{cfg: cfg, start: start, str: &streamer{client: cfg.Client, timeouts: cfg.Timeouts}, drain: drainCtx}
	var k int64
	var stageStart time.Duration
	for i, st := range cfg.Stages {
		if ctx.Err() != nil {
			break
		}
		if st.Pacer != nil {
			k = r.openLoop(ctx, i, st, k, stageStart)
		} else {
			k = r.closedLoop(ctx, i, st, k, stageStart)
		}
		stageStart += st.Duration
	}
	r.wg.Wait()
	return Stats{Issued: r.issued.Load(), Dropped: r.dropped.Load(), Lags: r.lags, Elapsed: time.Since(start)}, nil
}

type run struct {
	cfg      Config
	start    time.Time
	str      *streamer
	drain    context.Context
	wg       sync.WaitGroup
	inFlight atomic.Int64
	issued   atomic.Int64
	dropped  atomic.Int64
	mu       sync.Mutex
	lags     []time.Duration
}

// openLoop sends requests at the pacer's times; it never waits for a free
// slot: a request that would exceed MaxInFlight is recorded as dropped.
func (r *run) openLoop(ctx context.Context, stage int, st Stage, k int64, offset time.Duration) int64 {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	Intended(st, func(_ uint64, at time.Duration) bool {
		kk := k
		k++
		if !r.cfg.Shard.Owns(kk) {
			return true
		}
		intended := offset + at
		if d := time.Until(r.start.Add(intended)); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return false
			}
		}
		if ctx.Err() != nil {
			return false
		}
		if r.inFlight.Load() >= int64(r.cfg.MaxInFlight) {
			r.dropped.Add(1)
			res := &Result{K: kk, Stage: stage, Warmup: st.Warmup, IntendedUS: us(intended), SentUS: -1,
				Status: StatusDropped, ErrorClass: ClassDropped, Error: "max_in_flight reached"}
			r.fillFromRequest(res, r.cfg.Requests.Request(kk))
			r.cfg.Sink(res)
			return true
		}
		r.inFlight.Add(1)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer r.inFlight.Add(-1)
			r.one(stage, st.Warmup, kk, intended, true)
		}()
		return true
	})
	return k
}

// closedLoop runs st.Concurrency users for st.Duration; request numbers
// continue from k in the order requests start.
func (r *run) closedLoop(ctx context.Context, stage int, st Stage, k int64, offset time.Duration) int64 {
	stageCtx, cancel := context.WithDeadline(ctx, r.start.Add(offset+st.Duration))
	defer cancel()
	var next atomic.Int64
	next.Store(k)
	var users sync.WaitGroup
	for u := 0; u < st.Concurrency; u++ {
		users.Add(1)
		go func() {
			defer users.Done()
			for stageCtx.Err() == nil {
				kk := next.Add(1) - 1
				if st.MaxRequests > 0 && kk-k >= st.MaxRequests {
					return
				}
				if !r.cfg.Shard.Owns(kk) {
					continue
				}
				r.inFlight.Add(1)
				r.wg.Add(1)
				r.one(stage, st.Warmup, kk, -1, false)
				r.inFlight.Add(-1)
				r.wg.Done()
			}
		}()
	}
	users.Wait()
	return next.Load()
}

func (r *run) fillFromRequest(res *Result, req Request) {
	t := &r.cfg.Targets[req.Target]
	res.Target, res.Model = t.Name, t.Model
	res.Class, res.Tier, res.Prefix = req.Class, req.Tier, req.Prefix
	res.EstPromptTokens, res.MaxTokens = req.EstPromptTokens, req.MaxTokens
}

func (r *run) one(stage int, warmup bool, k int64, intended time.Duration, open bool) {
	req := r.cfg.Requests.Request(k)
	res := &Result{K: k, Stage: stage, Warmup: warmup, IntendedUS: -1}
	r.fillFromRequest(res, req)
	sent := time.Since(r.start)
	res.SentUS = us(sent)
	if open {
		res.IntendedUS = us(intended)
		lag := sent - intended
		res.LagUS = us(lag)
		r.mu.Lock()
		r.lags = append(r.lags, lag)
		r.mu.Unlock()
	}
	r.issued.Add(1)
	r.str.do(r.drain, &r.cfg.Targets[req.Target], &req, res)
	res.EstCompletionTokens = estimateTokens(res.ContentChars + res.ReasoningChars)
	r.cfg.Sink(res)
}

// estimateTokens is the client's rough count: about 4 characters per token
// for English text. Server usage is preferred wherever it exists.
func estimateTokens(chars int) int { return (chars + 3) / 4 }
