package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// Sweep lists the settings a target is tried with, so one scenario weighs
// "Pro thinking little" against "Mini" as variants in their own right:
//
//   - name: pro
//     model: doubao-seed-2.0-pro
//     sweep: {reasoning_effort: [minimal, low, high]}
//
// expands into the targets pro/effort=minimal, pro/effort=low and
// pro/effort=high. With both lists every combination is a target, named
// pro/thinking=enabled,effort=low.
type Sweep struct {
	Thinking        []string `yaml:"thinking" json:"thinking,omitempty"`
	ReasoningEffort []string `yaml:"reasoning_effort" json:"reasoning_effort,omitempty"`
}

// IsZero says the target sweeps nothing.
func (w Sweep) IsZero() bool { return len(w.Thinking) == 0 && len(w.ReasoningEffort) == 0 }

// validateSweep checks a target's sweep at its place in the file.
func validateSweep(d *decoder, p string, t Target) {
	w := t.Sweep
	check := func(field string, vals, allowed []string, fixed string) {
		if len(vals) == 0 {
			return
		}
		if fixed != "" {
			d.fail(p+".sweep."+field, "conflicts with %s: %s on the target (give one of them)", field, fixed)
		}
		seen := map[string]bool{}
		for j, v := range vals {
			q := fmt.Sprintf("%s.sweep.%s[%d]", p, field, j)
			switch {
			case !slices.Contains(allowed, v):
				d.fail(q, "%q is not one of %s", v, strings.Join(allowed, ", "))
			case seen[v]:
				d.fail(q, "%q is listed twice", v)
			}
			seen[v] = true
		}
		if _, ok := t.ExtraBody[field]; ok {
			d.fail(p+".sweep."+field, "conflicts with extra_body.%s (give one of them)", field)
		}
	}
	check("thinking", w.Thinking, thinkingModes, t.Thinking)
	check("reasoning_effort", w.ReasoningEffort, efforts, t.ReasoningEffort)
}

// expandSweeps replaces every sweeping target by its variants, in the order
// the lists give them, and reports a variant name that collides with
// another target's. It says whether anything was expanded.
func (s *Scenario) expandSweeps(d *decoder) bool {
	var out []Target
	swept := false
	for _, t := range s.Targets {
		if t.Sweep.IsZero() {
			out = append(out, t)
			continue
		}
		swept = true
		thinking := t.Sweep.Thinking
		if len(thinking) == 0 {
			thinking = []string{t.Thinking}
		}
		effort := t.Sweep.ReasoningEffort
		if len(effort) == 0 {
			effort = []string{t.ReasoningEffort}
		}
		for _, th := range thinking {
			for _, ef := range effort {
				v := t
				v.Sweep = Sweep{}
				v.Thinking, v.ReasoningEffort = th, ef
				var parts []string
				if len(t.Sweep.Thinking) > 0 {
					parts = append(parts, "thinking="+th)
				}
				if len(t.Sweep.ReasoningEffort) > 0 {
					parts = append(parts, "effort="+ef)
				}
				v.Name = t.Name + "/" + strings.Join(parts, ",")
				out = append(out, v)
			}
		}
	}
	if !swept {
		return false
	}
	names := map[string]bool{}
	for _, t := range out {
		if names[t.Name] {
			d.fail("targets", "the sweep makes a target %q, and another target already has that name", t.Name)
		}
		names[t.Name] = true
	}
	s.Targets = out
	return true
}
