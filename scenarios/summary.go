package scenarios

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteSummary describes a plan for people ("seedbench scenarios show"):
// targets, the mix with mean lengths and tier shares, prefix groups, the
// stages with their planned request counts, and the objectives.
func (p *Plan) WriteSummary(w io.Writer) error {
	s := p.Scenario
	fmt.Fprintf(w, "%s", s.Name)
	if s.Description != "" {
		fmt.Fprintf(w, " — %s", s.Description)
	}
	fmt.Fprintf(w, "\nplan %s (seed %d)\n", p.Hash(), p.Seed)

	fmt.Fprintln(w, "\ntargets")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  name\tmodel\tendpoint\tkey from\trequest extras")
	for _, t := range s.Targets {
		endpoint := t.BaseURL
		if endpoint == "" {
			endpoint = "built-in mock"
		} else if g, guessed := GatewayOf(t); guessed {
			endpoint += " (" + g + ", guessed from the URL)"
		} else {
			endpoint += " (" + g + ")"
		}
		key := "-"
		if t.APIKeyEnv != "" {
			key = "$" + t.APIKeyEnv
		}
		var extras []string
		if t.Thinking != "" {
			extras = append(extras, "thinking="+t.Thinking)
		}
		if t.ReasoningEffort != "" {
			extras = append(extras, "reasoning_effort="+t.ReasoningEffort)
		}
		extras = append(extras, sortedKeys(t.ExtraBody)...)
		for _, k := range sortedKeys(t.Headers) {
			extras = append(extras, "header "+k)
		}
		if len(extras) == 0 {
			extras = []string{"-"}
		}
		model := t.Model
		if t.CatalogModel != "" {
			model += " (priced as " + t.CatalogModel + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", t.Name, model, endpoint, key, strings.Join(extras, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(s.Targets) > 1 {
		fmt.Fprintf(w, "  every prompt is sent to each of the %d targets in turn\n", len(s.Targets))
	}

	if f := p.Source.file; f != nil {
		fmt.Fprintf(w, "\nsource %s (%s, %s rows, sha256 %s)\n", f.kind, f.format, GroupThousands(float64(len(f.rows)), 0), f.sha256[:12])
		fmt.Fprintf(w, "  file %s\n", f.path)
		switch {
		case f.kind == "trace":
			sp := s.Source.Speed
			if sp == 0 {
				sp = 1
			}
			gap := "none"
			if !s.Source.MaxGap.IsZero() {
				gap = s.Source.MaxGap.Text
			}
			fmt.Fprintf(w, "  replayed at %g× speed, idle gaps capped at %s; each row once per target\n", sp, gap)
		default:
			fmt.Fprintln(w, "  rows drawn with the seed, with replacement; messages sent as the file has them")
		}
	} else if p.Sessions == nil {
		if err := p.writeMix(w); err != nil {
			return err
		}
	}
	if p.Sessions != nil {
		p.Sessions.writeSummary(w)
		return p.writeRest(w)
	}
	e := p.Source.expect(p.Source.targets[0].model, 0)
	var shares []string
	for _, t := range e.tiers {
		shares = append(shares, fmt.Sprintf("%s %s", t.tier, pct(t.p)))
	}
	fmt.Fprintf(w, "  requests by tier: %s · mean prompt %s tokens, mean max_tokens %s\n",
		strings.Join(shares, ", "), GroupThousands(e.prompt, 0), GroupThousands(e.output, 0))
	return p.writeRest(w)
}

// writeMix is the mix table of WriteSummary.
func (p *Plan) writeMix(w io.Writer) error {
	s := p.Scenario
	fmt.Fprintf(w, "\nmix (guard band %s around tier boundaries)\n", s.GuardBand)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  class\tshare\ttier\tprompt tokens\tmean\toutput tokens (max_tokens)\tmean")
	for i, c := range s.Mix {
		sc := &p.Source.classes[i]
		mp, mo := sc.means()
		tier := c.Tier
		if tier == "" {
			tier = "any"
		}
		if c.Boundaries {
			tier += " (boundaries)"
		}
		prompt := c.PromptTokens.String()
		if c.PromptTokens.IsZero() {
			prompt = "uniform over the tier"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, pct(c.Weight/p.Source.total), tier, prompt,
			GroupThousands(mp, 0), c.OutputTokens.String(), GroupThousands(mo, 0))
	}
	return tw.Flush()
}

// writeRest is WriteSummary after the requests: prefixes, load, SLOs.
func (p *Plan) writeRest(w io.Writer) error {
	s := p.Scenario
	var tw *tabwriter.Writer
	fmt.Fprintln(w, "\nprefix groups")
	if f := p.Source.file; f != nil {
		blocks := map[int64]bool{}
		for _, r := range f.rows {
			for _, h := range r.hashIDs {
				blocks[h] = true
			}
		}
		switch {
		case len(blocks) > 0:
			fmt.Fprintf(w, "  from the trace's hash_ids: %s distinct blocks of %d tokens; rows sharing leading ids share that text\n",
				GroupThousands(float64(len(blocks)), 0), f.blockTokens)
		case f.kind == "trace":
			fmt.Fprintln(w, "  none: the trace has no hash ids, every prompt starts with a unique salt")
		default:
			fmt.Fprintln(w, "  the dataset's own: a row drawn twice is the same prompt, as a repeated question is")
		}
	} else if p.Sessions != nil {
		fmt.Fprintln(w, "  a turn starts with its conversation so far (a prefix the server has seen); sessions share only the system prompt")
	} else if len(s.Prefix) == 0 {
		fmt.Fprintln(w, "  none: every prompt starts with a unique salt")
	} else {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  set\tgroups\ttokens\tshare\tclasses\tgroup numbers")
		next := 1
		for _, ps := range s.Prefix {
			classes := "all"
			if len(ps.Classes) > 0 {
				classes = strings.Join(ps.Classes, ", ")
			}
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%d..%d\n", ps.Name, ps.Groups, GroupThousands(float64(ps.Tokens), 0),
				pct(ps.Share.Fraction), classes, next, next+ps.Groups-1)
			next += ps.Groups
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, "  other prompts start with a unique salt")
	}

	l := s.Load
	timeout := l.Timeout.Text
	if timeout == "" {
		timeout = FormatPeriod(p.Timeouts().Total)
	}
	fmt.Fprintf(w, "\nload (max_in_flight %d, timeout %s", l.MaxInFlight, timeout)
	if l.MaxRequests > 0 {
		fmt.Fprintf(w, ", at most %d requests", l.MaxRequests)
	}
	fmt.Fprintln(w, ")")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	unit := "requests"
	if p.Sessions != nil {
		unit = "sessions"
	}
	fmt.Fprintf(tw, "  #\tstage\tkind\tshape\tduration\t%s\n", unit)
	var total int64
	exact, approx := true, ""
	for i, st := range p.Stages {
		n, ok := p.Planned(i)
		count := strconv.FormatInt(n, 10)
		switch {
		case n < 0:
			count, exact = "closed loop", false
		case !ok:
			count, approx = "~"+count, "~"
			total += n
		default:
			total += n
		}
		name := st.Name
		if st.Warmup {
			name += " (warmup)"
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\n", i+1, name, p.Kinds[i], p.shape(i), FormatPeriod(st.Duration), count)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case exact:
		fmt.Fprintf(w, "  total %s, %s%d %s planned\n", p.Span(), approx, total, unit)
	case total > 0:
		fmt.Fprintf(w, "  total %s, %s%d %s planned in open-loop stages; closed-loop counts depend on the server\n", p.Span(), approx, total, unit)
	default:
		fmt.Fprintf(w, "  total %s, closed loop: the %s count depends on the server\n", p.Span(), strings.TrimSuffix(unit, "s"))
	}

	fmt.Fprintln(w, "\nslo")
	if s.SLO.IsZero() {
		fmt.Fprintln(w, "  none")
	}
	var global []string
	for _, o := range s.SLO.Objectives {
		if o.Target == "" {
			global = append(global, o.String())
		}
	}
	if len(global) > 0 {
		fmt.Fprintf(w, "  all targets: %s\n", strings.Join(global, " · "))
	}
	for _, t := range s.Targets {
		var own []string
		for _, o := range s.SLO.Objectives {
			if o.Target == t.Name {
				own = append(own, strings.TrimPrefix(o.String(), "["+t.Name+"] "))
			}
		}
		if len(own) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", t.Name, strings.Join(own, " · "))
		}
	}
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "\nwarning: %s\n", warn)
	}
	return nil
}

// shape describes stage i's load in the scenario's words.
func (p *Plan) shape(i int) string {
	if shape := stageKinds[p.Kinds[i]].shape; shape != nil {
		return shape(p.specOf(i))
	}
	return ""
}

// specOf is the scenario stage behind plan stage i (the warmup is derived
// from the first).
func (p *Plan) specOf(i int) Stage {
	l := p.Scenario.Load
	if l.Warmup.D > 0 && len(l.Stages) > 0 {
		if i == 0 {
			return warmupOf(l.Stages[0])
		}
		i--
	}
	return l.Stages[i]
}

// Span is the plan's length, split into warmup and measured stages when
// there is a warmup: "5m30s = 30s warmup + 5m measured" (`--duration` sets
// the measured part; the warmup runs before it, on top). scenarios show,
// validate and the run's first line print it.
func (p *Plan) Span() string {
	var warm time.Duration
	for _, st := range p.Stages {
		if st.Warmup {
			warm += st.Duration
		}
	}
	total := FormatPeriod(p.Duration())
	if warm == 0 {
		return total
	}
	return fmt.Sprintf("%s = %s warmup + %s measured", total, FormatPeriod(warm), FormatPeriod(p.Duration()-warm))
}
