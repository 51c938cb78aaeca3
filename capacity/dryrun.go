package capacity

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/seedbench/seedbench/report"
)

// dryRunLevels is how many ramp levels a dry run lists before "…".
const dryRunLevels = 6

// DryRun prints the search Measure would run for o — targets, the load it
// decides for, the ramp's levels, how long a probe runs and what it may
// cost, the objectives that judge it, the budgets and where it writes — and
// sends nothing and writes nothing. Where the search goes after the first
// probe depends on what the probes measure, so the plan is its start and
// its rules.
func DryRun(w io.Writer, o Options) error {
	su, err := prepare(o)
	if err != nil {
		return err
	}
	c := su.c.withDefaults()
	if err := c.Validate(); err != nil {
		return err
	}
	sc := o.Scenario
	lvl := func(v float64) string { return LevelText(c.Mode, v) }
	fmt.Fprintf(w, "capacity search of %s by %s, per target: %s\n", sc.Name, c.Mode, strings.Join(c.Targets, ", "))
	fmt.Fprintf(w, "  decide for:  %s × headroom %s = %s\n", lvl(su.expected), strconv.FormatFloat(su.headroom, 'f', -1, 64), lvl(su.expected*su.headroom))
	var levels []string
	for i, v := 0, c.Start; i < dryRunLevels && (c.MaxLevel <= 0 || v <= c.MaxLevel); i, v = i+1, v*c.Growth {
		levels = append(levels, lvl(v))
	}
	ceiling := "no ceiling"
	if c.MaxLevel > 0 {
		ceiling = "never above " + lvl(c.MaxLevel)
	}
	fmt.Fprintf(w, "  ramp:        %s … (×%s per probe until an objective fails or the load is not delivered; down from the start when it fails; %s)\n",
		strings.Join(levels, ", "), strconv.FormatFloat(c.Growth, 'f', -1, 64), ceiling)
	fmt.Fprintf(w, "  then:        bisection until the bracket is within %s; the highest pass probed again before it counts\n", strconv.FormatFloat(100*c.Tolerance, 'f', -1, 64)+"%")
	s := &search{c: c}
	first := s.spec(c.Targets[0], c.Start, nil, 0)
	spend, wall := s.estimate(first, nil)
	fmt.Fprintf(w, "  each probe:  %s warmup + at least %s measured (long enough for %d successes, at most %s); the first: %s measured, about %s wall with the drain\n",
		c.Warmup, c.MinProbe, c.MinSuccesses, c.MaxProbe, first.Duration, wall.Round(time.Second))
	seen := map[string]bool{}
	var objectives []string
	for _, t := range c.Targets {
		for _, ob := range sc.SLO.For(t) {
			if text := ob.String(); !seen[text] {
				seen[text] = true
				objectives = append(objectives, text)
			}
		}
	}
	if len(objectives) == 0 {
		objectives = []string{"none: the load must still be delivered"}
	}
	fmt.Fprintf(w, "  objectives:  %s\n", strings.Join(objectives, " · "))
	budget := "no wall-clock limit"
	if c.MaxDuration > 0 {
		budget = c.MaxDuration.String() + " wall clock"
	}
	cur := sc.Catalog().Currency
	if o.Currency != "" {
		cur = strings.ToUpper(o.Currency)
	}
	if c.SpendCap > 0 {
		budget += ", spend cap " + money(c.SpendCap, cur)
	} else {
		budget += ", no spend cap"
	}
	fmt.Fprintf(w, "  budget:      %s; the first probe priced at max_tokens: at most %s\n", budget, money(spend, cur))
	fmt.Fprintf(w, "  writes:      %s, %s, %s, %s in %s; a run directory per probe under %s\n",
		FileJSON, FileMarkdown, FileHTML, FileText, o.Dir, filepath.Join(o.Dir, "probes"))
	if x := report.Exchange(o.Run.Report.Pricing); x != "" {
		fmt.Fprintf(w, "  money:       in %s, converted at %s (the catalog's exchange rate)\n", cur, x)
	}
	_, err = fmt.Fprintf(w, "\ndry run: nothing sent, nothing written\n")
	return err
}
