package report

import (
	"fmt"
	"io"
	"time"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// prefixUse keys the last use of one target's prefix group.
type prefixUse struct {
	target string
	group  int
}

// used records r as a use of its prefix group.
func (ag *aggregator) used(r *runner.Result) {
	if ag.lastUse == nil {
		ag.lastUse = map[prefixUse]int64{}
	}
	k := prefixUse{r.Target, r.Prefix}
	if old, ok := ag.lastUse[k]; !ok || r.SentUS > old {
		ag.lastUse[k] = r.SentUS
	}
}

// ContextCost is what a target's Context API caches cost, apart from its
// requests (the explicit cache of scenarios/contextcache.go): each context
// is billed once as input when created, and for storage by the token-hour
// from its creation until its TTL runs out after its last use (the run
// leaves it to expire). Cache reads are the cached tokens of the requests,
// already in the per-request bill; they are repeated here so that the three
// parts of the cache's bill stand together.
type ContextCost struct {
	Contexts int   `json:"contexts"`
	Tokens   int64 `json:"tokens"` // their sizes, as the server counted them
	TTLS     int64 `json:"ttl_s"`  // the longest TTL among them
	// Creation is their tokens at the input price of the tier they fall in.
	Creation float64 `json:"creation_cost"`
	// TokenHours is Σ tokens × hours stored, created → last use + TTL.
	TokenHours   float64 `json:"storage_token_hours"`
	StoragePrice float64 `json:"storage_price_per_1m_hour"`
	Storage      float64 `json:"storage_cost"`
	CacheReads   float64 `json:"cache_read_cost"` // in TargetCost.Total already
	// Total is the requests' bill plus creation and storage: the run's
	// whole bill on this target.
	Total float64 `json:"total_with_cache"`
}

// contextCost prices the contexts the headers record for target name (on
// model), through the catalog's one formula (TierPrice.Split for creation,
// TierPrice.Storage for storage). nil when the target has none or the model
// is not priced.
func contextCost(name, model string, headers []runner.Header, lastUse map[prefixUse]int64, pricing Pricing, c *TargetCost) *ContextCost {
	var cc *ContextCost
	seen := map[string]bool{}
	for _, h := range headers {
		for _, x := range h.Contexts {
			if x.Target != name || seen[x.ID] {
				continue
			}
			seen[x.ID] = true
			p, ok := pricing.Bill(model, x.Tokens)
			if !ok {
				return nil
			}
			if cc == nil {
				cc = &ContextCost{StoragePrice: p.CacheStorage}
			}
			last := x.Created
			if us, ok := lastUse[prefixUse{name, x.Group}]; ok {
				last = h.Start.Add(time.Duration(us) * time.Microsecond)
			}
			ttl := time.Duration(x.TTLS) * time.Second
			hours := scenarios.ContextStorageHours(x.Created, last, ttl)
			cc.Contexts++
			cc.Tokens += int64(x.Tokens)
			cc.TTLS = max(cc.TTLS, x.TTLS)
			cc.Creation += p.Split(float64(x.Tokens), 0, 0).Input
			cc.TokenHours += float64(x.Tokens) * hours
			cc.Storage += p.Storage(float64(x.Tokens), time.Duration(hours*float64(time.Hour)))
		}
	}
	if cc == nil {
		return nil
	}
	for _, tc := range c.Tiers {
		cc.CacheReads += tc.CacheRead
	}
	cc.TokenHours = round6(cc.TokenHours)
	cc.Total = c.Total + cc.Creation + cc.Storage
	return cc
}

// contextCache is c's context-cache bill, nil when c is or it has none.
func (c *TargetCost) contextCache() *ContextCost {
	if c == nil {
		return nil
	}
	return c.Context
}

// contextCostNotes is a sentence per target with a context-cache bill, for
// the formats that show it under the cost table as prose (Markdown, HTML).
func contextCostNotes(s *Summary) []string {
	var notes []string
	for _, t := range s.Targets {
		if cc := t.Cost.contextCache(); cc != nil {
			notes = append(notes, fmt.Sprintf("%s: context cache (Context API, %d contexts, TTL %s, left to expire): creation %s, cache reads %s, storage %s (%s token-hours), total with the cache %s %s.",
				t.Name, cc.Contexts, scenarios.FormatPeriod(time.Duration(cc.TTLS)*time.Second), fmtMoney(cc.Creation), fmtMoney(cc.CacheReads),
				fmtMoney(cc.Storage), scenarios.GroupThousands(cc.TokenHours, 1), fmtMoney(cc.Total), s.Currency))
		}
	}
	return notes
}

// writeContextCost prints a target's context-cache lines under the cost table.
func writeContextCost(w io.Writer, name, currency string, cc *ContextCost) {
	fmt.Fprintf(w, "  %s: context cache (Context API, %d contexts, %s tokens, TTL %s, left to expire):\n",
		name, cc.Contexts, scenarios.GroupThousands(float64(cc.Tokens), 0), scenarios.FormatPeriod(time.Duration(cc.TTLS)*time.Second))
	fmt.Fprintf(w, "    cache creation  %s %s (their tokens at the input price, once)\n", fmtMoney(cc.Creation), currency)
	fmt.Fprintf(w, "    cache reads     %s %s (the cached tokens above, at the cache-read price)\n", fmtMoney(cc.CacheReads), currency)
	fmt.Fprintf(w, "    cache storage   %s %s (%s token-hours, created to TTL after last use, at %s per 1M tokens per hour)\n",
		fmtMoney(cc.Storage), currency, scenarios.GroupThousands(cc.TokenHours, 1), fmtMoney(cc.StoragePrice))
	fmt.Fprintf(w, "    total with the cache  %s %s\n", fmtMoney(cc.Total), currency)
}
