package report

import (
	"encoding/json"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// CatalogPricing prices requests from the scenarios package's model
// catalog — the one price table of the project — so the report and
// `seedbench cost` agree to the last digit.
func CatalogPricing(c *scenarios.Catalog) Pricing {
	return &catalogPricing{cat: c}
}

type catalogPricing struct {
	cat *scenarios.Catalog
	// alias maps a model name a target sent (say a gateway endpoint id) to
	// the catalog model it is priced as (the target's catalog_model).
	alias map[string]string
}

// forRun is implemented by a Pricing that learns from the results header
// (the resolved scenario's targets) how to price the run.
type forRun interface {
	forRun(h runner.Header) Pricing
}

func (p *catalogPricing) forRun(h runner.Header) Pricing {
	var sc struct {
		Targets []struct {
			Model        string `json:"model"`
			CatalogModel string `json:"catalog_model"`
		} `json:"targets"`
	}
	if len(h.Resolved) == 0 || json.Unmarshal(h.Resolved, &sc) != nil {
		return p
	}
	out := &catalogPricing{cat: p.cat, alias: map[string]string{}}
	for _, t := range sc.Targets {
		if t.CatalogModel != "" {
			out.alias[t.Model] = t.CatalogModel
		}
	}
	return out
}

// Bill looks the model up (by its catalog_model when the scenario gave
// one) and returns the prices of the tier its prompt falls in.
func (p *catalogPricing) Bill(model string, promptTokens int) (TierPrice, bool) {
	name := model
	if a, ok := p.alias[model]; ok {
		name = a
	}
	m, ok := p.cat.Lookup(name)
	if !ok || len(m.Tiers) == 0 {
		return TierPrice{}, false
	}
	price := m.PriceFor(promptTokens)
	if price.Currency == "" {
		price.Currency = p.cat.Currency
	}
	return price, true
}
