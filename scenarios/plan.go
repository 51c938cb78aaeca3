package scenarios

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/seedbench/seedbench/runner"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Plan is a scenario made concrete for one seed: the runner's stages and a
// deterministic request source.
type Plan struct {
	Scenario *Scenario
	Seed     int64
	Stages   []runner.Stage
	Source   *Source
}

// NewPlan builds the plan for s and seed.
func NewPlan(s *Scenario, seed int64) (*Plan, error) {
	p := &Plan{Scenario: s, Seed: seed, Source: &Source{s: s, seed: seed}}
	for i, st := range s.Load.Stages {
		d, err := ParseDuration(st.Duration)
		if err != nil {
			return nil, fmt.Errorf("load.stages[%d].duration: %v", i, err)
		}
		switch st.Kind {
		case "constant":
			r, err := ParseRate(st.Rate)
			if err != nil {
				return nil, fmt.Errorf("load.stages[%d].rate: %v", i, err)
			}
			p.Stages = append(p.Stages, runner.Stage{Name: st.Kind, Pacer: vegeta.ConstantPacer{Freq: int(r * 1000), Per: 1000 * time.Second}, Duration: d})
		default:
			return nil, fmt.Errorf("load.stages[%d].kind: %q is not supported yet", i, st.Kind)
		}
	}
	return p, nil
}

// Hash identifies (scenario, seed): shards of one run must agree on it.
func (p *Plan) Hash() string {
	b, _ := json.Marshal(p.Scenario)
	h := fnv.New64a()
	h.Write(b)
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], uint64(p.Seed))
	h.Write(s[:])
	return fmt.Sprintf("%016x", h.Sum64())
}

// Source builds request k deterministically from (scenario, seed, k).
type Source struct {
	s    *Scenario
	seed int64
}

// Request implements runner.RequestSource.
func (src *Source) Request(k int64) runner.Request {
	rng := rand.New(rand.NewPCG(uint64(src.seed), uint64(k)))
	s := src.s
	ti := int(k % int64(len(s.Targets))) // interleave targets in the same window
	total := 0.0
	for _, c := range s.Mix {
		total += c.Weight
	}
	x := rng.Float64() * total
	ci := 0
	for i, c := range s.Mix {
		if x < c.Weight {
			ci = i
			break
		}
		x -= c.Weight
	}
	c := s.Mix[ci]
	body, _ := json.Marshal(map[string]any{
		"model":          s.Targets[ti].Model,
		"stream":         true,
		"stream_options": map[string]any{"include_usage": true},
		"max_tokens":     c.OutputTokens,
		"messages":       []map[string]string{{"role": "user", "content": synth(rng, c.PromptTokens)}},
	})
	return runner.Request{K: k, Target: ti, Class: c.Name, Tier: "32k", EstPromptTokens: c.PromptTokens, MaxTokens: c.OutputTokens, Body: body}
}

var words = []string{"latency", "token", "stream", "model", "cache", "prompt", "the", "of", "and", "benchmark"}

// synth makes about n tokens of text (first cut: ~1 token per short word).
func synth(rng *rand.Rand, n int) string {
	b := make([]byte, 0, n*7)
	for i := 0; i < n; i++ {
		b = append(b, words[rng.IntN(len(words))]...)
		b = append(b, ' ')
	}
	return string(b)
}
