package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/seedbench/seedbench/scenarios"
)

// Error-budget burn, the multi-window multi-burn-rate way of the SRE
// workbook (chapter 5, "Alerting on SLOs"): the burn rate is the error
// ratio over a window divided by the objective's error budget (the failure
// share it allows: 0.1 % for availability ≥ 99.9 %), so a burn rate of 1
// spends the budget exactly over the period. An alert condition fires when
// the burn rate exceeds its threshold over a long window and a short one
// (the short one says the burn is still going on, so an alert stops soon
// after the errors do).
//
// This file is the one owner of that arithmetic: the report evaluates it
// over the whole run (burnChecks), and --abort-on-burn (package run)
// evaluates the fast condition live with the same alerts, windows and
// counts.

// BurnAlert is one burn-rate condition: the error ratio over both the Long
// and the Short window above Burn × budget.
type BurnAlert struct {
	Name  string // "page" (fast burn) or "ticket" (slow burn)
	Long  time.Duration
	Short time.Duration
	Burn  float64
	// Page marks the fast-burn condition: the verdict fails when it fired,
	// and --abort-on-burn stops the run when it fires.
	Page bool
}

// BurnReference is the run length at which the workbook's windows apply
// unscaled: a 24-hour soak is judged with exactly the 1h/5m and 6h/30m
// pairs of the shipped Prometheus rules (deploy/prometheus).
const BurnReference = 24 * time.Hour

// workbookAlerts are the workbook's page (2 % of a 30-day budget in an
// hour) and ticket (5 % in six hours) conditions, short window = long/12.
var workbookAlerts = [...]BurnAlert{
	{Name: "page", Long: time.Hour, Short: 5 * time.Minute, Burn: 14.4, Page: true},
	{Name: "ticket", Long: 6 * time.Hour, Short: 30 * time.Minute, Burn: 6},
}

// BurnAlerts are the workbook's conditions for a run whose measured stages
// last period: the windows scale by period/24h (a 1-hour run: 2m30s/12.5s
// and 15m/1m15s; a 30 s run: 1.25s/104ms and 7.5s/625ms), never beyond the
// workbook's own; the thresholds do not scale (a burn rate is a ratio).
func BurnAlerts(period time.Duration) []BurnAlert {
	f := 1.0
	if period > 0 && period < BurnReference {
		f = float64(period) / float64(BurnReference)
	}
	out := make([]BurnAlert, len(workbookAlerts))
	for i, a := range workbookAlerts {
		a.Long = max(time.Duration(float64(a.Long)*f), time.Microsecond)
		a.Short = max(time.Duration(float64(a.Short)*f), time.Microsecond)
		out[i] = a
	}
	return out
}

// BurnWindow is what one window held: requests issued (sent: ok or
// failed) and failed. Live, Issued is the plan's count (requests in flight
// have no outcome yet), hence fractional.
type BurnWindow struct {
	Issued, Failed float64
	// FromUS and ToUS are the span the window covers, µs from the run's
	// start: whole bins of the BurnCounts it came from.
	FromUS, ToUS int64
}

// Rate is the window's burn rate for an error budget: error ratio ÷
// budget; 0 for an empty window.
func (w BurnWindow) Rate(budget float64) float64 {
	if w.Issued <= 0 || budget <= 0 {
		return 0
	}
	return w.Failed / w.Issued / budget
}

// Rate is the condition's burn rate: the lower of the two windows' (both
// must exceed the threshold), and whether the long window held enough
// requests to judge — at least 1/(Burn × budget), so that one failure
// alone never fires an alert (with fewer, a single error is a 100 % error
// ratio in a short window).
func (a BurnAlert) Rate(budget float64, long, short BurnWindow) (rate float64, enough bool) {
	if budget <= 0 {
		return 0, false
	}
	return min(long.Rate(budget), short.Rate(budget)), long.Issued >= 1/(a.Burn*budget)
}

// Fires reports whether the condition holds for these windows.
func (a BurnAlert) Fires(budget float64, long, short BurnWindow) bool {
	r, enough := a.Rate(budget, long, short)
	return enough && r > a.Burn
}

// BurnCounts counts requests by send time in bins, for burn windows.
// Memory is bounded whatever the run's length: bins start at 1 ms and,
// when the run outgrows maxBurnBins, adjacent bins merge and the width
// doubles; the width is a function of the latest offset seen, so workers
// and shards that each counted part of a run agree after merging.
type BurnCounts struct {
	stepUS int64
	bins   []burnBin
}

type burnBin struct{ issued, failed int64 }

const (
	maxBurnBins     = 4096
	firstBurnStepUS = 1000
)

// NewBurnCounts is an empty count at the finest width.
func NewBurnCounts() *BurnCounts { return &BurnCounts{stepUS: firstBurnStepUS} }

// Add counts issued requests sent at sentUS (µs from the run's start), of
// which failed failed.
func (c *BurnCounts) Add(sentUS, issued, failed int64) {
	b := c.at(max(sentUS, 0))
	b.issued += issued
	b.failed += failed
}

func (c *BurnCounts) at(us int64) *burnBin {
	for us/c.stepUS >= maxBurnBins {
		c.coarsen()
	}
	i := int(us / c.stepUS)
	for len(c.bins) <= i {
		c.bins = append(c.bins, burnBin{})
	}
	return &c.bins[i]
}

func (c *BurnCounts) coarsen() {
	n := (len(c.bins) + 1) / 2
	for i := range n {
		b := c.bins[2*i]
		if 2*i+1 < len(c.bins) {
			b.issued += c.bins[2*i+1].issued
			b.failed += c.bins[2*i+1].failed
		}
		c.bins[i] = b
	}
	clear(c.bins[n:])
	c.bins = c.bins[:n]
	c.stepUS *= 2
}

func (c *BurnCounts) merge(o *BurnCounts) {
	oc := &BurnCounts{stepUS: o.stepUS, bins: append([]burnBin(nil), o.bins...)}
	for oc.stepUS < c.stepUS {
		oc.coarsen()
	}
	for c.stepUS < oc.stepUS {
		c.coarsen()
	}
	for len(c.bins) < len(oc.bins) {
		c.bins = append(c.bins, burnBin{})
	}
	for i, b := range oc.bins {
		c.bins[i].issued += b.issued
		c.bins[i].failed += b.failed
	}
}

// Window is what the window of length d ending with the bin holding endUS
// held: that bin and the ones before it, d rounded to whole bins (at least
// one).
func (c *BurnCounts) Window(endUS int64, d time.Duration) BurnWindow {
	last := max(endUS, 0) / c.stepUS
	return c.window(last, c.binsOf(d))
}

func (c *BurnCounts) binsOf(d time.Duration) int64 {
	return max(int64(math.Round(float64(d.Microseconds())/float64(c.stepUS))), 1)
}

// window sums the n bins ending with bin last.
func (c *BurnCounts) window(last, n int64) BurnWindow {
	first := max(last-n+1, 0)
	w := BurnWindow{FromUS: first * c.stepUS, ToUS: (last + 1) * c.stepUS}
	for i := first; i <= last && i < int64(len(c.bins)); i++ {
		w.Issued += float64(c.bins[i].issued)
		w.Failed += float64(c.bins[i].failed)
	}
	return w
}

// BurnCheck is one availability-type objective's error budget over the run
// and its burn-rate conditions evaluated at every bin of it.
type BurnCheck struct {
	Target    string `json:"target"`
	Objective string `json:"objective"` // "availability", "error_rate@5s"
	Text      string `json:"text"`      // the objective as written
	// Budget is the failure share the objective allows (0.001 for 99.9 %).
	Budget float64 `json:"budget"`
	// Consumed is the share of the budget spent: failed ÷ (budget ×
	// issued) over the measured run, or in the worst window of a windowed
	// objective; above 1 is overspent.
	Consumed    float64 `json:"consumed"`
	ResolutionS float64 `json:"resolution_s"` // the bin width the windows were evaluated at
	// FromS and ToS bound the stretch evaluated: the first and the last
	// bin with measured sends.
	FromS  float64            `json:"from_s"`
	ToS    float64            `json:"to_s"`
	Alerts []BurnAlertOutcome `json:"alerts"`
	// Pass: no fast-burn (page) condition fired.
	Pass   bool `json:"pass"`
	source string
}

// BurnAlertOutcome is one condition over the run.
type BurnAlertOutcome struct {
	Name   string  `json:"name"` // "page", "ticket"
	Page   bool    `json:"page"`
	LongS  float64 `json:"long_s"`
	ShortS float64 `json:"short_s"`
	Burn   float64 `json:"burn"` // threshold, × the budget
	Fired  bool    `json:"fired"`
	// FirstS and LastS bound when the condition held (offsets from the
	// run's start, at the end of the bin it held in); FiringS is how long
	// it held in all.
	FirstS  *float64 `json:"first_s"`
	LastS   *float64 `json:"last_s"`
	FiringS float64  `json:"firing_s"`
	// Firing are the stretches it held, [from, to) seconds: the bins it
	// held at the end of, consecutive ones joined (at most half the bins).
	Firing [][2]float64 `json:"firing,omitempty"`
	// Peak is the highest burn rate both windows exceeded together where
	// the long window held enough requests to judge; Judged says whether
	// any did (at least 1/(burn × budget) requests, BurnAlert.Rate).
	Peak   float64 `json:"peak"`
	Judged bool    `json:"judged"`
	// Impossible: burn × budget ≥ 100 %, no error ratio can exceed it (a
	// 90 % availability allows a burn of at most 10).
	Impossible bool `json:"impossible,omitempty"`
}

// evaluate runs one condition over the counts, bin by bin from bin from
// (the first measured one) to the last.
func (a BurnAlert) evaluate(budget float64, c *BurnCounts, from int64) BurnAlertOutcome {
	out := BurnAlertOutcome{Name: a.Name, Page: a.Page, LongS: round3(a.Long.Seconds()), ShortS: round3(a.Short.Seconds()), Burn: a.Burn,
		Impossible: a.Burn*budget >= 1}
	nl, ns := c.binsOf(a.Long), c.binsOf(a.Short)
	step := float64(c.stepUS) / 1e6
	for i := from; i < int64(len(c.bins)); i++ {
		r, enough := a.Rate(budget, c.window(i, nl), c.window(i, ns))
		if !enough {
			continue
		}
		out.Judged = true
		out.Peak = max(out.Peak, round3(r))
		if r <= a.Burn {
			continue
		}
		at := round3(float64(i+1) * step)
		if !out.Fired {
			out.Fired, out.FirstS = true, &at
		}
		if k := len(out.Firing); k > 0 && out.Firing[k-1][1] == round3(float64(i)*step) {
			out.Firing[k-1][1] = at
		} else {
			out.Firing = append(out.Firing, [2]float64{round3(float64(i) * step), at})
		}
		out.LastS = &at
		out.FiringS += step
	}
	out.FiringS = round3(out.FiringS)
	return out
}

// burnCheck evaluates every condition for one objective on one target.
func burnCheck(target, objective, text string, budget, consumed float64, period time.Duration, c *BurnCounts) BurnCheck {
	bc := BurnCheck{Target: target, Objective: objective, Text: text, Budget: budget, Consumed: round6(consumed),
		ResolutionS: float64(c.stepUS) / 1e6, Pass: true}
	from := int64(len(c.bins))
	for i, b := range c.bins {
		if b.issued > 0 {
			from = int64(i)
			break
		}
	}
	bc.FromS = round3(float64(from) * bc.ResolutionS)
	bc.ToS = round3(float64(len(c.bins)) * bc.ResolutionS)
	for _, a := range BurnAlerts(period) {
		o := a.evaluate(budget, c, from)
		bc.Alerts = append(bc.Alerts, o)
		if o.Page && o.Fired {
			bc.Pass = false
		}
	}
	return bc
}

// asCheck is the burn check as one line of the verdict: the fast-burn
// condition's peak against its threshold.
func (bc BurnCheck) asCheck() Check {
	ch := Check{Target: bc.Target, Objective: bc.Objective + ":burn", Op: "<=", Unit: "burn", Pass: bc.Pass, Source: bc.source,
		Text: bc.Text + ": no fast burn", Status: StatusPass}
	for _, a := range bc.Alerts {
		if !a.Page {
			continue
		}
		peak := a.Peak
		ch.Limit, ch.Measured = a.Burn, &peak
		ch.Text = fmt.Sprintf("%s: fast burn <= %gx over %s and %s", bc.Text, a.Burn, shortDur(secs(a.LongS)), shortDur(secs(a.ShortS)))
		ch.Basis = fmt.Sprintf("never fired; %s of the budget spent", fmtPct(bc.Consumed))
		switch {
		case a.Impossible:
			ch.Basis = fmt.Sprintf("cannot fire: %gx of a %s budget is over 100%%", a.Burn, fmtPct(bc.Budget))
		case !a.Judged:
			ch.Basis = fmt.Sprintf("never judged: no %s window held the %.0f requests that keep one failure from deciding it", shortDur(secs(a.LongS)), math.Ceil(1/(a.Burn*bc.Budget)))
		case a.Fired:
			ch.Basis = fmt.Sprintf("fired at %s for %s; %s of the budget spent", shortDur(secs(*a.FirstS)), shortDur(secs(a.FiringS)), fmtPct(bc.Consumed))
		}
	}
	if !ch.Pass {
		ch.Status = StatusFail
	}
	return ch
}

func secs(s float64) time.Duration { return time.Duration(math.Round(s*1e3)) * time.Millisecond }

// burnChecks evaluates every objective with an error budget (availability,
// error rate; windowed or not) on every target it applies to. The windows
// are scaled to the measured stages' planned length (the header's), or to
// the send window of a file without stages.
func burnChecks(s *Summary, ag *aggregator, objs []scenarios.Objective) []BurnCheck {
	var period time.Duration
	for _, st := range ag.stages {
		if !st.Warmup {
			period += time.Duration(st.Seconds * float64(time.Second))
		}
	}
	if period <= 0 {
		period = time.Duration(s.Window.Seconds * float64(time.Second))
	}
	var out []BurnCheck
	for _, t := range s.Targets {
		ta := ag.targets[t.Name]
		if ta == nil || ta.burn == nil {
			continue
		}
		for _, o := range objectivesFor(objs, t.Name) {
			budget := o.ErrorBudget()
			if budget <= 0 {
				continue
			}
			key, text := o.Key(), objectiveText(o)
			consumed := ratio(t.All.Failed, t.All.Issued) / budget
			if o.Window > 0 {
				key += "@" + shortDur(o.Window)
				text += " in every " + shortDur(o.Window) + " window"
				consumed = 0
				for _, w := range s.SLO.Windows {
					if w.Target != t.Name || w.Objective != o.Key() || w.Window != o.Window.Seconds() {
						continue
					}
					for _, v := range w.Windows {
						if v.Measured == nil {
							continue
						}
						failed := *v.Measured // error rate
						if o.Metric == "availability" {
							failed = 1 - failed
						}
						consumed = max(consumed, failed/budget)
					}
				}
			}
			bc := burnCheck(t.Name, key, text, budget, consumed, period, ta.burn)
			bc.source = o.Source
			out = append(out, bc)
		}
	}
	return out
}

// writeBurn lists each objective's budget and burn conditions:
//
//	[mini] availability >= 99.9%: budget 0.10% of requests, 35.20% spent
//	  page    burn > 14.4x over 1.25s and 104ms: FIRED 12.3s–16.9s (4.1s in all), peak 19.6x
//	  ticket  burn > 6x over 7.5s and 625ms: never, peak 3.1x
func writeBurn(w io.Writer, s *Summary, indent string) {
	for _, bc := range s.SLO.Burn {
		where := "spent"
		if strings.Contains(bc.Objective, "@") {
			where = "spent in the worst window"
		}
		fmt.Fprintf(w, "%s[%s] %s: budget %s of requests, %s %s\n", indent, bc.Target, bc.Text, fmtPct(bc.Budget), fmtPct(bc.Consumed), where)
		for _, a := range bc.Alerts {
			fmt.Fprintf(w, "%s  %-7s burn > %gx over %s and %s: %s\n", indent, a.Name, a.Burn, shortDur(secs(a.LongS)), shortDur(secs(a.ShortS)), a.Outcome())
		}
	}
}

// Outcome is "never, peak 3.1x" or "FIRED 12.3s–16.9s (4.1s in all), peak 19.6x"
// ("fired" for a ticket, which does not fail the verdict).
func (a BurnAlertOutcome) Outcome() string {
	switch {
	case a.Impossible:
		return "cannot fire (the budget is over 1/" + fmt.Sprint(a.Burn) + ")"
	case !a.Judged:
		return "never judged (too few requests per long window)"
	case !a.Fired:
		return fmt.Sprintf("never, peak %.1fx", a.Peak)
	}
	word := "fired"
	if a.Page {
		word = "FIRED"
	}
	return fmt.Sprintf("%s %s–%s (%s in all), peak %.1fx", word, shortDur(secs(*a.FirstS)), shortDur(secs(*a.LastS)), shortDur(secs(a.FiringS)), a.Peak)
}

// burnScaleNote says how the windows relate to the workbook's:
// "1/2880 of the workbook's 1h/5m and 6h/30m; evaluated every 8ms" for a
// 30 s run.
func burnScaleNote(s *Summary) string {
	bc := s.SLO.Burn[0]
	if len(bc.Alerts) == 0 {
		return ""
	}
	f := bc.Alerts[0].LongS / time.Hour.Seconds()
	scale := "the workbook's own"
	if f < 0.999 {
		scale = fmt.Sprintf("1/%.4g of the workbook's", 1/f)
	}
	return fmt.Sprintf("%s 1h/5m and 6h/30m; evaluated every %s", scale, shortDur(secs(bc.ResolutionS)))
}
