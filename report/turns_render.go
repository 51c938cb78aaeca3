package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// The per-turn table and the conversation notes, in the cells and
// sentences every format shows (text, Markdown, HTML).

// turnsHeader is the per-turn table's header; the first two columns read
// left-aligned.
var turnsHeader = []string{"target", "turn", "requests", "ok", "TTFT p50", "TTFT p90", "prompt tok", "cached", "cost/turn", "billed in"}

func turnsCaption(s *Summary) string {
	c := "each turn sends the whole conversation so far, earlier answers included; latency of successful turns, tokens and cost from server usage"
	if s.Currency != "" {
		c += "; cost in " + s.Currency
	}
	return c
}

func turnsRows(s *Summary) [][]string {
	if s.Sessions == nil {
		return nil
	}
	var rows [][]string
	for _, st := range s.Sessions.Targets {
		for i, t := range st.Turns {
			name := ""
			if i == 0 {
				name = st.Target
			}
			cost := "-"
			if s.Currency != "" && t.CostMean > 0 {
				cost = fmtMoney(t.CostMean)
			}
			rows = append(rows, []string{name, strconv.Itoa(t.Turn), strconv.FormatInt(t.Requests, 10), strconv.FormatInt(t.OK, 10),
				fmtOptMS(t.TTFTP50MS), fmtOptMS(t.TTFTP90MS), fmtTokens(t.PromptMean), fmtPct(t.CachedShare), cost, fmtTierCounts(t.Tiers)})
		}
	}
	return rows
}

// sessionNotes are the conversation totals and tier crossings, one
// sentence each.
func sessionNotes(s *Summary) []string {
	if s.Sessions == nil {
		return nil
	}
	var notes []string
	for _, st := range s.Sessions.Targets {
		c := st.Conversations
		if c.Conversations == 0 {
			continue
		}
		cached := 0.0
		if c.PromptTokens > 0 {
			cached = float64(c.CachedTokens) / float64(c.PromptTokens)
		}
		n := fmt.Sprintf("%s: %s (%d without an error), %.1f turns each; %s prompt tokens (%s cached), %s completion tokens",
			st.Target, plural(c.Conversations, "conversation"), c.Ended, c.TurnsMean, fmtTokens(float64(c.PromptTokens)), fmtPct(cached),
			fmtTokens(float64(c.CompletionToken)))
		if s.Currency != "" {
			n += fmt.Sprintf("; cost %s %s (%s each)", fmtMoney(c.Cost), s.Currency, fmtMoney(c.CostMean))
		}
		n += fmt.Sprintf("; duration p50 %s, max %s", fmtMS(c.DurationP50S*1000), fmtMS(c.DurationMaxS*1000))
		if len(c.LastTiers) > 0 {
			n += "; last turn billed in " + fmtTierCounts(c.LastTiers)
		}
		notes = append(notes, n)
		for i, x := range st.Crossings {
			if i == 0 && x.FirstTurn == 1 && x.LastTurn == 1 && x.Conversations == c.Conversations {
				continue // every conversation started there: not a crossing
			}
			notes = append(notes, fmt.Sprintf("%s: into the %s tier at turn %s (median; first %d, last %d), %d of %d conversations",
				st.Target, x.Tier, strconv.FormatFloat(x.MedianTurn, 'f', -1, 64), x.FirstTurn, x.LastTurn, x.Conversations, c.Conversations))
		}
	}
	return notes
}

func fmtOptMS(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmtMS(*v)
}

// fmtTokens writes a token count with thousands separators.
func fmtTokens(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func fmtTierCounts(ts []TierCount) string {
	if len(ts) == 0 {
		return "-"
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%s %d", t.Tier, t.Count)
	}
	return strings.Join(parts, ", ")
}

// writeTurnsText is the per-turn section of the text report.
func writeTurnsText(w io.Writer, s *Summary) {
	rows := turnsRows(s)
	if rows == nil {
		return
	}
	fmt.Fprintf(w, "\nsessions by turn (%s)\n", turnsCaption(s))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	all := append([][]string{turnsHeader}, rows...)
	wid := 0
	for _, r := range all {
		wid = max(wid, len(r[0]))
	}
	for _, r := range all {
		fmt.Fprintf(tw, "%-*s\t%s\t\n", wid, r[0], strings.Join(r[1:], "\t"))
	}
	tw.Flush()
	for _, n := range sessionNotes(s) {
		fmt.Fprintf(w, "  %s\n", n)
	}
}

// writeTurnsMarkdown is the per-turn section of the Markdown report.
func writeTurnsMarkdown(w io.Writer, s *Summary) {
	rows := turnsRows(s)
	if rows == nil {
		return
	}
	fmt.Fprintf(w, "\n### Sessions by turn\n\n_%s._\n\n| %s |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n", capitalize(turnsCaption(s)), strings.Join(turnsHeader, " | "))
	for _, r := range rows {
		r[0] = mdEscape(r[0])
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	if notes := sessionNotes(s); len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintf(w, "- %s\n", mdEscape(n))
		}
	}
}
