package scenarios

import (
	"fmt"
	"net/url"
	"time"
)

// Overrides are the run command's flags that change a scenario. Zero
// values leave the scenario as it is.
type Overrides struct {
	// Rate sets the rate of every open-loop stage: constant, poisson and
	// gamma stages run at Rate; a ramp ends at Rate (its start scaled in
	// proportion); a sine's mean becomes Rate (its amplitude scaled in
	// proportion). Concurrency stages are left alone.
	Rate string
	// Duration stretches or shrinks every stage in proportion so that the
	// stages (not the warmup) last Duration in total.
	Duration string
	// BaseURL and Model replace every target's base_url and model.
	BaseURL string
	Model   string
	// Seed replaces load.seed when SeedSet.
	Seed    int64
	SeedSet bool
	// MaxCompletionTokens sets every target's thinking budget
	// (max_completion_tokens) and clears the classes' own.
	MaxCompletionTokens int
}

// Apply changes s by o and validates the result. Errors name the flag.
func (s *Scenario) Apply(o Overrides) error {
	c := s.clone()
	if o.Rate != "" {
		r, err := ParseRate(o.Rate)
		if err != nil {
			return fmt.Errorf("--rate: %v", err)
		}
		open := 0
		for i := range c.Load.Stages {
			st := &c.Load.Stages[i]
			k := stageKinds[st.Kind]
			if k.replay {
				return fmt.Errorf("--rate: scenario %s replays a trace at its own times (set source.speed to replay it faster)", s.Name)
			}
			if k.scale == nil || st.fieldsErr() != nil {
				continue // closed loop, or rates validation reports
			}
			k.scale(st, r)
			open++
		}
		if open == 0 {
			return fmt.Errorf("--rate: scenario %s has no open-loop stage to set the rate of (its stages are closed-loop: set users instead)", s.Name)
		}
	}
	if o.Duration != "" {
		want, err := NewDuration(o.Duration)
		if err != nil {
			return fmt.Errorf("--duration: %v", err)
		}
		var total time.Duration
		for i, st := range c.Load.Stages {
			if stageKinds[st.Kind].replay {
				// A trace keeps its own times: --duration cuts the replay.
				c.Load.Stages[i].Duration = want
				continue
			}
			if st.Duration.D <= 0 { // not given, or not a duration
				_, err := NewDuration(st.Duration.Text)
				return fmt.Errorf("--duration: load.stages: %v", err)
			}
			total += st.Duration.D
		}
		if total > 0 {
			k := float64(want.D) / float64(total)
			for i := range c.Load.Stages {
				st := &c.Load.Stages[i]
				if !stageKinds[st.Kind].replay {
					st.Duration = DurationOf(time.Duration(float64(st.Duration.D) * k).Round(time.Millisecond))
				}
			}
		}
	}
	if o.BaseURL != "" {
		if u, err := url.Parse(o.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--target: %q is not an http(s) URL (e.g. https://gateway.example/api/v3)", o.BaseURL)
		}
		for i := range c.Targets {
			c.Targets[i].BaseURL = o.BaseURL
		}
	}
	if o.Model != "" {
		for i := range c.Targets {
			c.Targets[i].Model = o.Model
		}
	}
	if o.MaxCompletionTokens != 0 {
		for i := range c.Targets {
			c.Targets[i].MaxCompletionTokens = o.MaxCompletionTokens
		}
		for i := range c.Mix {
			c.Mix[i].MaxCompletionTokens = 0
		}
	}
	if o.SeedSet {
		c.Load.Seed = o.Seed
	}
	if err := c.Check(); err != nil {
		return fmt.Errorf("after overrides: %w", err)
	}
	*s = *c
	return nil
}

func round6(f float64) float64 {
	return float64(int64(f*1e6+0.5)) / 1e6
}

// clone is a deep copy of s.
func (s *Scenario) clone() *Scenario {
	c := *s
	c.Targets = append([]Target(nil), s.Targets...)
	for i, t := range c.Targets {
		if t.Headers != nil {
			h := make(map[string]string, len(t.Headers))
			for k, v := range t.Headers {
				h[k] = v
			}
			c.Targets[i].Headers = h
		}
		// ExtraBody values are never modified in place, so sharing them is safe.
	}
	c.Mix = append([]Class(nil), s.Mix...)
	c.Prefix = append([]PrefixSet(nil), s.Prefix...)
	for i := range c.Prefix {
		c.Prefix[i].Classes = append([]string(nil), s.Prefix[i].Classes...)
	}
	c.Load.Stages = append([]Stage(nil), s.Load.Stages...)
	c.SLO.Objectives = append([]Objective(nil), s.SLO.Objectives...)
	c.Warnings = append([]string(nil), s.Warnings...)
	return &c
}
