package capacity

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/run"
	"github.com/seedbench/seedbench/scenarios"
)

// Files a capacity search writes into its directory (besides probes/).
const (
	FileJSON     = "capacity.json"
	FileMarkdown = "capacity.md"
	FileHTML     = "capacity.html"
	FileText     = "capacity.txt"
)

// Options say what to measure. Zero fields take the scenario's setting or
// the default.
type Options struct {
	Scenario *scenarios.Scenario
	Dir      string
	Tool     string
	// Search steers the search; Targets empty means every target.
	Search Config
	// Expected is the traffic to decide for (0: the scenario's rate, or
	// its users by concurrency); Headroom multiplies it (0: 1.5).
	Expected, Headroom float64
	// Run are the options every probe runs with (keys, timeouts, pricing).
	Run run.Options
	// Progress, when set, gets a line per probe.
	Progress io.Writer
	// NoPlots leaves the charts out of capacity.html.
	NoPlots bool
	// Currency is what money is in ("" for the catalog's): Run's pricing,
	// the spend cap (Search.SpendCap) and the prior cost of a request must
	// all be in it.
	Currency string
}

// setup is a search resolved from Options: the scenario's plan, the
// search configuration with the scenario's defaults filled in, and the
// load to decide for. Measure runs it; DryRun prints it.
type setup struct {
	plan               *scenarios.Plan
	c                  Config
	expected, headroom float64
}

func prepare(o Options) (*setup, error) {
	sc := o.Scenario
	if sc == nil {
		return nil, errors.New("capacity: no scenario")
	}
	plan, err := scenarios.NewPlan(sc, sc.Load.Seed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.Name, err)
	}
	c := o.Search
	if c.Mode == "" {
		c.Mode = ByRate
	}
	if len(c.Targets) == 0 {
		for _, t := range sc.Targets {
			c.Targets = append(c.Targets, t.Name)
		}
	}
	expected := o.Expected
	if expected <= 0 {
		expected = scenarioLevel(sc, plan, c.Mode)
	}
	if c.Start <= 0 {
		c.Start = math.Max(expected, 1)
	}
	if c.MinSuccesses <= 0 {
		c.MinSuccesses = minSuccesses(sc)
	}
	if c.Drain <= 0 {
		c.Drain = 30 * time.Second
		if d := plan.Timeouts().Total; d > 0 && d < c.Drain {
			c.Drain = d
		}
	}
	if c.PriorPerRequest <= 0 {
		// The projection prices every answer at max_tokens: an upper bound
		// until a probe measured the real cost.
		if pr, err := plan.Project(1, time.Hour, o.Currency); err == nil {
			for _, v := range pr.Variants {
				c.PriorPerRequest = math.Max(c.PriorPerRequest, v.Per1K/1000)
			}
		}
	}
	headroom := o.Headroom
	if headroom <= 0 {
		headroom = 1.5
	}
	return &setup{plan: plan, c: c, expected: expected, headroom: headroom}, nil
}

// Measure searches the capacity of every target, decides, and writes
// capacity.json, capacity.md, capacity.html and capacity.txt into o.Dir
// (each probe a run directory under o.Dir/probes). The Report is returned
// also when the search ended early; the error says what kept it from
// running at all.
func Measure(ctx context.Context, o Options) (*Report, error) {
	su, err := prepare(o)
	if err != nil {
		return nil, err
	}
	sc, c, expected, headroom := o.Scenario, su.c, su.expected, su.headroom
	if o.Progress != nil {
		w := o.Progress
		prev := c.Progress
		c.Progress = func(p ProbeRecord) {
			fmt.Fprintf(w, "capacity: %-16s %-8s %-12s achieved %6.3g/s  ok %5d  TTFT p99 %8s  %s%s\n", p.Target, p.Phase, LevelText(c.Mode, p.Level),
				p.Outcome.Achieved, p.Outcome.OK, ms(p.Outcome.TTFTP99), p.Verdict, suffix(p.Binding))
			if prev != nil {
				prev(p)
			}
		}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	prober := &RunProber{Scenario: sc, Dir: o.Dir, Base: o.Run}
	start := time.Now()
	results, serr := Search(ctx, prober, c)
	r := &Report{Schema: Schema, Tool: o.Tool, Scenario: sc.Name, Start: start, Mode: c.Mode, Tolerance: c.withDefaults().Tolerance,
		Results: results, SpendCap: c.SpendCap, Seconds: time.Since(start).Seconds(), Warnings: []string{}, Limits: map[string][]LatencyLimit{},
		Exchange: report.Exchange(o.Run.Report.Pricing)}
	seen := map[string]bool{}
	for _, t := range c.Targets {
		for _, ob := range sc.SLO.For(t) {
			if s := ob.String(); !seen[s] {
				seen[s] = true
				r.Objectives = append(r.Objectives, s)
			}
			if ob.IsLatency() {
				r.Limits[t] = append(r.Limits[t], LatencyLimit{Objective: ob.Name, MS: float64(ob.Threshold) / 1e6})
			}
		}
	}
	for _, res := range results {
		r.Spent += res.Spent
		for _, p := range res.Probes {
			if r.Currency == "" {
				r.Currency = p.Outcome.Currency
			}
		}
		if len(res.Flapped) > 0 {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s flapped at %v: a level passed, then failed when repeated; the capacity is below it", res.Target, res.Flapped))
		}
	}
	r.Decision = Decide(results, c.Mode, expected, headroom)
	if serr != nil {
		r.Warnings = append(r.Warnings, "search stopped: "+serr.Error())
	}
	if err := r.writeFiles(o.Dir, o.NoPlots); err != nil {
		return r, err
	}
	return r, serr
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// scenarioLevel is the scenario's own load: its mean open-loop rate, or the
// users of its first closed-loop stage.
func scenarioLevel(sc *scenarios.Scenario, plan *scenarios.Plan, m Mode) float64 {
	if m == ByConcurrency {
		for _, st := range sc.Load.Stages {
			if st.Kind == scenarios.KindConcurrency {
				return float64(st.Users)
			}
		}
		return 1
	}
	return plan.NominalRate()
}

// minSuccesses is what the scenario's objectives need to be conclusive:
// 1/(1 − q) successes for a latency quantile q (100 for a p99, 1,000 for a
// p99.9), at least 100.
func minSuccesses(sc *scenarios.Scenario) int {
	n := 100
	for _, ob := range sc.SLO.Objectives {
		if q := ob.Quantile; ob.IsLatency() && q > 0 && q < 1 {
			n = max(n, int(math.Round(1/(1-q))))
		}
	}
	return n
}

// writeFiles renders every format into dir.
func (r *Report) writeFiles(dir string, noPlots bool) error {
	var figs []Figure
	if !noPlots {
		var err error
		if figs, err = r.Figures(); err != nil {
			r.Warnings = append(r.Warnings, "charts: "+err.Error())
		}
		if len(figs) > 0 {
			if err := os.MkdirAll(filepath.Join(dir, "plots"), 0o755); err != nil {
				return err
			}
		}
		for _, f := range figs {
			for ext, b := range map[string][]byte{".png": f.PNG, ".svg": f.SVG} {
				if err := os.WriteFile(filepath.Join(dir, "plots", f.Name+ext), b, 0o644); err != nil {
					return err
				}
			}
		}
	}
	for name, write := range map[string]func(io.Writer) error{
		FileJSON:     func(w io.Writer) error { return WriteJSON(w, r) },
		FileMarkdown: func(w io.Writer) error { return WriteMarkdown(w, r) },
		FileHTML:     func(w io.Writer) error { return WriteHTML(w, r, figs) },
		FileText:     func(w io.Writer) error { return WriteText(w, r) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
