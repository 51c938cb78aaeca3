package report

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// fmtValue writes a compared figure in its unit.
func (d Delta) fmtValue(v float64) string {
	if d.BaselineN == 0 && d.CurrentN == 0 {
		return "-"
	}
	switch d.Unit {
	case "ms":
		return fmtMS(v)
	case "ratio":
		return fmtPct(v)
	case "req/s", "tok/s":
		return fmtRate(v)
	}
	return fmtMoney(v)
}

// fmtChange writes a change: relative in %, shares in points.
func (d Delta) fmtChange(v float64) string {
	if d.Unit == "ratio" {
		return fmt.Sprintf("%+.2f pts", v*100)
	}
	return fmtSignedPct(v)
}

func (d Delta) fmtCI() string {
	if d.CILow == nil {
		return ""
	}
	return "[" + d.fmtChange(*d.CILow) + ", " + d.fmtChange(*d.CIHigh) + "]"
}

func (d Delta) fmtThreshold() string {
	if d.Threshold == nil {
		return ""
	}
	if d.Unit == "ratio" {
		return fmt.Sprintf("%.2f pts", *d.Threshold*100)
	}
	return fmt.Sprintf("%g%%", *d.Threshold*100)
}

func verdictMark(v string) string {
	switch v {
	case "regression":
		return "REGRESSION"
	case "worse":
		return "worse"
	case "improved":
		return "improved"
	case "same":
		return "same"
	}
	return v
}

// WriteCompareText renders a comparison for the terminal.
func WriteCompareText(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "baseline: %s seed %d (%s)\ncurrent:  %s seed %d (%s)\n", c.Baseline.Scenario, c.Baseline.Seed, c.Baseline.Start.Format("2006-01-02 15:04:05"),
		c.Current.Scenario, c.Current.Seed, c.Current.Start.Format("2006-01-02 15:04:05"))
	fmt.Fprintf(ew, "(change with %g%% bootstrap interval, %d replicates, seed %d; %s)\n", c.Confidence*100, c.Replicates, c.Seed, c.LatencyBasis)
	if c.Exchange != "" {
		fmt.Fprintf(ew, "(money in %s, converted at %s: the catalog's exchange rate)\n", c.Currency, c.Exchange)
	}
	for _, t := range c.Targets {
		fmt.Fprintf(ew, "\n%s\n", t.Target)
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%-20s\tbaseline\tcurrent\tchange\t95%% interval\tmax\tverdict\t\n", "metric")
		for _, d := range t.Rows {
			fmt.Fprintf(tw, "%-20s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", d.Metric, d.fmtValue(d.Baseline), d.fmtValue(d.Current), d.fmtChange(d.Change),
				d.fmtCI(), d.fmtThreshold(), verdictMark(d.Verdict))
		}
		tw.Flush()
	}
	if len(c.OnlyInBaseline) > 0 {
		fmt.Fprintf(ew, "\nonly in the baseline (not compared): %v\n", c.OnlyInBaseline)
	}
	if len(c.OnlyInCurrent) > 0 {
		fmt.Fprintf(ew, "\nonly in the current run (not compared): %v\n", c.OnlyInCurrent)
	}
	fmt.Fprintln(ew)
	if c.Pass {
		fmt.Fprintln(ew, "compare verdict: PASS (no significant regression beyond a threshold)")
	} else {
		fmt.Fprintf(ew, "compare verdict: FAIL (%s)\n", plural(int64(c.Regressions), "regression"))
		for _, t := range c.Targets {
			for _, d := range t.Rows {
				if d.Verdict == "regression" {
					fmt.Fprintf(ew, "  %s %s %s, beyond %s", t.Target, d.Metric, d.fmtChange(d.Change), d.fmtThreshold())
					if d.CILow != nil {
						fmt.Fprintf(ew, " (interval %s)", d.fmtCI())
					}
					fmt.Fprintln(ew)
				}
			}
		}
	}
	return ew.err
}

// WriteCompareMarkdown renders a comparison for a pull request.
func WriteCompareMarkdown(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	head := "✅ no regression"
	if !c.Pass {
		head = fmt.Sprintf("❌ %s", plural(int64(c.Regressions), "regression"))
	}
	fmt.Fprintf(ew, "## seedbench compare: %s — %s\n\n", c.Current.Scenario, head)
	fmt.Fprintf(ew, "Baseline seed %d → current seed %d. Changes with %g%% bootstrap intervals (%d replicates); a regression is a significant change beyond its threshold. _%s._\n",
		c.Baseline.Seed, c.Current.Seed, c.Confidence*100, c.Replicates, capitalize(c.LatencyBasis))
	if c.Exchange != "" {
		fmt.Fprintf(ew, "Money in %s, converted at %s.\n", c.Currency, c.Exchange)
	}
	for _, t := range c.Targets {
		fmt.Fprintf(ew, "\n### %s\n\n| metric | baseline | current | change | 95%% interval | max | verdict |\n|---|--:|--:|--:|--:|--:|---|\n", mdEscape(t.Target))
		for _, d := range t.Rows {
			v := verdictMark(d.Verdict)
			if d.Verdict == "regression" {
				v = "❌ **regression**"
			} else if d.Verdict == "improved" {
				v = "✅ improved"
			}
			fmt.Fprintf(ew, "| %s | %s | %s | %s | %s | %s | %s |\n", d.Metric, d.fmtValue(d.Baseline), d.fmtValue(d.Current), d.fmtChange(d.Change), d.fmtCI(), d.fmtThreshold(), v)
		}
	}
	if len(c.OnlyInBaseline)+len(c.OnlyInCurrent) > 0 {
		fmt.Fprintf(ew, "\nNot compared — only in the baseline: %v; only in the current run: %v.\n", c.OnlyInBaseline, c.OnlyInCurrent)
	}
	return ew.err
}

// WriteCompareJSON writes compare.json.
func WriteCompareJSON(w io.Writer, c *Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}
