package report

import (
	"math"
	"sync"
	"time"

	"github.com/seedbench/seedbench/runner"
)

// SpendMeter adds up, as requests finish, what a run has cost: each
// request's server usage priced by the catalog's tier for its prompt,
// through the one bill formula (TierPrice.Cost) the report uses, so the
// live figure and the report's agree. It is what a spend cap is judged on.
// Safe for concurrent use.
type SpendMeter struct {
	pricing Pricing
	// prior is the expected cost of one request before any was billed
	// (for instance the scenario's projection); 0: none.
	prior float64

	// cache is the run's Context API caches' known bill (header.Contexts:
	// creation, and storage for at least one TTL), counted from the start.
	cache float64

	mu       sync.Mutex
	spent    float64
	billed   int64
	dearest  float64
	currency string
}

// NewSpendMeter meters requests of the run whose header is h (the header
// says how targets are priced: a catalog_model alias).
func NewSpendMeter(p Pricing, h runner.Header, prior float64) *SpendMeter {
	if fr, ok := p.(forRun); ok {
		p = fr.forRun(h)
	}
	m := &SpendMeter{pricing: p, prior: prior}
	m.cache, m.currency = contextsKnownCost(p, h)
	return m
}

// contextsKnownCost is what h's contexts cost whatever the run does next:
// their creation (tokens at the input price) and storage for one TTL (a
// context lives at least that long after its creation; contextcost.go
// bills the rest once its last use is known).
func contextsKnownCost(p Pricing, h runner.Header) (float64, string) {
	if p == nil {
		return 0, ""
	}
	models := map[string]string{}
	for _, t := range h.Targets {
		models[t.Name] = t.Model
	}
	sum, cur := 0.0, ""
	for _, x := range h.Contexts {
		price, ok := p.Bill(models[x.Target], x.Tokens)
		if !ok {
			continue
		}
		sum += price.Split(float64(x.Tokens), 0, 0).Input + price.Storage(float64(x.Tokens), time.Duration(x.TTLS)*time.Second)
		cur = price.Currency
	}
	return sum, cur
}

// Add bills one finished request (one without server usage costs nothing
// that can be known) and returns the spend so far.
func (m *SpendMeter) Add(r *runner.Result) float64 {
	cost, cur := 0.0, ""
	if u := r.Usage; u != nil && m.pricing != nil {
		if price, ok := m.pricing.Bill(r.Model, u.PromptTokens); ok {
			cached := min(max(u.CachedTokens, 0), u.PromptTokens)
			cost, cur = price.Cost(int64(u.PromptTokens), int64(cached), int64(u.CompletionTokens)), price.Currency
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if cost > 0 {
		m.spent += cost
		m.billed++
		m.dearest = math.Max(m.dearest, cost)
		if m.currency == "" {
			m.currency = cur
		}
	}
	return m.spent
}

// Spent is the spend so far, the context caches' known bill included, and
// its currency ("" before the first bill).
func (m *SpendMeter) Spent() (float64, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cache + m.spent, m.currency
}

// PerRequest is the expected cost of a request: the mean of those billed
// so far, but never below the prior. The first requests to finish are the
// quick ones, and quick requests are the cheap ones (short prompts, short
// answers): their mean alone would let the slow, dear ones still in flight
// run past a cap.
func (m *SpendMeter) PerRequest() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.billed == 0 {
		return m.prior
	}
	return max(m.prior, m.spent/float64(m.billed))
}

// WouldCross says whether sending one more request, with inFlight others
// still to be billed, is expected to take the spend past limit: spent +
// (inFlight + 1) · PerRequest > limit. Stopping there leaves the final
// spend within about one request's cost of the limit.
func (m *SpendMeter) WouldCross(limit float64, inFlight int64) bool {
	per := m.PerRequest()
	spent, _ := m.Spent()
	return spent+float64(inFlight+1)*per > limit
}
