package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText renders the terminal summary: one table of every target and
// tier, errors, the SLO verdict, cost and warnings.
func WriteText(w io.Writer, s *Summary) error {
	ew := &errWriter{w: w}
	if j, why := s.Judge(); j == Untrusted {
		fmt.Fprintln(ew, why) // before anything else: no figure below describes the endpoint
	}
	fmt.Fprintf(ew, "scenario %s  seed %d  %s  window %.1fs", s.Scenario, s.Seed, plural(int64(len(s.Targets)), "target"), s.Window.Seconds)
	if s.TargetRate > 0 {
		fmt.Fprintf(ew, "  rate %s/s planned, %s/s achieved", fmtRate(s.TargetRate), fmtRate(s.Achieved))
	}
	fmt.Fprintln(ew)
	fmt.Fprintf(ew, "(%s)\n\n", s.LatencyBasis)

	// Names read left-aligned, numbers right-aligned: pad the name columns
	// to their width so the right-aligning tabwriter leaves them be.
	nw, tw0 := len("target"), len("tier")
	for _, t := range s.Targets {
		nw = max(nw, len(t.Name))
		for _, g := range t.Tiers {
			tw0 = max(tw0, len(g.Tier))
		}
	}
	pad := func(s string, w int) string { return fmt.Sprintf("%-*s", w, s) }
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\t%s\trequests\tok\tavail\treq/s\tout tok/s\tTTFT p50\tp90\tp99\tTPOT p50\tp99\tE2E p50\tp99\tgoodput/s\t\n", pad("target", nw), pad("tier", tw0))
	row := func(name string, g Group) {
		ttft, tpot, e2e := g.Latency["ttft"], g.Latency["tpot"], g.Latency["e2e"]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", pad(name, nw), pad(tierLabel(g.Tier), tw0), g.Requests, g.OK,
			fmtPct(g.Availability), fmtRate(g.Throughput), fmtRate(g.OutputTokensRate),
			fmtDist(ttft, 50), fmtDist(ttft, 90), fmtDist(ttft, 99), fmtDist(tpot, 50), fmtDist(tpot, 99),
			fmtDist(e2e, 50), fmtDist(e2e, 99), fmtRate(g.Goodput))
	}
	for _, t := range s.Targets {
		row(t.Name, t.All)
		if len(t.Tiers) > 1 {
			for _, g := range t.Tiers {
				row("", g)
			}
		}
	}
	if len(s.Targets) > 1 {
		row("all", s.Overall)
	}
	tw.Flush()
	for _, n := range zeroCompletionNotes(s) {
		fmt.Fprintf(ew, "  %s\n", n)
	}

	writeLoadText(ew, s)
	writeTurnsText(ew, s)
	writeErrorsText(ew, s)
	writeSLOText(ew, s)
	writeCostText(ew, s)
	writeQuotaText(ew, s)
	writeTokensText(ew, s)
	if t := s.Trust; t != nil {
		fmt.Fprintf(ew, "\ngenerator: schedule lag p50 %s, p99 %s, max %s; wake-up lag p99 %s",
			fmtMS(float64(t.LagP50US)/1000), fmtMS(float64(t.LagP99US)/1000), fmtMS(float64(t.LagMaxUS)/1000), fmtMS(float64(t.WakeupP99US)/1000))
		if t.UserDelaySamples > 0 {
			fmt.Fprintf(ew, "; per-user send delay (closed loop, answer to next send) p50 %s, p99 %s, max %s, %d of %d over the limit",
				fmtMS(float64(t.UserDelayP50US)/1000), fmtMS(float64(t.UserDelayP99US)/1000), fmtMS(float64(t.UserDelayMaxUS)/1000), t.UserDelayLate, t.UserDelaySamples)
		}
		fmt.Fprintln(ew)
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintln(ew)
		for _, wn := range s.Warnings {
			fmt.Fprintf(ew, "warning: %s\n", wn)
		}
	}
	return ew.err
}

// writeLoadText is the per-stage load table: what was asked and delivered.
func writeLoadText(w io.Writer, s *Summary) {
	if len(s.Load) == 0 {
		return
	}
	fmt.Fprintf(w, "\nload delivered (%s)\n", loadCaption(s))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	rows := [][]string{loadHeader}
	for _, d := range s.Load {
		rows = append(rows, loadRow(d))
	}
	// The names read left-aligned: pad them to their column's width.
	var wid [2]int
	for _, r := range rows {
		wid[0], wid[1] = max(wid[0], len(r[0])), max(wid[1], len(r[1]))
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%-*s\t%-*s\t%s\t\n", wid[0], r[0], wid[1], r[1], strings.Join(r[2:], "\t"))
	}
	tw.Flush()
}

func writeErrorsText(w io.Writer, s *Summary) {
	if s.Overall.Failed+s.Overall.Dropped == 0 {
		return
	}
	fmt.Fprintln(w, "\nerrors (class, HTTP status, gateway code; share of the target's requests; one example)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range s.Targets {
		for _, e := range t.Errors {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%s\t%s\n", t.Name, e.Class, statusText(e.HTTPStatus), orDash(e.Code), e.Count,
				fmtPct(ratio(e.Count, t.All.Requests)), oneLine(e.Example, 100))
		}
	}
	tw.Flush()
}

func writeSLOText(w io.Writer, s *Summary) {
	if len(s.SLO.Checks) == 0 {
		fmt.Fprintln(w, "\nSLO: no objectives (set slo: in the scenario or --slo ttft_p99=2s,…)")
		return
	}
	fmt.Fprintln(w, "\nSLO")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range s.SLO.Checks {
		mark := strings.ToUpper(c.Status)
		budget := ""
		if c.BudgetLeft != nil {
			budget = fmt.Sprintf("error budget left %s", fmtPct(*c.BudgetLeft))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\tmeasured %s\t%s\t(%s)\n", mark, c.Target, c.Text, checkValue(c, c.Measured), budget, c.Basis)
	}
	tw.Flush()
	writeWindowTimelines(w, s, "  ")
	if len(s.SLO.Burn) > 0 {
		fmt.Fprintf(w, "  error budget burn (windows scaled to the run: %s)\n", burnScaleNote(s))
		writeBurn(w, s, "  ")
	}
	fmt.Fprintf(w, "SLO verdict: %s\n", strings.TrimPrefix(s.sloHeadline(), "SLO "))
}

func writeCostText(w io.Writer, s *Summary) {
	if s.Currency == "" {
		return
	}
	fmt.Fprintf(w, "\ncost (%s, from server usage; tier by prompt tokens)\n", s.Currency)
	nw := len("target")
	for _, t := range s.Targets {
		nw = max(nw, len(t.Name))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\t%-5s\trequests\tinput\tcache read\toutput\ttotal\tper 1K req\tcache saved\t\n", nw, "target", "tier")
	for _, t := range s.Targets {
		c := t.Cost
		if c == nil {
			continue
		}
		for _, tc := range c.Tiers {
			fmt.Fprintf(tw, "%-*s\t%-5s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", nw, t.Name, tc.Tier, tc.Requests, fmtMoney(tc.Input), fmtMoney(tc.CacheRead),
				fmtMoney(tc.Output), fmtMoney(tc.Total), fmtMoney(tc.Per1K), fmtMoney(tc.CacheSavings))
		}
		fmt.Fprintf(tw, "%-*s\t%-5s\t%d\t\t\t\t%s\t%s\t%s\t\n", nw, t.Name, "total", c.BilledRequests, fmtMoney(c.Total), fmtMoney(c.Per1K), fmtMoney(c.CacheSavings))
	}
	tw.Flush()
	for _, t := range s.Targets {
		if c := t.Cost; c != nil && c.ProjectedRate > 0 {
			fmt.Fprintf(w, "  %s at %s req/s: %s %s per day, %s per 30 days\n", t.Name, fmtRate(c.ProjectedRate), fmtMoney(c.PerDay), s.Currency, fmtMoney(c.PerMonth))
		}
	}
	if s.Exchange != "" {
		fmt.Fprintf(w, "  prices in %s, converted at %s (the catalog's exchange rate; a --catalog file with exchange: changes it)\n", s.Currency, s.Exchange)
	}
	for _, t := range s.Targets {
		if t.Cost != nil && t.Cost.Context != nil {
			writeContextCost(w, t.Name, s.Currency, t.Cost.Context)
		}
	}
	if sp := storagePrice(s); sp > 0 {
		fmt.Fprintf(w, "  cache storage is billed by time, apart from the above: %s %s per 1M tokens per hour\n", fmtMoney(sp), s.Currency)
	}
	for _, t := range s.Targets {
		if t.TierPlanned > 0 {
			fmt.Fprintf(w, "  %s: %d of %d requests billed in their planned tier (%.1f%%)\n", t.Name, t.TierInPlan, t.TierPlanned, 100*float64(t.TierInPlan)/float64(t.TierPlanned))
		}
		for _, m := range t.TierMismatches {
			fmt.Fprintf(w, "  %s: %s planned in tier %s were billed in tier %s (k %s)\n", t.Name, plural(m.Count, "request"), m.Planned, m.Billed, joinInts(m.Examples))
		}
	}
}

func joinInts(ks []int64) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = itoa(k)
	}
	return strings.Join(parts, ", ")
}

// writeQuotaText shows throttling apart from latency failures, and the
// quota headroom over time the endpoint's x-ratelimit-* headers showed.
func writeQuotaText(w io.Writer, s *Summary) {
	for _, v := range quotaViews(s) {
		fmt.Fprintln(w, "\n"+v.Note)
		if len(v.Rows) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "  "+strings.Join(v.Header, "\t")+"\t\n")
		for _, r := range v.Rows {
			fmt.Fprint(tw, "  "+strings.Join(r, "\t")+"\t\n")
		}
		tw.Flush()
	}
}

func writeTokensText(w io.Writer, s *Summary) {
	tk := s.Overall.Tokens
	if tk.WithUsage == 0 && tk.WithoutUsage == 0 {
		return
	}
	fmt.Fprintf(w, "\ntokens: server usage on %d of %d successful requests; client estimate vs server: prompt %s, completion %s; cached share %s; %.2f tokens per event\n",
		tk.WithUsage, s.Overall.OK, fmtSignedPct(tk.PromptMismatch), fmtSignedPct(tk.CompletionMismatch), fmtPct(tk.CachedShare), tk.TokensPerEvent)
}

// errWriter remembers the first write error so renderers can write freely.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// storagePrice is the cache-storage price of the run's models (the highest,
// when they differ), 0 when unknown.
func storagePrice(s *Summary) float64 {
	p := 0.0
	for _, t := range s.Targets {
		if t.Cost != nil {
			p = max(p, t.Cost.CacheStoragePrice)
		}
	}
	return p
}
