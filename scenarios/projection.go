package scenarios

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// Projection is what a scenario's workload would cost on each of its
// targets, from the mix alone: no request is sent. Each variant is priced
// as if it served the whole workload at Rate for Period (the question is
// "what would this traffic cost on Mini, and on Pro?").
//
// Per request, with the tier chosen by the prompt length, priced by
// TierPrice.Split with completion = max_tokens, averaged over the mix (see
// expect). Requests that belong to a prefix group are assumed to hit the cache for the whole prefix; the prefixes are
// assumed stored for the whole period (groups · tokens · cache_storage ·
// hours). Completion tokens are taken as max_tokens, an upper bound, and
// reasoning tokens are not counted. With sessions a request is a turn,
// priced with its conversation so far (see SessionSource.expect).
type Projection struct {
	Scenario string
	Rate     float64 // requests per second
	Period   time.Duration
	Currency string
	// Exchange is the rate prices were converted at ("1 USD = 7.2 CNY"),
	// empty in the catalog's own currency.
	Exchange string
	Variants []VariantCost
}

// VariantCost is one target's projection. Money is in Projection.Currency.
type VariantCost struct {
	Target, Model string
	// Priced is false when the catalog has no prices for the model.
	Priced bool
	// Budget is the target's max_completion_tokens: the completion
	// (reasoning + answer) of every request is bounded by it, and the
	// projection prices that bound. Unbounded is set when the target thinks
	// without a budget: reasoning has no cap below the context window, and
	// the figures (answers at max_tokens) are no upper bound.
	Budget    int
	Unbounded bool
	// BudgetedShare is the share of requests under a thinking budget,
	// their class's or the target's (1 with a target budget); ClassBudgets
	// says some class has its own.
	BudgetedShare float64
	ClassBudgets  bool
	Tiers         []TierCost
	// Per 1,000 requests of the mix.
	Input, CacheRead, Output, Per1K float64
	// CacheSavingsPer1K is what the cached prefix tokens would cost more
	// at the input price: cached · (input[tier] − cache_read) / 1e6.
	CacheSavingsPer1K float64
	// Requests in the period, and their cost.
	Requests         float64
	PerDay           float64
	PerPeriod        float64 // requests only
	StoragePerPeriod float64 // cache storage of the prefix groups
	// Contexts, ContextTokenHours and ContextCreation are the Context API
	// caches' (context_api prefix sets): how many, their storage over the
	// period plus the TTL they outlive it by (in StoragePerPeriod too), and
	// their creation, billed once as input.
	Contexts          int
	ContextTokenHours float64
	ContextCreation   float64
	Total             float64 // PerPeriod + StoragePerPeriod + ContextCreation
}

// TierCost is one tier's share of a variant's projection; money per 1,000
// requests of the whole mix (so tiers add up to the variant's Per1K).
type TierCost struct {
	Tier                         string
	Share                        float64 // of all requests
	Prompt, Cached, Output       float64 // mean tokens per request in the tier
	Input, CacheRead, OutputCost float64
	Total                        float64
}

// Project prices p's mix on every target at rate requests/s over period,
// in currency ("" for the catalog's).
func (p *Plan) Project(rate float64, period time.Duration, currency string) (*Projection, error) {
	cat := p.Scenario.Catalog()
	if currency == "" {
		currency = cat.Currency
	}
	pr := &Projection{Scenario: p.Scenario.Name, Rate: rate, Period: period, Currency: strings.ToUpper(currency)}
	if !strings.EqualFold(currency, cat.Currency) {
		for k, v := range cat.Exchange {
			if strings.EqualFold(k, currency) {
				pr.Exchange = fmt.Sprintf("1 %s = %g %s", strings.ToUpper(k), v, cat.Currency)
			}
		}
	}
	requests := rate * period.Seconds()
	for i, t := range p.Scenario.Targets {
		vc := VariantCost{Target: t.Name, Model: t.Model, Requests: requests}
		m, ok := cat.ForTarget(t)
		if !ok {
			pr.Variants = append(pr.Variants, vc)
			continue
		}
		m, err := cat.In(m, currency)
		if err != nil {
			return nil, err
		}
		vc.Priced = true
		vc.Budget = t.MaxCompletionTokens
		// Class budgets over the target's: expect prices each class at the
		// cap its requests send.
		e := p.Source.expect(p.Source.targets[i].model, vc.Budget)
		vc.BudgetedShare = 1 - e.unbudgeted
		for _, c := range p.Scenario.Mix {
			vc.ClassBudgets = vc.ClassBudgets || c.MaxCompletionTokens > 0 && p.Scenario.Source.IsZero() && p.Scenario.Sessions.IsZero()
		}
		vc.Unbounded = e.unbudgeted > 1e-12 && thinks(t)
		for j, tm := range e.tiers {
			price := m.Price(m.Tiers[j])
			out := e.outputByTier[j]
			if vc.Budget > 0 && !vc.ClassBudgets {
				out = float64(vc.Budget) // exact, not a mean of equal values
			}
			tc := TierCost{Tier: tm.tier, Share: tm.p, Prompt: tm.prompt, Cached: tm.cached, Output: out}
			// Per 1K requests of the mix: 1000 · share · per-request cost.
			k := 1000 * tm.p
			c := price.Split(tm.prompt, tm.cached, out)
			tc.Input, tc.CacheRead, tc.OutputCost = k*c.Input, k*c.CacheRead, k*c.Output
			tc.Total = tc.Input + tc.CacheRead + tc.OutputCost
			vc.Input += tc.Input
			vc.CacheRead += tc.CacheRead
			vc.Output += tc.OutputCost
			vc.CacheSavingsPer1K += k * price.CacheSavings(tm.cached)
			vc.Tiers = append(vc.Tiers, tc)
		}
		vc.Per1K = vc.Input + vc.CacheRead + vc.Output
		vc.PerDay = vc.Per1K / 1000 * rate * 86400
		vc.PerPeriod = vc.Per1K / 1000 * requests
		for _, ps := range p.Scenario.Prefix {
			tokens := float64(ps.Groups * ps.Tokens)
			if ps.ContextMode() != PrefixContextAPI {
				vc.StoragePerPeriod += m.StorageCost(tokens, period)
				continue
			}
			// A context lives from its creation until TTL after its last
			// use: the traffic keeps it alive through the period, then it
			// expires (contextcache.go). Its creation is billed as input.
			stored := period + ps.ContextTTL()
			vc.Contexts += ps.Groups
			vc.ContextTokenHours += tokens * stored.Hours()
			vc.StoragePerPeriod += m.StorageCost(tokens, stored)
			vc.ContextCreation += float64(ps.Groups) * m.PriceFor(ps.Tokens).Split(float64(ps.Tokens), 0, 0).Input
		}
		vc.Total = vc.PerPeriod + vc.StoragePerPeriod + vc.ContextCreation
		pr.Variants = append(pr.Variants, vc)
	}
	return pr, nil
}

// WriteText renders the projection: a table per variant by tier, then a
// summary table.
func (pr *Projection) WriteText(w io.Writer) error {
	per := FormatPeriod(pr.Period)
	fmt.Fprintf(w, "cost projection: %s\n", pr.Scenario)
	fmt.Fprintf(w, "each variant serving the whole mix at %s req/s for %s = %s requests; prices in %s per 1M tokens\n",
		trimFloat(pr.Rate, 3), per, GroupThousands(math.Round(pr.Requests()), 0), pr.Currency)
	if pr.Exchange != "" {
		fmt.Fprintf(w, "converted at %s (the catalog's exchange rate; a --catalog file with exchange: changes it)\n", pr.Exchange)
	}
	fmt.Fprintln(w, "assumes every answer uses its full max_tokens (an upper bound), no reasoning tokens, and cache hits for every prefix-group request")
	for _, v := range pr.Variants {
		fmt.Fprintf(w, "\n%s  %s\n", v.Target, v.Model)
		if !v.Priced {
			fmt.Fprintln(w, "  no prices: the model is not in the catalog (set catalog_model on the target, or pass --catalog)")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  tier \trequests\tprompt/req\tcached/req\toutput/req\tinput/1K\tcache/1K\toutput/1K\ttotal/1K\t")
		for _, t := range v.Tiers {
			if t.Share == 0 {
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", padRight(t.Tier, 5), pct(t.Share),
				GroupThousands(t.Prompt, 0), GroupThousands(t.Cached, 0), GroupThousands(t.Output, 0),
				money(t.Input), money(t.CacheRead), money(t.OutputCost), money(t.Total))
		}
		fmt.Fprintf(tw, "  all  \t%s\t\t\t\t%s\t%s\t%s\t%s\t\n", pct(1), money(v.Input), money(v.CacheRead), money(v.Output), money(v.Per1K))
		if err := tw.Flush(); err != nil {
			return err
		}
		switch {
		case v.Budget > 0 && v.BudgetedShare > 1-1e-12 && !v.ClassBudgets:
			fmt.Fprintf(w, "  bounded by the thinking budget: max_completion_tokens %d per request (reasoning + answer)\n", v.Budget)
		case v.BudgetedShare > 1-1e-12:
			fmt.Fprintln(w, "  bounded by the thinking budgets: each class's max_completion_tokens (or the target's) per request (reasoning + answer)")
		case v.Unbounded && v.BudgetedShare > 0:
			fmt.Fprintf(w, "  thinking budgets bound %s of the requests (their classes' max_completion_tokens); the rest have none: their reasoning is unbounded, so these figures are not an upper bound\n", pct(v.BudgetedShare))
		case v.Unbounded:
			fmt.Fprintln(w, "  thinking is on with no max_completion_tokens: reasoning is unbounded, so these figures (answers at max_tokens) are not an upper bound")
		}
		if v.CacheSavingsPer1K > 0 {
			fmt.Fprintf(w, "  the prefix cache saves %s per 1K requests\n", money(v.CacheSavingsPer1K))
		}
		if v.Contexts > 0 {
			fmt.Fprintf(w, "  context cache (Context API): %d contexts created once for %s, stored %s token-hours (the %s and the TTL after it)\n",
				v.Contexts, money(v.ContextCreation), GroupThousands(v.ContextTokenHours, 0), per)
		}
	}
	fmt.Fprintf(w, "\nsummary (%s)\n", pr.Currency)
	// Text columns are padded to their width so that, in a right-aligned
	// table, they read left-aligned.
	nw, mw := len("variant"), len("model")
	for _, v := range pr.Variants {
		nw, mw = max(nw, len(v.Target)), max(mw, len(v.Model))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  %s\t%s\tper 1K req\tcache savings/1K\tper day\tper %s\tcache storage/%s\ttotal/%s\t\n", padRight("variant", nw), padRight("model", mw), per, per, per)
	for _, v := range pr.Variants {
		if !v.Priced {
			fmt.Fprintf(tw, "  %s\t%s\t-\t-\t-\t-\t-\t-\t\n", padRight(v.Target, nw), padRight(v.Model, mw))
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", padRight(v.Target, nw), padRight(v.Model, mw), money(v.Per1K), money(v.CacheSavingsPer1K),
			GroupThousands(v.PerDay, 2), GroupThousands(v.PerPeriod, 2), GroupThousands(v.StoragePerPeriod, 2), GroupThousands(v.Total, 2))
	}
	return tw.Flush()
}

// Requests is the number of requests in the period.
func (pr *Projection) Requests() float64 { return pr.Rate * pr.Period.Seconds() }

// FormatPeriod writes a duration the way a scenario would: whole days as
// "30d", else time.Duration's form without zero units ("5m", "1h1m").
func FormatPeriod(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func money(f float64) string { return fmt.Sprintf("%.4f", f) }

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

func trimFloat(f float64, prec int) string {
	s := fmt.Sprintf("%.*f", prec, f)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// GroupThousands writes f with prec decimals and commas between thousands
// (the projection's and the report's figures).
func GroupThousands(f float64, prec int) string {
	s := fmt.Sprintf("%.*f", prec, f)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// padRight pads s with spaces to n bytes.
func padRight(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len(s))) }
