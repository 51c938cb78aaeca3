package report

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown renders the report for a pull request or a CI job summary:
// the verdict first, then latency, errors, cost.
func WriteMarkdown(w io.Writer, s *Summary) error {
	ew := &errWriter{w: w}
	verdict := "no SLO objectives"
	if n := len(s.SLO.Checks); n > 0 {
		switch j, _ := s.Judge(); {
		case s.SLO.Pass:
			verdict = fmt.Sprintf("✅ SLO pass (%d checks)", n)
		case j == Inconclusive || j == Untrusted && failedChecks(s) == 0:
			verdict = fmt.Sprintf("❔ SLO inconclusive (%d of %d checks had too few samples)", countStatus(s, StatusInconclusive), n)
		default:
			verdict = fmt.Sprintf("❌ SLO fail (%d of %d checks failed)", failedChecks(s), n)
		}
	}
	if j, why := s.Judge(); j == Untrusted {
		// The first line, before any verdict: a CI summary shows it first.
		fmt.Fprintf(ew, "## ⚠️ %s\n\n", mdEscape(why))
	}
	fmt.Fprintf(ew, "## seedbench: %s — %s\n\n", s.Scenario, verdict)
	fmt.Fprintf(ew, "Seed %d · %s · window %.1f s", s.Seed, plural(int64(len(s.Targets)), "target"), s.Window.Seconds)
	if s.TargetRate > 0 {
		fmt.Fprintf(ew, " · %s req/s planned, %s achieved", fmtRate(s.TargetRate), fmtRate(s.Achieved))
	}
	fmt.Fprintf(ew, "\n\n_%s._\n\n", capitalize(s.LatencyBasis))

	fmt.Fprintln(ew, "| target | tier | requests | ok | availability | req/s | out tok/s | TTFT p50 | TTFT p99 | TPOT p50 | TPOT p99 | E2E p50 | E2E p99 | goodput/s |")
	fmt.Fprintln(ew, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	row := func(name string, g Group) {
		ttft, tpot, e2e := g.Latency["ttft"], g.Latency["tpot"], g.Latency["e2e"]
		fmt.Fprintf(ew, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(name), tierLabel(g.Tier), g.Requests, g.OK,
			fmtPct(g.Availability), fmtRate(g.Throughput), fmtRate(g.OutputTokensRate), fmtDist(ttft, 50), fmtDist(ttft, 99),
			fmtDist(tpot, 50), fmtDist(tpot, 99), fmtDist(e2e, 50), fmtDist(e2e, 99), fmtRate(g.Goodput))
	}
	for _, t := range s.Targets {
		row("**"+t.Name+"**", t.All)
		if len(t.Tiers) > 1 {
			for _, g := range t.Tiers {
				row("", g)
			}
		}
	}
	if len(s.Targets) > 1 {
		row("**all**", s.Overall)
	}
	if notes := zeroCompletionNotes(s); len(notes) > 0 {
		fmt.Fprintln(ew)
		for _, n := range notes {
			fmt.Fprintf(ew, "- %s\n", mdEscape(n))
		}
	}

	if len(s.Load) > 0 {
		fmt.Fprintf(ew, "\n### Load delivered\n\n_%s._\n\n| %s |\n|---|---|--:|--:|--:|--:|--:|--:|--:|\n", capitalize(loadCaption(s)), strings.Join(loadHeader, " | "))
		for _, d := range s.Load {
			r := loadRow(d)
			r[0], r[1] = mdEscape(r[0]), mdEscape(r[1])
			fmt.Fprintf(ew, "| %s |\n", strings.Join(r, " | "))
		}
	}
	writeTurnsMarkdown(ew, s)

	if len(s.SLO.Checks) > 0 {
		fmt.Fprintln(ew, "\n### SLO\n\n| | target | objective | measured | error budget left | basis |\n|---|---|---|--:|--:|---|")
		for _, c := range s.SLO.Checks {
			mark := map[string]string{StatusPass: "✅", StatusInconclusive: "❔"}[c.Status]
			if mark == "" {
				mark = "❌"
			}
			budget := ""
			if c.BudgetLeft != nil {
				budget = fmtPct(*c.BudgetLeft)
			}
			fmt.Fprintf(ew, "| %s | %s | `%s` | %s | %s | %s |\n", mark, mdEscape(c.Target), c.Text, checkValue(c, c.Measured), budget, c.Basis)
		}
		if len(s.SLO.Windows) > 0 {
			fmt.Fprintln(ew, "\nWindows (✓ pass, ✗ fail, · no requests):\n\n```")
			writeWindowTimelines(ew, s, "")
			fmt.Fprintln(ew, "```")
		}
		if len(s.SLO.Burn) > 0 {
			fmt.Fprintf(ew, "\nError budget burn (windows scaled to the run: %s):\n\n```\n", burnScaleNote(s))
			writeBurn(ew, s, "")
			fmt.Fprintln(ew, "```")
		}
	}

	if s.Overall.Failed+s.Overall.Dropped > 0 {
		fmt.Fprintln(ew, "\n### Errors\n\n| target | class | HTTP | gateway code | count | share | example |\n|---|---|--:|---|--:|--:|---|")
		for _, t := range s.Targets {
			for _, e := range t.Errors {
				fmt.Fprintf(ew, "| %s | %s | %s | %s | %d | %s | %s |\n", mdEscape(t.Name), e.Class, statusText(e.HTTPStatus), mdEscape(orDash(e.Code)),
					e.Count, fmtPct(ratio(e.Count, t.All.Requests)), mdEscape(oneLine(e.Example, 160)))
			}
		}
	}

	if s.Currency != "" {
		fmt.Fprintf(ew, "\n### Cost (%s, from server usage)\n\n| target | tier | requests | total | per 1K requests | cache saved | projected per day | per 30 days |\n|---|---|--:|--:|--:|--:|--:|--:|\n", s.Currency)
		for _, t := range s.Targets {
			c := t.Cost
			if c == nil {
				continue
			}
			for _, tc := range c.Tiers {
				fmt.Fprintf(ew, "| %s | %s | %d | %s | %s | %s | | |\n", mdEscape(t.Name), tc.Tier, tc.Requests, fmtMoney(tc.Total), fmtMoney(tc.Per1K), fmtMoney(tc.CacheSavings))
			}
			fmt.Fprintf(ew, "| **%s** | total | %d | **%s** | **%s** | %s | %s | %s |\n", mdEscape(t.Name), c.BilledRequests, fmtMoney(c.Total), fmtMoney(c.Per1K),
				fmtMoney(c.CacheSavings), fmtMoney(c.PerDay), fmtMoney(c.PerMonth))
		}
		for _, n := range contextCostNotes(s) {
			fmt.Fprintf(ew, "\n%s\n", mdEscape(n))
		}
		for _, t := range s.Targets {
			for _, m := range t.TierMismatches {
				fmt.Fprintf(ew, "\n%s: %s planned in tier %s were billed in tier %s (k %s).\n", mdEscape(t.Name), plural(m.Count, "request"), m.Planned, m.Billed, joinInts(m.Examples))
			}
		}
	}

	writeQuotaMarkdown(ew, s)

	if len(s.Warnings) > 0 {
		fmt.Fprintln(ew, "\n### Warnings")
		fmt.Fprintln(ew)
		for _, wn := range s.Warnings {
			fmt.Fprintf(ew, "- %s\n", mdEscape(wn))
		}
	}
	return ew.err
}

func failedChecks(s *Summary) int {
	return countStatus(s, StatusFail)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mdEscape keeps a name from breaking a table row.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// writeQuotaMarkdown is writeQuotaText's note and headroom table in Markdown.
func writeQuotaMarkdown(w io.Writer, s *Summary) {
	views := quotaViews(s)
	if len(views) == 0 {
		return
	}
	fmt.Fprintln(w, "\n### Quota")
	for _, v := range views {
		fmt.Fprintf(w, "\n%s.\n", mdEscape(capitalize(v.Note)))
		if len(v.Rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n| %s |\n|%s\n", strings.Join(v.Header, " | "), strings.Repeat("--:|", len(v.Header)))
		for _, r := range v.Rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
	}
}
