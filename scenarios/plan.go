package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/seedbench/seedbench/runner"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Plan is a scenario made concrete for one seed: the runner's stages and a
// request source. It is a pure function of (scenario, seed): request k has
// the same intended time, target, class, lengths, prefix group and text
// wherever the plan is built.
type Plan struct {
	Scenario *Scenario
	Seed     int64
	Stages   []runner.Stage
	Source   *Source
	// Sessions, when the scenario has a sessions block, plans its
	// conversations; Source then serves only calibration probes.
	Sessions *SessionSource
	// Kinds[i] is the scenario kind behind Stages[i] (constant, poisson, …).
	Kinds []string
	// means[i] is Stages[i]'s mean planned rate (0 for closed-loop and
	// trace stages), from the values its pacer was built from.
	means []float64
}

// planVersion changes whenever the same (scenario, seed) would produce a
// different plan, so shards built by different versions do not agree by
// accident.
const planVersion = "seedbench-plan-v1"

// NewPlan builds the plan of s for seed. s must be valid (Parse, Check);
// a problem found here is returned as an error.
func NewPlan(s *Scenario, seed int64) (*Plan, error) {
	d := newDecoder("", nil)
	s.Warnings = nil
	res := s.validate(d, s.Catalog())
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	src, err := newSource(s, res, seed)
	if err != nil {
		return nil, err
	}
	p := &Plan{Scenario: s, Seed: seed, Source: src}
	if !s.Sessions.IsZero() {
		if p.Sessions, err = newSessionSource(s, src); err != nil {
			return nil, err
		}
	}
	if err := p.buildStages(); err != nil {
		return nil, err
	}
	s.Warnings = append(s.Warnings, p.QuotaWarnings()...)
	return p, nil
}

func (p *Plan) buildStages() error {
	l := p.Scenario.Load
	specs := l.Stages
	if l.Warmup.D > 0 && len(specs) > 0 {
		first := warmupOf(specs[0])
		first.Duration = l.Warmup
		specs = append([]Stage{first}, specs...)
	}
	warm := len(specs) - len(l.Stages) // 1 when there is a warmup stage
	remaining := l.MaxRequests
	for i, spec := range specs {
		st, mean, err := p.stage(i, spec)
		if err != nil {
			return fmt.Errorf("load.stages[%d]: %v", i-warm, err)
		}
		st.Warmup = i < warm
		if st.Name == "" {
			st.Name = spec.Kind
		}
		if l.MaxRequests > 0 {
			if remaining <= 0 {
				break
			}
			if st.MaxRequests == 0 || st.MaxRequests > remaining {
				st.MaxRequests = remaining
			}
			if st.Pacer != nil {
				remaining -= runner.Count(st) // at most remaining, the stage's cap
			}
		}
		p.Stages = append(p.Stages, st)
		p.Kinds = append(p.Kinds, spec.Kind)
		p.means = append(p.means, mean)
	}
	return nil
}

// stage turns one spec into a runner stage. Rates become vegeta pacers;
// vegeta's Rate holds a whole number of hits per period, so a rate r/s is
// written as int(r·1000) hits per 1000 s (resolution 0.001/s).
func (p *Plan) stage(i int, spec Stage) (st runner.Stage, mean float64, err error) {
	k, ok := stageKinds[spec.Kind]
	if !ok {
		return st, 0, fmt.Errorf("kind %q is not supported", spec.Kind)
	}
	if k.replay {
		st, err := p.traceStage(spec)
		return st, 0, err
	}
	if err := spec.Duration.Err(); err != nil {
		return st, 0, err
	}
	st = runner.Stage{Name: spec.Name, Duration: spec.Duration.D, MaxRequests: spec.MaxRequests}
	if k.closed {
		st.Concurrency = spec.Users
		return st, 0, nil
	}
	if err := spec.fieldsErr(); err != nil {
		return st, 0, err
	}
	seed := mix(mix(uint64(p.Seed), tagStage), uint64(i))
	st.Pacer = k.pacer(spec, seed)
	mean, _, _ = k.rates(spec)
	return st, mean, nil
}

// traceStage replays the source trace: each row at its (warped) offset,
// once per target. Its duration is the last send time unless the stage
// gives a shorter one.
func (p *Plan) traceStage(spec Stage) (runner.Stage, error) {
	f := p.Source.file
	if f == nil || f.kind != "trace" {
		return runner.Stage{}, fmt.Errorf("a trace stage needs source.trace")
	}
	maxGap := p.Scenario.Source.MaxGap
	if err := maxGap.Err(); err != nil {
		return runner.Stage{}, err
	}
	times := traceTimes(f.rows, p.Scenario.Source.Speed, maxGap.D)
	st := runner.Stage{Name: spec.Name, MaxRequests: spec.MaxRequests,
		Pacer:    tracePacer{times: times, targets: uint64(len(p.Source.targets))},
		Duration: (times[len(times)-1] + time.Millisecond).Truncate(time.Millisecond)}
	if err := spec.Duration.Err(); err != nil {
		return st, err
	}
	if !spec.Duration.IsZero() {
		st.Duration = min(st.Duration, spec.Duration.D)
	}
	return st, nil
}

func vegetaRate(perSec float64) vegeta.ConstantPacer {
	return vegeta.ConstantPacer{Freq: int(math.Round(perSec * 1000)), Per: 1000 * time.Second}
}

// walkLimit bounds how many hits Planned walks for a pacer whose count
// has no closed form (Poisson, gamma, ramp, sine); beyond it the count is
// estimated from the pacer's rate, so no step before the first request
// takes time in proportion to the plan.
const walkLimit = 1 << 20

// Planned is the number of requests stage i will send: for an open-loop
// stage exact when it is cheap to know (a constant rate's is worked out,
// other pacers are walked up to walkLimit hits), else estimated as the
// integral of the pacer's rate (exact false); -1 for a closed-loop stage,
// whose count depends on the server's speed.
func (p *Plan) Planned(i int) (n int64, exact bool) {
	st := p.Stages[i]
	if st.Pacer == nil {
		return -1, false
	}
	if n, ok := runner.CountUpTo(st, walkLimit); ok {
		return n, true
	}
	// ∫ rate dt by the midpoint rule over 1,000 slices.
	var sum float64
	const slices = 1000
	step := st.Duration / slices
	for j := range slices {
		sum += st.Pacer.Rate(step*time.Duration(j)+step/2) * step.Seconds()
	}
	if st.MaxRequests > 0 {
		sum = math.Min(sum, float64(st.MaxRequests))
	}
	return int64(math.Round(sum)), false
}

// Requests is the plan's open-loop request count, summed over Planned:
// exact is false when any stage's count is estimated, closed true when a
// closed-loop stage adds requests that cannot be counted in advance.
func (p *Plan) Requests() (n int64, exact, closed bool) {
	exact = true
	for i := range p.Stages {
		c, ok := p.Planned(i)
		if c < 0 {
			closed = true
			continue
		}
		n += c
		exact = exact && ok
	}
	return n, exact, closed
}

// Duration is the planned length of all stages, warmup included.
func (p *Plan) Duration() time.Duration {
	var d time.Duration
	for _, st := range p.Stages {
		d += st.Duration
	}
	return d
}

// MeanRate is the planned requests per second over the measured open-loop
// stages (0 when there are none).
func (p *Plan) MeanRate() float64 {
	var n int64
	var d time.Duration
	for i, st := range p.Stages {
		if st.Pacer == nil || st.Warmup {
			continue
		}
		c, _ := p.Planned(i)
		n += c
		d += st.Duration
	}
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// NominalRate is the scenario's mean offered rate over its measured
// open-loop stages, from their parameters: a constant, Poisson or gamma
// rate; a ramp's midpoint; a sine's mean, weighted by duration. It reads the
// plan's stages (the means recorded when their pacers were built), not the
// scenario's text again. It is 0 for a plan of closed-loop or trace stages
// only.
func (p *Plan) NominalRate() float64 {
	var sum, secs float64
	for i, st := range p.Stages {
		if st.Warmup || i >= len(p.means) || p.means[i] == 0 {
			continue
		}
		sum += p.means[i] * st.Duration.Seconds()
		secs += st.Duration.Seconds()
	}
	if secs == 0 {
		return 0
	}
	return sum / secs
}

// Timeouts are the runner's default timeouts with the scenario's
// per-request timeout as the total (and the TTFB bound never above it).
func (p *Plan) Timeouts() runner.Timeouts {
	t := runner.DefaultTimeouts
	if d := p.Scenario.Load.Timeout.D; d > 0 { // 0: not given, or not a duration
		t.Total = d
		t.TTFB = min(t.TTFB, d)
		t.Idle = min(t.Idle, d)
	}
	return t
}

// Hash identifies (scenario, seed): shards of one run must agree on it. It
// covers the whole resolved scenario, so any override changes it.
func (p *Plan) Hash() string {
	b, _ := json.Marshal(p.Scenario)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n", planVersion, p.Seed)
	h.Write(b)
	if f := p.Source.file; f != nil {
		// The scenario names the file; its bytes are part of the plan.
		fmt.Fprintf(h, "\n%s %s", f.kind, f.sha256)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
