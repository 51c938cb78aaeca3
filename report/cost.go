package report

import "github.com/seedbench/seedbench/scenarios"

// Pricing is what the report needs from the model catalog: which tier a
// request is billed in and that tier's prices. The scenarios package's
// catalog satisfies it; tests use a fixed table.
type Pricing interface {
	// Bill returns the tier a request to model with promptTokens prompt
	// tokens (the server's count) is billed in, and its prices. ok is false
	// for a model the catalog does not know.
	Bill(model string, promptTokens int) (price TierPrice, ok bool)
}

// TierPrice is one model's prices in one prompt-length tier: the catalog's
// type, which owns the bill formula (TierPrice.Split, .Cost, .CacheSavings),
// so the report, the projection and the catalog price alike.
type TierPrice = scenarios.TierPrice

// costAcc sums the tokens a target was billed in one (model, tier): cost is
// computed from the sums at the end, so it is exact and order-free.
type costAcc struct {
	price      TierPrice
	model      string
	requests   int64
	prompt     int64
	cached     int64
	completion int64
}

func (c *costAcc) merge(o *costAcc) {
	c.requests += o.requests
	c.prompt += o.prompt
	c.cached += o.cached
	c.completion += o.completion
}

// mismatchAcc counts requests billed in another tier than the plan meant,
// keeping the smallest few k as examples.
type mismatchAcc struct {
	planned, billed string
	count           int64
	examples        []int64 // smallest k, at most maxMismatchExamples
}

const maxMismatchExamples = 10

func (m *mismatchAcc) add(k int64) {
	m.count++
	m.keep(k)
}

func (m *mismatchAcc) keep(k int64) {
	if len(m.examples) < maxMismatchExamples {
		m.examples = append(m.examples, k)
		sortInt64s(m.examples)
		return
	}
	if k < m.examples[len(m.examples)-1] {
		m.examples[len(m.examples)-1] = k
		sortInt64s(m.examples)
	}
}

func (m *mismatchAcc) merge(o *mismatchAcc) {
	m.count += o.count
	for _, k := range o.examples {
		m.keep(k)
	}
}

func sortInt64s(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
