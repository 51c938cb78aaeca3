package report

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// CatalogPricing prices requests from the scenarios package's model
// catalog — the one price table of the project — so the report and
// `seedbench cost` agree to the last digit.
func CatalogPricing(c *scenarios.Catalog) Pricing {
	return &catalogPricing{cat: c}
}

// CatalogPricingIn is CatalogPricing with every price converted to
// currency ("" for the catalog's own) at the catalog's exchange rates; it
// fails when the catalog has no rate for it.
func CatalogPricingIn(c *scenarios.Catalog, currency string) (Pricing, error) {
	if currency != "" && len(c.Models) > 0 {
		if _, err := c.In(&c.Models[0], currency); err != nil {
			return nil, err
		}
	}
	return &catalogPricing{cat: c, currency: currency}, nil
}

type catalogPricing struct {
	cat *scenarios.Catalog
	// currency the prices are converted to ("" for the catalog's).
	currency string
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
	out := &catalogPricing{cat: p.cat, currency: p.currency, alias: map[string]string{}}
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
	if p.currency != "" {
		conv, err := p.cat.In(m, p.currency)
		if err != nil {
			return TierPrice{}, false
		}
		m = conv
	}
	price := m.PriceFor(promptTokens)
	if price.Currency == "" {
		price.Currency = p.cat.Currency
	}
	return price, true
}

// exchange says how the prices were converted, for the report to show:
// "1 USD = 7.2 CNY"; "" when they are in the catalog's currency.
func (p *catalogPricing) exchange() string {
	if p.currency == "" || strings.EqualFold(p.currency, p.cat.Currency) {
		return ""
	}
	for k, v := range p.cat.Exchange {
		if strings.EqualFold(k, p.currency) {
			return fmt.Sprintf("1 %s = %g %s", strings.ToUpper(k), v, p.cat.Currency)
		}
	}
	return ""
}

// InCatalogCurrency is p with its prices in the catalog's own currency
// (p itself when it converts nothing): a spend cap, read in the catalog's
// currency, must be metered in it whatever currency the report shows.
func InCatalogCurrency(p Pricing) Pricing {
	if cp, ok := p.(*catalogPricing); ok && cp.currency != "" {
		out := *cp
		out.currency = ""
		return &out
	}
	return p
}

// Exchange says how p's prices were converted ("1 USD = 7.2 CNY"), ""
// when they are in the catalog's currency.
func Exchange(p Pricing) string {
	if x, ok := p.(interface{ exchange() string }); ok {
		return x.exchange()
	}
	return ""
}
