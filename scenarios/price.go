package scenarios

import "time"

// TierPrice is one model's prices in one prompt-length tier, per 1M tokens
// in Currency. It is the one owner of the bill formula: the catalog's
// per-request cost (Model.Cost), the projection of a scenario's mix
// (Plan.Project) and the report's bill from measured usage all price
// through it, so they agree to the last digit. Seed 2.0 bills both input
// and output at the tier the prompt falls in.
type TierPrice struct {
	Tier      string  // "32k", "128k", "256k"
	Currency  string  // "CNY", "USD"
	Input     float64 // uncached prompt tokens
	Output    float64 // completion tokens, reasoning included
	CacheRead float64 // prompt tokens served from the prefix cache
	// CacheStorage is the price of keeping 1M tokens cached for an hour,
	// billed by time rather than per request: reported beside the cost,
	// never in it.
	CacheStorage float64
}

// Split prices token counts billed in the tier, part by part:
//
//	input     = (prompt − cached) · input / 1e6
//	cacheRead = cached · cache_read / 1e6
//	output    = completion · output / 1e6
//	total     = ((prompt − cached)·input + cached·cache_read + completion·output) / 1e6
//
// The counts are float64 so that a projection can price mean tokens per
// request; cached is clamped to [0, prompt] (cached tokens are a part of
// the prompt).
func (p TierPrice) Split(prompt, cached, completion float64) Cost {
	cached = min(max(cached, 0), prompt)
	c := Cost{
		Tier:      p.Tier,
		Input:     (prompt - cached) * p.Input / 1e6,
		CacheRead: cached * p.CacheRead / 1e6,
		Output:    completion * p.Output / 1e6,
		Currency:  p.Currency,
	}
	// The total is summed before the one division, not from the rounded
	// parts, so that a sum of tokens billed at once prices exactly.
	c.Total = ((prompt-cached)*p.Input + cached*p.CacheRead + completion*p.Output) / 1e6
	return c
}

// Cost of one request, or of token sums billed in one tier: Split's total.
func (p TierPrice) Cost(prompt, cached, completion int64) float64 {
	return p.Split(float64(prompt), float64(cached), float64(completion)).Total
}

// CacheSavings is what cached tokens saved against paying the input price:
// cached · (input − cache_read) / 1e6.
func (p TierPrice) CacheSavings(cached float64) float64 {
	return cached * (p.Input - p.CacheRead) / 1e6
}

// Storage is the price of keeping tokens in the cache for d:
// tokens / 1e6 · cache_storage · hours.
func (p TierPrice) Storage(tokens float64, d time.Duration) float64 {
	return tokens / 1e6 * p.CacheStorage * d.Hours()
}

// Price is the model's prices in tier t.
func (m *Model) Price(t Tier) TierPrice {
	return TierPrice{Tier: t.Name, Currency: m.Currency, Input: t.Input, Output: t.Output, CacheRead: m.CacheRead, CacheStorage: m.CacheStorage}
}

// PriceFor is the prices of the tier a prompt of n tokens is billed in.
func (m *Model) PriceFor(n int) TierPrice { return m.Price(m.TierFor(n)) }

// Cost prices one request from its server usage in the tier its prompt
// falls in (TierFor), by TierPrice.Split. Cache storage is billed by time,
// not per request: see StorageCost.
func (m *Model) Cost(u Usage) Cost {
	return m.PriceFor(u.PromptTokens).Split(float64(u.PromptTokens), float64(u.CachedTokens), float64(u.CompletionTokens))
}

// StorageCost is the price of keeping tokens in the cache for d
// (TierPrice.Storage; storage is priced the same in every tier).
func (m *Model) StorageCost(tokens float64, d time.Duration) float64 {
	return TierPrice{CacheStorage: m.CacheStorage}.Storage(tokens, d)
}
