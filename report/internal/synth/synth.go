package synth

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/seedbench/seedbench/runner"
)

// Target is one synthetic variant.
type Target struct {
	Name  string
	Model string
	// TTFTScale multiplies every time to first token (1 = the base model);
	// compare tests inject a regression with 1.2.
	TTFTScale float64
}

// Config describes a synthetic run.
type Config struct {
	Seed     int64
	Scenario string
	Requests int     // measured requests, all targets, warmup excluded
	Warmup   int     // extra warmup requests before them (flagged, excluded by the report)
	Rate     float64 // planned requests per second, all targets together
	Targets  []Target
	// FailureRate is the exact share of each target's measured requests that
	// fail (in every block of 1,000 a fixed permutation picks which).
	FailureRate float64
	// DropRate is the share recorded as dropped (never sent).
	DropRate float64
	// MaxEvents caps token-bearing events per request (default 64).
	MaxEvents int
	// ZeroCompletion is how many of the first measured successes finish
	// with a reason but no completion token (content_filter, no event,
	// server usage of 0 completion tokens).
	ZeroCompletion int
	// Resolved is put in the header as the resolved scenario (SLO block …).
	Resolved json.RawMessage
}

// Start is the fixed wall-clock start of every synthetic run.
var Start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Header is the results header the run would have written.
func Header(cfg Config) runner.Header {
	infos := make([]runner.TargetInfo, len(cfg.Targets))
	for i, t := range cfg.Targets {
		infos[i] = runner.TargetInfo{Name: t.Name, Model: t.Model, BaseURL: "builtin-mock"}
	}
	total := cfg.Requests + cfg.Warmup
	// One steady stage at cfg.Rate, after a warmup stage when there is
	// one; the last request is planned at the window's end.
	var stages []runner.StageInfo
	if cfg.Warmup > 0 {
		stages = append(stages, runner.StageInfo{Name: "warmup", Warmup: true, Seconds: float64(cfg.Warmup) / cfg.Rate, Rate: cfg.Rate, Planned: int64(cfg.Warmup)})
	}
	from := float64(cfg.Warmup) / cfg.Rate
	stages = append(stages, runner.StageInfo{Name: "steady", StartS: from, Seconds: float64(cfg.Requests-1) / cfg.Rate, Rate: cfg.Rate, Planned: int64(cfg.Requests)})
	return runner.Header{
		Type: "header", Tool: "seedbench synth", Scenario: cfg.Scenario, PlanHash: "synthetic",
		Seed: cfg.Seed, Start: Start, ShardCount: 1, Targets: infos, Resolved: cfg.Resolved,
		TargetRate: cfg.Rate, PlannedSecs: float64(total) / cfg.Rate, Planned: int64(total), Stages: stages,
	}
}

// Write writes a whole results file: header, records in k order, footer.
func Write(w io.Writer, cfg Config) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(Header(cfg)); err != nil {
		return err
	}
	var issued, dropped int64
	err := Records(cfg, func(r *runner.Result) error {
		if r.Status == runner.StatusDropped {
			dropped++
		} else {
			issued++
		}
		return enc.Encode(r)
	})
	if err != nil {
		return err
	}
	end := Start.Add(time.Duration(float64(cfg.Requests+cfg.Warmup)/cfg.Rate*float64(time.Second)) + 5*time.Second)
	if err := enc.Encode(runner.Footer{Type: "footer", End: end, Issued: issued, Dropped: dropped,
		Trust: runner.Trust{LagP50US: 180, LagP99US: 900, LagMaxUS: 2400, WakeupP99US: 1100, WakeupMaxUS: 3000, CPUSeconds: 1.5, LagLimitUS: 5000}}); err != nil {
		return err
	}
	return bw.Flush()
}

// tiers of the synthetic mix: the planned tier and the prompt-length range.
var tiers = []struct {
	name     string
	share    float64
	min, max int
}{
	{"32k", 0.70, 500, 31000},
	{"128k", 0.20, 33000, 127000},
	{"256k", 0.10, 129000, 250000},
}

var failClasses = []struct {
	class  string
	status int
	share  float64
}{
	{runner.ClassHTTP429, 429, 0.40},
	{runner.ClassHTTP5xx, 503, 0.25},
	{runner.ClassTimeout, 0, 0.15},
	{runner.ClassStreamTruncated, 200, 0.20},
}

// Records calls fn with every record in k order. The record is reused
// between calls.
func Records(cfg Config, fn func(*runner.Result) error) error {
	maxEv := cfg.MaxEvents
	if maxEv <= 0 {
		maxEv = 64
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eedbe7c4))
	nT := len(cfg.Targets)
	total := cfg.Warmup + cfg.Requests
	var r runner.Result
	ev := make([]int64, 0, maxEv)
	ch := make([]int32, 0, maxEv)
	var usage runner.Usage
	zero := cfg.ZeroCompletion
	for k := range total {
		t := cfg.Targets[k%nT]
		scale := t.TTFTScale
		if scale == 0 {
			scale = 1
		}
		warm := k < cfg.Warmup
		// i numbers the target's measured requests; a fixed permutation of
		// each block of 1,000 decides which fail or drop, so shares are exact.
		i := (k - cfg.Warmup) / nT
		perm := float64((i*7919)%1000) / 1000
		r = runner.Result{Type: "result", K: int64(k), Target: t.Name, Model: t.Model, Warmup: warm}
		if cfg.Warmup > 0 && !warm {
			r.Stage = 1 // the steady stage after the warmup (see Header)
		}
		r.IntendedUS = int64(float64(k) / cfg.Rate * 1e6)
		r.LagUS = int64(120 + rng.ExpFloat64()*150)
		r.SentUS = r.IntendedUS + r.LagUS

		u := rng.Float64()
		ti := 0
		for acc := tiers[0].share; u > acc && ti < len(tiers)-1; {
			ti++
			acc += tiers[ti].share
		}
		tier := tiers[ti]
		r.Tier = tier.name
		r.Class = "chat-" + tier.name
		prompt := tier.min + rng.IntN(tier.max-tier.min)
		if ti == 0 && rng.Float64() < 0.03 {
			prompt = 32000 + 1 + rng.IntN(2000) // the estimate was short: billed one tier up
		}
		r.EstPromptTokens = int(float64(prompt) * (0.97 + 0.06*rng.Float64()))
		out := 16 + rng.IntN(240)
		r.MaxTokens = 256
		cached := 0
		if rng.Float64() < 0.4 {
			r.Prefix = 1 + rng.IntN(4)
			cached = min(prompt/2, 1024*r.Prefix*4)
		}

		if !warm && perm < cfg.DropRate {
			r.Status = runner.StatusDropped
			r.ErrorClass = runner.ClassDropped
			r.LagUS = 0
			r.SentUS = r.IntendedUS
			if err := fn(&r); err != nil {
				return err
			}
			continue
		}
		r.ConnectUS = 0
		if k < nT {
			r.ConnectUS = 900
		}
		// TTFT: queueing + base + prefill of the uncached prompt, with jitter.
		ttft := (60e3 + 0.9*float64(prompt-cached)) * math.Exp(0.25*rng.NormFloat64()) * scale
		r.TTFBUS = int64(ttft*0.6) + 200
		itl := 14e3 * math.Exp(0.2*rng.NormFloat64())
		think := rng.Float64() < 0.3

		failing := !warm && perm >= cfg.DropRate && perm < cfg.DropRate+cfg.FailureRate
		if failing {
			fu := rng.Float64()
			fc := failClasses[len(failClasses)-1]
			for acc, j := 0.0, 0; j < len(failClasses); j++ {
				acc += failClasses[j].share
				if fu < acc {
					fc = failClasses[j]
					break
				}
			}
			r.Status = runner.StatusError
			r.ErrorClass = fc.class
			r.HTTPStatus = fc.status
			switch fc.class {
			case runner.ClassHTTP429:
				r.Error = `429 Too Many Requests: {"error":{"code":"RateLimitExceeded.EndpointRPMExceeded"}}`
				r.RetryAfter = "1"
				r.E2EUS = 3000 + rng.Int64N(2000)
				r.TTFBUS = r.E2EUS
			case runner.ClassHTTP5xx:
				r.Error = "503 Service Unavailable"
				r.E2EUS = 5000 + rng.Int64N(5000)
				r.TTFBUS = r.E2EUS
			case runner.ClassTimeout:
				r.Error = "request exceeded the 60s deadline"
				r.E2EUS = 60_000_000
				r.TTFBUS = 0
			default:
				r.Error = "body ended without data: [DONE]"
				r.TTFTUS = int64(ttft)
				r.E2EUS = r.TTFTUS + int64(itl*5)
				r.EventsUS = append(ev[:0], r.TTFTUS, r.TTFTUS+int64(itl))
				r.EventChars = append(ch[:0], 4, 4)
			}
			if err := fn(&r); err != nil {
				return err
			}
			continue
		}

		r.Status = runner.StatusOK
		r.Finish = "stop"
		reasoning := 0
		if think {
			reasoning = 20 + rng.IntN(80)
		}
		tokens := out + reasoning
		perEvent := 1 + rng.IntN(3)
		n := min((tokens+perEvent-1)/perEvent, maxEv)
		evs := ev[:0]
		chs := ch[:0]
		at := ttft
		for j := range n {
			if j > 0 {
				at += itl * float64(perEvent) * math.Exp(0.3*rng.NormFloat64())
			}
			evs = append(evs, int64(at))
			chs = append(chs, int32(perEvent*4))
		}
		r.EventsUS, r.EventChars = evs, chs
		r.TTFTUS = evs[0]
		r.TTFATUS = r.TTFTUS
		if think {
			r.ReasoningChars = reasoning * 4
			r.TTFATUS = evs[min(n-1, n*reasoning/tokens)]
		}
		r.ContentChars = out * 4
		r.E2EUS = evs[n-1] + 1500
		usage = runner.Usage{PromptTokens: prompt, CompletionTokens: tokens, CachedTokens: cached, ReasoningTokens: reasoning}
		r.Usage = &usage
		r.EstCompletionTokens = int(float64(tokens) * (0.95 + 0.1*rng.Float64()))
		if zero > 0 && !warm {
			// Decided after every draw, so the other records stay as they were.
			zero--
			r.Finish, r.ZeroCompletion = "content_filter", true
			r.EventsUS, r.EventChars = nil, nil
			r.TTFTUS, r.TTFATUS, r.ContentChars, r.ReasoningChars = 0, 0, 0, 0
			r.E2EUS = r.TTFBUS + 1500
			usage.CompletionTokens, usage.ReasoningTokens = 0, 0
			r.EstCompletionTokens = 0
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return nil
}
