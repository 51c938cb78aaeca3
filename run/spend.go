package run

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// spendGuard enforces a spend cap while the run goes: every finished
// request is billed from its server usage (report.SpendMeter, the report's
// own formula), and as soon as one more request, with those in flight, is
// expected to cross the cap the run stops issuing and lets the requests in
// flight finish. What happened is kept for the footer and the outcome.
type spendGuard struct {
	cap      float64
	meter    *report.SpendMeter
	live     *runner.Live
	stop     context.CancelFunc
	reached  atomic.Bool
	once     sync.Once
	currency string
}

// newSpendGuard returns nil when there is no cap. The prior cost of one
// request, before any was billed, is the plan's projection (answers at
// max_tokens, an upper bound) averaged over the targets.
func newSpendGuard(capSpend float64, p report.Pricing, h runner.Header, plan *scenarios.Plan, live *runner.Live, stop context.CancelFunc) *spendGuard {
	if capSpend <= 0 || p == nil {
		return nil
	}
	prior, cur := 0.0, ""
	if pr, err := plan.Project(1, time.Hour, ""); err == nil && len(pr.Variants) > 0 {
		// Every prompt goes to each target in turn: a request is as likely
		// to be any of them.
		cur = pr.Currency
		for _, v := range pr.Variants {
			prior += v.Per1K / 1000 / float64(len(pr.Variants))
		}
	}
	// The cap is in the catalog's currency (ParseMoney), and so are the
	// meter and the prior, whatever currency the report is shown in.
	return &spendGuard{cap: capSpend, meter: report.NewSpendMeter(report.InCatalogCurrency(p), h, prior), live: live, stop: stop, currency: cur}
}

// add bills one finished request and stops issuing at the cap.
func (g *spendGuard) add(r *runner.Result) {
	g.meter.Add(r)
	g.check()
}

func (g *spendGuard) check() {
	if g.meter.WouldCross(g.cap, g.live.Snapshot().InFlight) {
		g.once.Do(func() {
			g.reached.Store(true)
			g.stop()
		})
	}
}

// watch checks between results too (a request is sent without one
// finishing), until ctx ends.
func (g *spendGuard) watch(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if g.reached.Load() {
				return
			}
			g.check()
		}
	}
}

// reason says what the cap did, for the footer and the exit message.
func (g *spendGuard) reason() string {
	spent, cur := g.meter.Spent()
	if cur == "" {
		cur = g.currency
	}
	return fmt.Sprintf("spend cap %.4g %s reached: spent %.4g %s (one more request, at %.4g %s each, with those in flight would have crossed it); stopped issuing and let the requests in flight finish",
		g.cap, cur, spent, cur, g.meter.PerRequest(), cur)
}
