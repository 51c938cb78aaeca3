package capacity

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Schema names the version of capacity.json's layout. Fields are only ever
// added within a version; a rename or removal bumps it.
const Schema = "seedbench.capacity/v1"

// Report is everything a capacity search found: capacity.json is this
// struct, and capacity.md, capacity.html and the text summary are rendered
// from it. Latencies in ms, rates per second, money in Currency.
type Report struct {
	Schema    string    `json:"schema"`
	Tool      string    `json:"tool"`
	Scenario  string    `json:"scenario"`
	Start     time.Time `json:"start"`
	Mode      Mode      `json:"mode"`
	Tolerance float64   `json:"tolerance"`
	// Objectives are the scenario's objectives every probe was judged on,
	// as written ("ttft_p99 <= 2s").
	Objectives []string `json:"objectives"`
	// Limits are the latency objectives per target, for the charts.
	Limits   map[string][]LatencyLimit `json:"latency_limits,omitempty"`
	Results  []Result                  `json:"results"`
	Decision Decision                  `json:"decision"`
	Currency string                    `json:"currency,omitempty"`
	// Exchange is the rate money was converted at ("1 USD = 7.2 CNY"),
	// absent in the catalog's own currency.
	Exchange string   `json:"exchange,omitempty"`
	Spent    float64  `json:"spent"`
	SpendCap float64  `json:"spend_cap,omitempty"` // 0: none
	Seconds  float64  `json:"wall_seconds"`
	Warnings []string `json:"warnings"`
}

// LatencyLimit is one latency objective of a target.
type LatencyLimit struct {
	Objective string  `json:"objective"` // "ttft_p99"
	MS        float64 `json:"limit_ms"`
}

// WriteJSON writes capacity.json.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// bracket writes a result's capacity with its bracket: "85/s [85, 93)".
func bracket(r Result) string {
	switch {
	case r.Capacity == 0 && r.Hi > 0:
		return "none (fails at " + LevelText(r.Mode, r.Hi) + ")"
	case r.Capacity == 0:
		return "not measured"
	case r.Hi == 0:
		return "≥ " + LevelText(r.Mode, r.Capacity)
	}
	return fmt.Sprintf("%s [%.3g, %.3g)", LevelText(r.Mode, r.Capacity), r.Lo, r.Hi)
}

func binding(r Result) string {
	if r.Binding == "" {
		return "—"
	}
	if r.BindingExcess > 0 && r.Binding != BindingInconclusive {
		return fmt.Sprintf("%s (+%s)", r.Binding, pct(r.BindingExcess))
	}
	return r.Binding
}

// rows are the table every text format shows: per variant its capacity,
// what binds it, and what it does at capacity and at the expected rate.
func (r *Report) rows() (head []string, rows [][]string) {
	head = []string{"variant", "capacity [bracket)", "binding", "probes", "TTFT p50/p99 at cap.", "TPOT p95", "ok/s", "cached", "per 1K", "fits", "per month", "per on-SLO answer"}
	choice := map[string]Choice{}
	for _, c := range r.Decision.Choices {
		choice[c.Target] = c
	}
	for _, res := range r.Results {
		c := choice[res.Target]
		row := []string{res.Target, bracket(res), binding(res), fmt.Sprint(len(res.Probes))}
		if a := res.At; a != nil {
			row = append(row, ms(a.TTFTP50)+" / "+ms(a.TTFTP99), ms(a.TPOTP95), fmt.Sprintf("%.3g", a.Throughput), pct(a.CachedShare), money(a.Per1K, a.Currency))
		} else {
			row = append(row, "—", "—", "—", "—", "—")
		}
		fits := "no"
		switch {
		case c.Fits:
			fits = fmt.Sprintf("yes (%.2g×)", c.Margin)
		case c.Unknown:
			fits = "unknown"
		}
		row = append(row, fits, money(c.PerMonth, c.Currency), money(c.PerGood, c.Currency))
		if flaps := len(res.Flapped); flaps > 0 {
			row[2] += fmt.Sprintf(", flapped ×%d", flaps)
		}
		if res.Stopped != StopConverged {
			row[1] += " (stopped: " + res.Stopped + ")"
		}
		rows = append(rows, row)
	}
	return head, rows
}

// WriteText writes the terminal summary.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "capacity of %s by %s (tolerance %s), objectives: %s\n\n", r.Scenario, r.Mode, pct(r.Tolerance), strings.Join(r.Objectives, ", "))
	head, rows := r.rows()
	widths := make([]int, len(head))
	for _, row := range append([][]string{head}, rows...) {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, row := range append([][]string{head}, rows...) {
		for i, c := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))))
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nat the expected %s with %.3g× headroom: %s\n", LevelText(r.Mode, r.Decision.Expected), r.Decision.Headroom, r.Decision.Sentence)
	fmt.Fprintf(&b, "spent %s%s over %s of probes\n", money(r.Spent, r.Currency), capText(r), (time.Duration(r.Seconds) * time.Second).String())
	if r.Exchange != "" {
		fmt.Fprintf(&b, "money in %s, converted at %s (the catalog's exchange rate)\n", r.Currency, r.Exchange)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", wn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func capText(r *Report) string {
	if r.SpendCap <= 0 {
		return ""
	}
	return " of the " + money(r.SpendCap, r.Currency) + " cap"
}

// WriteMarkdown writes capacity.md.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Capacity: %s\n\n**%s**\n\n", r.Scenario, r.Decision.Sentence)
	fmt.Fprintf(&b, "Highest %s at which every objective passed and the load was delivered (%s), bracket within %s. Expected %s × %.3g headroom = %s.\n\n",
		map[Mode]string{ByRate: "offered rate", ByConcurrency: "number of concurrent streams"}[r.Mode], strings.Join(r.Objectives, ", "), pct(r.Tolerance),
		LevelText(r.Mode, r.Decision.Expected), r.Decision.Headroom, LevelText(r.Mode, r.Decision.Needed))
	head, rows := r.rows()
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|" + strings.Repeat("---|", len(head)) + "\n")
	for _, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	b.WriteString("\n## Probes\n\n| variant | phase | offered | achieved | ok | TTFT p99 | TPOT p95 | verdict | binding | run directory |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, res := range r.Results {
		for _, p := range res.Probes {
			o := p.Outcome
			fmt.Fprintf(&b, "| %s | %s | %s | %.3g/s | %d | %s | %s | %s | %s | `%s` |\n", res.Target, p.Phase, LevelText(res.Mode, p.Level), o.Achieved, o.OK,
				ms(o.TTFTP99), ms(o.TPOTP95), p.Verdict, orDash(p.Binding), o.Dir)
		}
	}
	fmt.Fprintf(&b, "\nSpent %s%s.\n", money(r.Spent, r.Currency), capText(r))
	if r.Exchange != "" {
		fmt.Fprintf(&b, "Money in %s, converted at %s.\n", r.Currency, r.Exchange)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(&b, "\n> warning: %s\n", wn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// curveOf is a result's probes as chart series (every probe a point).
func (r *Report) levelsOf(res Result) (lv, p50, p99, tpot, ach []float64) {
	for _, p := range res.Probes {
		o := p.Outcome
		nan := func(v float64) float64 {
			if o.OK == 0 || v <= 0 {
				return math.NaN()
			}
			return v
		}
		lv = append(lv, p.Level)
		p50, p99, tpot = append(p50, nan(o.TTFTP50)), append(p99, nan(o.TTFTP99)), append(tpot, nan(o.TPOTP95))
		ach = append(ach, o.Achieved)
	}
	return
}
