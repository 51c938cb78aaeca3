package scenarios

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
)

// resolution is what validation works out once and the plan reuses: each
// target's catalog entry and the limits every class must respect.
type resolution struct {
	models []*Model // per target: its catalog entry, or genericModel
	known  []bool   // whether the target's model was in the catalog
	ref    *Model   // tiers come from the first target's model
	guard  float64
	maxOut int // smallest max_tokens limit over the targets
	ctx    int // smallest context window over the targets
}

// genericModel gives limits and tiers, not prices, to a model the catalog
// does not know: the Seed 2.0 limits, which the catalog's first entry has.
func genericModel(cat *Catalog) *Model {
	m := Model{Name: "", ContextWindow: 262144, MaxOutputTokens: 131072,
		Tiers: []Tier{{Name: "32k", MaxPromptTokens: 32000}, {Name: "128k", MaxPromptTokens: 128000}, {Name: "256k", MaxPromptTokens: 256000}}}
	if len(cat.Models) > 0 {
		f := cat.Models[0]
		m.ContextWindow, m.MaxOutputTokens = f.ContextWindow, f.MaxOutputTokens
		m.Tiers = slices.Clone(f.Tiers)
		for i := range m.Tiers {
			m.Tiers[i].Input, m.Tiers[i].Output = 0, 0
		}
	}
	return &m
}

// Values a target's thinking and reasoning_effort may take (the Seed API's).
var (
	thinkingModes = []string{"enabled", "disabled", "auto"}
	efforts       = []string{"minimal", "low", "medium", "high"}
	// reservedBody are the request fields the plan writes itself.
	reservedBody = []string{"model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens"}
)

const defaultGuardBand = 0.03

// applyDefaults fills what the file may leave out. d tells which fields
// were written (nil: treat zero values as absent).
func (s *Scenario) applyDefaults(d *decoder) {
	present := func(p string) bool { return d != nil && d.present(p) }
	for i := range s.Targets {
		if s.Targets[i].Name == "" {
			s.Targets[i].Name = s.Targets[i].Model
		}
	}
	for i := range s.Mix {
		p := fmt.Sprintf("mix[%d]", i)
		if !present(p+".weight") && s.Mix[i].Weight == 0 {
			s.Mix[i].Weight = 1
		}
		if s.Mix[i].Name == "" && len(s.Mix) == 1 {
			s.Mix[i].Name = "default"
		}
	}
	if !present("load.max_in_flight") && s.Load.MaxInFlight == 0 {
		s.Load.MaxInFlight = 512
	}
	if s.GuardBand.IsZero() {
		s.GuardBand = RatioOf(defaultGuardBand)
	}
}

// validate checks s against itself and cat, reporting through d, and
// returns what it resolved (meaningful only without errors).
func (s *Scenario) validate(d *decoder, cat *Catalog) *resolution {
	r := &resolution{guard: defaultGuardBand}
	if strings.TrimSpace(s.Name) == "" {
		d.fail("name", "missing (a short name for the scenario, e.g. nightly-mini)")
	}
	s.validateTargets(d, cat, r)
	if g, err := s.GuardBand.Fraction, s.GuardBand.Err(); err != nil {
		d.fail("guard_band", "%v", err)
	} else if g >= 0.5 {
		d.fail("guard_band", "%s is too wide (a few percent, e.g. 3%%)", s.GuardBand)
	} else {
		r.guard = g
	}
	if t := s.Tokenizer; t.Ratio != 0 && !(t.Ratio >= 0.2 && t.Ratio <= 5) {
		d.fail("tokenizer.ratio", "%g is implausible (server tokens per estimated token, within 0.2..5)", t.Ratio)
	}
	if s.Tokenizer.Overhead < 0 {
		d.fail("tokenizer.overhead", "cannot be negative")
	}
	s.validateMix(d, r)
	s.validatePrefix(d)
	s.validateLoad(d)
	s.validateCeiling(d)
	s.validateSLO(d)
	return r
}

func (s *Scenario) validateTargets(d *decoder, cat *Catalog, r *resolution) {
	if len(s.Targets) == 0 {
		d.fail("targets", "missing (at least one target: {name: mini, model: doubao-seed-2.0-mini})")
	}
	names := map[string]bool{}
	r.maxOut, r.ctx = math.MaxInt, math.MaxInt
	for i, t := range s.Targets {
		p := fmt.Sprintf("targets[%d]", i)
		if t.Model == "" {
			d.fail(p+".model", "missing (the model name to send, e.g. doubao-seed-2.0-mini)")
		}
		if names[t.Name] {
			d.fail(p+".name", "%q is used by another target (names must differ)", t.Name)
		}
		names[t.Name] = true
		if t.BaseURL != "" {
			if u, err := url.Parse(t.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				d.fail(p+".base_url", "%q is not an http(s) URL (e.g. https://gateway.example/api/v3; leave it out for the built-in mock)", t.BaseURL)
			}
		}
		if t.APIKeyEnv != "" && !validEnvName(t.APIKeyEnv) {
			d.fail(p+".api_key_env", "%q is not an environment variable name (the variable that holds the key, e.g. ARK_API_KEY — never the key itself)", t.APIKeyEnv)
		}
		if t.Thinking != "" && !slices.Contains(thinkingModes, t.Thinking) {
			d.fail(p+".thinking", "%q is not one of %s", t.Thinking, strings.Join(thinkingModes, ", "))
		}
		if t.ReasoningEffort != "" && !slices.Contains(efforts, t.ReasoningEffort) {
			d.fail(p+".reasoning_effort", "%q is not one of %s", t.ReasoningEffort, strings.Join(efforts, ", "))
		}
		for _, k := range sortedKeys(t.ExtraBody) {
			switch {
			case slices.Contains(reservedBody, k):
				d.fail(p+".extra_body."+k, "is set by seedbench itself (the mix sets max_tokens; targets set model)")
			case k == "thinking" && t.Thinking != "":
				d.fail(p+".extra_body.thinking", "conflicts with thinking: %s (give one of them)", t.Thinking)
			case k == "reasoning_effort" && t.ReasoningEffort != "":
				d.fail(p+".extra_body.reasoning_effort", "conflicts with reasoning_effort: %s (give one of them)", t.ReasoningEffort)
			}
		}
		if t.MaxOutputTokens < 0 {
			d.fail(p+".max_output_tokens", "cannot be negative")
		}
		s.validateGateway(d, p, t)
		checkCompletionBudget(d, p, t.MaxCompletionTokens)
		if t.Quota.RPM < 0 || t.Quota.TPM < 0 {
			d.fail(p+".quota", "rpm and tpm cannot be negative")
		}
		validateSweep(d, p, t)
		m, ok := cat.ForTarget(t)
		switch {
		case !ok && t.CatalogModel != "":
			d.fail(p+".catalog_model", "%q is not in the model catalog (known: %s)", t.CatalogModel, strings.Join(catalogNames(cat), ", "))
			m = genericModel(cat)
		case !ok:
			s.Warnings = append(s.Warnings, fmt.Sprintf("targets[%d].model: %q is not in the model catalog: Seed 2.0 limits assumed and no prices (set catalog_model to price it as a known model)", i, t.Model))
			m = genericModel(cat)
		}
		r.models = append(r.models, m)
		r.known = append(r.known, ok)
		out := m.MaxOutputTokens
		if t.MaxOutputTokens > 0 {
			out = min(out, t.MaxOutputTokens)
		}
		r.maxOut = min(r.maxOut, out)
		r.ctx = min(r.ctx, m.ContextWindow)
		if i == 0 {
			r.ref = m
		} else if !slices.Equal(m.TierNames(), r.ref.TierNames()) {
			d.fail(p+".model", "%s has tiers %s, but %s has %s (targets of one scenario must share tier names)",
				t.Model, strings.Join(m.TierNames(), "/"), s.Targets[0].Model, strings.Join(r.ref.TierNames(), "/"))
		}
	}
	if r.ref == nil {
		r.ref = genericModel(cat)
		r.maxOut, r.ctx = r.ref.MaxOutputTokens, r.ref.ContextWindow
	}
}

func catalogNames(c *Catalog) []string {
	s := make([]string, len(c.Models))
	for i, m := range c.Models {
		s[i] = m.Name
	}
	return s
}

// checkDist checks the fields of one distribution; what says which length
// it is ("prompt" or "output").
func checkDist(d *decoder, p string, x Dist) bool {
	ok := true
	bad := func(field, format string, a ...any) {
		d.fail(p+"."+field, format, a...)
		ok = false
	}
	unused := func(field string, set bool, want string) {
		if set {
			bad(field, "is not used by a %s distribution (%s)", x.Kind, want)
		}
	}
	switch x.Kind {
	case DistFixed:
		want := "fixed takes value"
		unused("min", x.Min != 0, want)
		unused("max", x.Max != 0, want)
		unused("mean", x.Mean != 0, want)
		unused("stddev", x.Stddev != 0, want)
		unused("sigma", x.Sigma != 0, want)
		if x.Value < 1 {
			bad("value", "%d must be at least 1 token", x.Value)
		}
	case DistUniform:
		want := "uniform takes min and max"
		unused("value", x.Value != 0, want)
		unused("mean", x.Mean != 0, want)
		unused("stddev", x.Stddev != 0, want)
		unused("sigma", x.Sigma != 0, want)
		if x.Min < 1 {
			bad("min", "%d must be at least 1 token", x.Min)
		}
		if x.Max < x.Min {
			bad("max", "%d is below min %d (min ≤ max)", x.Max, x.Min)
		}
	case DistNormal, DistLognormal:
		want := "normal takes mean and stddev, with optional min and max"
		spread, other := "stddev", "sigma"
		sv, ov := x.Stddev, x.Sigma
		if x.Kind == DistLognormal {
			want = "lognormal takes mean and sigma, with optional min and max"
			spread, other, sv, ov = "sigma", "stddev", x.Sigma, x.Stddev
		}
		unused("value", x.Value != 0, want)
		unused(other, ov != 0, want)
		if !(x.Mean > 0) {
			bad("mean", "%g must be above zero", x.Mean)
		}
		if !(sv > 0) {
			bad(spread, "%g must be above zero (for a fixed length use a bare number)", sv)
		}
		if x.Min < 0 || x.Max < 0 {
			bad("min", "bounds cannot be negative")
		}
		if x.Max > 0 && x.Min > x.Max {
			bad("min", "%d is above max %d (min ≤ max)", x.Min, x.Max)
		}
	case "":
		d.fail(p+".dist", "missing (one of %s)", strings.Join(distKinds, ", "))
		ok = false
	default:
		d.fail(p+".dist", "%q is not a distribution (one of %s)", x.Kind, strings.Join(distKinds, ", "))
		ok = false
	}
	return ok
}

// explicitHi is the largest value a distribution can produce by its own
// parameters, or 0 when only a tier or limit bounds it.
func (x Dist) explicitHi() int {
	switch x.Kind {
	case DistFixed:
		return x.Value
	case DistUniform:
		return x.Max
	}
	return x.Max
}

// explicitLo is the smallest value it can produce by its own parameters.
func (x Dist) explicitLo() int {
	switch x.Kind {
	case DistFixed:
		return x.Value
	}
	return x.Min
}

// classPlan is a class worked out against the limits: samplers ready.
type classPlan struct {
	prompt, output *sampler
	promptLo       int // smallest prompt length it can produce
	promptHi       int
	outputHi       int
	keep           [][2]int
}

// guardBands are the token ranges within guard·B of each internal tier
// boundary B (every tier bound but the last): [⌈B(1−g)⌉, ⌊B(1+g)⌋].
func guardBands(m *Model, g float64) [][2]int {
	var out [][2]int
	for _, t := range m.Tiers[:len(m.Tiers)-1] {
		b := float64(t.MaxPromptTokens)
		out = append(out, [2]int{int(math.Ceil(b * (1 - g))), int(math.Floor(b * (1 + g)))})
	}
	return out
}

// subtract removes the bands from [lo, hi].
func subtract(lo, hi int, bands [][2]int) [][2]int {
	keep := [][2]int{{lo, hi}}
	for _, b := range bands {
		var next [][2]int
		for _, k := range keep {
			if b[1] < k[0] || b[0] > k[1] {
				next = append(next, k)
				continue
			}
			if k[0] < b[0] {
				next = append(next, [2]int{k[0], b[0] - 1})
			}
			if b[1] < k[1] {
				next = append(next, [2]int{b[1] + 1, k[1]})
			}
		}
		keep = next
	}
	return keep
}

// planClass works out class c under r, reporting problems at path p.
func planClass(d *decoder, p string, c Class, r *resolution) (*classPlan, bool) {
	ok := true
	cp := &classPlan{}
	// Output first: its largest value bounds the prompt through the context.
	op := p + ".output_tokens"
	if c.OutputTokens.IsZero() {
		d.fail(op, "missing (the answer length; it sets max_tokens, e.g. output_tokens: 256)")
		ok = false
	} else if checkDist(d, op, c.OutputTokens) {
		x := c.OutputTokens
		if (x.Kind == DistNormal || x.Kind == DistLognormal) && x.Max == 0 {
			d.fail(op+".max", "missing (a %s output length needs a max: it bounds max_tokens against the context window)", x.Kind)
			ok = false
		}
		cp.outputHi = x.explicitHi()
		if cp.outputHi > r.maxOut {
			field := "max"
			if x.Kind == DistFixed {
				field = "value"
			}
			d.fail(op+"."+field, "%d is above the %d-token output limit of the targets (max_output_tokens)", cp.outputHi, r.maxOut)
			ok = false
		}
		cp.output = newSampler(x, max(1, x.explicitLo()), max(1, cp.outputHi), [][2]int{{1, r.maxOut}})
	} else {
		ok = false
	}

	pp := p + ".prompt_tokens"
	x := c.PromptTokens
	lo, hi := 1, r.ref.Tiers[len(r.ref.Tiers)-1].MaxPromptTokens
	if c.Tier != "" {
		tlo, thi, found := r.ref.TierRange(c.Tier)
		if !found {
			d.fail(p+".tier", "%q is not a tier of %s (one of %s)", c.Tier, r.ref.Name, strings.Join(r.ref.TierNames(), ", "))
			return cp, false
		}
		lo, hi = tlo+1, thi
		if x.IsZero() {
			// A tier alone means: uniform over the tier.
			x = Dist{Kind: DistUniform, Min: lo, Max: hi}
		}
	}
	if x.IsZero() {
		d.fail(pp, "missing (a length like 2000, a distribution, or a tier: 32k)")
		return cp, false
	}
	if !checkDist(d, pp, x) || !ok {
		return cp, false
	}
	field := "max"
	if x.Kind == DistFixed {
		field = "value"
	}
	if eh := x.explicitHi(); eh > 0 {
		if eh > hi {
			where := "the last tier's bound"
			if c.Tier != "" {
				where = "tier " + c.Tier
			}
			d.fail(pp+"."+field, "%d is above %s (≤ %d)", eh, where, hi)
			return cp, false
		}
		if eh+cp.outputHi > r.ctx {
			d.fail(pp+"."+field, "%d prompt + %d output tokens exceed the %d-token context window (lower one of them)", eh, cp.outputHi, r.ctx)
			return cp, false
		}
		hi = eh
	} else {
		hi = min(hi, r.ctx-cp.outputHi)
	}
	if el := x.explicitLo(); el > 0 && el < lo {
		field := "min"
		if x.Kind == DistFixed {
			field = "value"
		}
		d.fail(pp+"."+field, "%d is below tier %s (> %d)", el, c.Tier, lo-1)
		return cp, false
	} else if el > lo {
		lo = el
	}
	if lo > hi {
		d.fail(pp, "no length fits: %d..%d", lo, hi)
		return cp, false
	}
	keep := [][2]int{{lo, hi}}
	if !c.Boundaries {
		keep = subtract(lo, hi, guardBands(r.ref, r.guard))
	}
	if x.Kind == DistFixed && !slices.ContainsFunc(keep, func(k [2]int) bool { return x.Value >= k[0] && x.Value <= k[1] }) {
		d.fail(pp+".value", "%d is within the %s guard band around a tier boundary (move it, or set boundaries: true to test the boundary)", x.Value, formatPercent(r.guard))
		return cp, false
	}
	s := newSampler(x, lo, hi, keep)
	if s.mass < 1e-4 {
		d.fail(pp, "almost none of this distribution (%.2g) lies in %d..%d outside the guard bands (move its mean into the range)", s.mass, lo, hi)
		return cp, false
	}
	cp.prompt, cp.promptLo, cp.promptHi, cp.keep = s, lo, hi, keep
	return cp, true
}

func (s *Scenario) validateMix(d *decoder, r *resolution) {
	if !s.Sessions.IsZero() {
		s.validateSessions(d, r)
		return
	}
	if !s.Source.IsZero() {
		if len(s.Mix) > 0 {
			d.fail("mix", "goes with no source: the source file gives every request's prompt and length (remove mix or source)")
		}
		s.validateSource(d)
		return
	}
	if len(s.Mix) == 0 {
		d.fail("mix", "missing (at least one class: {name: chat, prompt_tokens: 2000, output_tokens: 256})")
		return
	}
	names := map[string]bool{}
	total := 0.0
	for i, c := range s.Mix {
		p := fmt.Sprintf("mix[%d]", i)
		checkCompletionBudget(d, p, c.MaxCompletionTokens)
		switch {
		case c.Name == "":
			d.fail(p+".name", "missing (classes are named in results, e.g. chat)")
		case names[c.Name]:
			d.fail(p+".name", "%q is used by another class (names must differ)", c.Name)
		}
		names[c.Name] = true
		if c.Weight < 0 || math.IsNaN(c.Weight) {
			d.fail(p+".weight", "%g cannot be negative", c.Weight)
		} else {
			total += c.Weight
		}
		planClass(d, p, c, r)
	}
	if !(total > 0) {
		d.fail("mix", "the weights sum to %g (at least one class needs a weight above zero)", total)
	}
}

func (s *Scenario) validatePrefix(d *decoder) {
	names := map[string]bool{}
	shares := map[string]float64{}
	for i, ps := range s.Prefix {
		p := fmt.Sprintf("prefix[%d]", i)
		switch {
		case ps.Name == "":
			d.fail(p+".name", "missing (e.g. system-prompt)")
		case names[ps.Name]:
			d.fail(p+".name", "%q is used by another prefix set", ps.Name)
		}
		names[ps.Name] = true
		if ps.Groups < 1 {
			d.fail(p+".groups", "%d must be at least 1 (how many distinct prefixes)", ps.Groups)
		}
		if ps.Tokens < 1 {
			d.fail(p+".tokens", "%d must be at least 1 (the length of each prefix)", ps.Tokens)
		}
		s.validateContext(d, p, ps)
		share, err := ps.Share.Fraction, ps.Share.Err()
		if ps.Share.IsZero() {
			_, err = NewRatio("") // said as today: "" is not a fraction
		}
		switch {
		case err != nil:
			d.fail(p+".share", "%v", err)
		case share == 0:
			d.fail(p+".share", "must be above zero (the share of requests that start with one of these prefixes)")
		}
		classes := ps.Classes
		if len(classes) == 0 {
			for _, c := range s.Mix {
				classes = append(classes, c.Name)
			}
		}
		for j, name := range ps.Classes {
			if !slices.ContainsFunc(s.Mix, func(c Class) bool { return c.Name == name }) {
				d.fail(fmt.Sprintf("%s.classes[%d]", p, j), "%q is not a class of the mix", name)
			}
		}
		for _, name := range classes {
			shares[name] += share
			if shares[name] > 1+1e-9 {
				d.fail(p+".share", "prefix shares of class %q add up to %s (at most 100%%)", name, formatPercent(shares[name]))
			}
			if i := slices.IndexFunc(s.Mix, func(c Class) bool { return c.Name == name }); i >= 0 {
				if hi := s.Mix[i].PromptTokens.explicitHi(); hi > 0 && ps.Tokens+minBodyTokens > hi {
					d.fail(p+".tokens", "%d leaves no room in class %q, whose prompts are at most %d tokens", ps.Tokens, name, hi)
				}
			}
		}
	}
}

// minBodyTokens is the least a prompt carries after its prefix: the salt
// and a little text, so no two requests are identical.
const minBodyTokens = 16

func (s *Scenario) validateLoad(d *decoder) {
	l := s.Load
	if l.MaxInFlight < 1 {
		d.fail("load.max_in_flight", "%d must be at least 1", l.MaxInFlight)
	}
	if l.MaxRequests < 0 {
		d.fail("load.max_requests", "cannot be negative (0 means no limit)")
	}
	if err := l.Timeout.Err(); err != nil {
		d.fail("load.timeout", "%v", err)
	}
	if err := l.Warmup.errAllowZero(); err != nil {
		d.fail("load.warmup", "%v", err)
	}
	if l.MaxSpend != "" {
		if _, err := s.Catalog().ParseMoney(l.MaxSpend); err != nil {
			d.fail("load.max_spend", "%v", err)
		}
	}
	if len(l.Stages) == 0 && s.Source.Trace != "" {
		// A trace replays itself: its one stage is implied.
		s.Load.Stages = []Stage{{Name: KindTrace, Kind: KindTrace}}
		l = s.Load
	} else if len(l.Stages) == 0 {
		d.fail("load.stages", "missing (at least one stage: {kind: constant, rate: 5/s, duration: 1m})")
	}
	for i, st := range l.Stages {
		p := fmt.Sprintf("load.stages[%d]", i)
		k, known := stageKinds[st.Kind]
		if !known {
			if st.Kind == "" {
				d.fail(p+".kind", "missing (one of %s)", strings.Join(stageKindNames, ", "))
			} else {
				d.fail(p+".kind", "%q is not a stage kind (one of %s)", st.Kind, strings.Join(stageKindNames, ", "))
			}
			continue
		}
		fields := k.fields
		set := map[string]bool{"rate": !st.Rate.IsZero(), "cv": st.CV != 0, "from": !st.From.IsZero(), "to": !st.To.IsZero(),
			"mean": !st.Mean.IsZero(), "amplitude": !st.Amplitude.IsZero(), "period": !st.Period.IsZero(), "phase": st.Phase != "", "users": st.Users != 0}
		for _, f := range []string{"rate", "cv", "from", "to", "mean", "amplitude", "period", "phase", "users"} {
			if set[f] && !slices.Contains(fields, f) {
				d.fail(p+"."+f, "is not used by a %s stage (%s takes %s)", st.Kind, st.Kind, strings.Join(fields, ", "))
			}
		}
		for _, f := range fields {
			if !set[f] && f != "phase" {
				d.fail(p+"."+f, "missing (a %s stage takes %s)", st.Kind, strings.Join(fields, ", "))
			}
		}
		for _, f := range fields {
			if err := st.fieldErr(f); err != nil && err != errMissing { // a missing one is reported above
				d.fail(p+"."+f, "%v", err)
			}
		}
		if k.check != nil {
			k.check(st, func(f, format string, a ...any) { d.fail(p+"."+f, format, a...) })
		}
		if k.replay {
			switch {
			case s.Source.Trace == "":
				d.fail(p+".kind", "a trace stage replays source.trace, and this scenario has none")
			case len(l.Stages) > 1:
				d.fail(p+".kind", "a trace stage is the only stage (the trace gives every send time)")
			case st.Duration.Err() != nil:
				d.fail(p+".duration", "%v", st.Duration.Err())
			}
			if st.MaxRequests < 0 {
				d.fail(p+".max_requests", "cannot be negative (0 means no limit)")
			}
			continue // its duration is the trace's unless one is given
		}
		if st.Duration.IsZero() {
			d.fail(p+".duration", "missing (how long the stage runs, e.g. 5m)")
		} else if err := st.Duration.Err(); err != nil {
			d.fail(p+".duration", "%v", err)
		}
		if st.MaxRequests < 0 {
			d.fail(p+".max_requests", "cannot be negative (0 means no limit)")
		}
	}
}

func (s *Scenario) validateSLO(d *decoder) {
	for _, o := range s.SLO.Objectives {
		if o.Target != "" && !slices.ContainsFunc(s.Targets, func(t Target) bool { return t.Name == o.Target }) {
			d.failKey("slo.targets."+o.Target, "%q is not a target of this scenario", o.Target)
		}
	}
}
