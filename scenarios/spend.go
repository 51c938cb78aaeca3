package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// ParseMoney reads a spend cap: an amount with an optional currency code,
// "5CNY", "5 CNY", "0.7USD" or a bare "5" (the catalog's currency), and
// returns it in the catalog's currency using its exchange rates.
func (c *Catalog) ParseMoney(s string) (float64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) })
	num, cur := t, ""
	if i >= 0 {
		num, cur = strings.TrimSpace(t[:i]), strings.ToUpper(strings.TrimSpace(t[i:]))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not an amount of money (try \"5CNY\")", s)
	}
	if cur == "" || strings.EqualFold(cur, c.Currency) {
		return v, nil
	}
	for k, rate := range c.Exchange {
		if strings.EqualFold(k, cur) {
			return v * rate, nil
		}
	}
	return 0, fmt.Errorf("%q: no exchange rate from %s to %s in the catalog", s, cur, c.Currency)
}

// ParseMoneyIn is ParseMoney in currency ("" for the catalog's): "5CNY"
// in USD is 5 / 7.2 at the catalog's rate of 1 USD = 7.2 CNY. A cap and
// the bill it caps must be in one currency.
func (c *Catalog) ParseMoneyIn(s, currency string) (float64, error) {
	v, err := c.ParseMoney(s)
	if err != nil || currency == "" || strings.EqualFold(currency, c.Currency) {
		return v, err
	}
	for k, rate := range c.Exchange {
		if strings.EqualFold(k, currency) && rate > 0 {
			return v / rate, nil
		}
	}
	return 0, fmt.Errorf("no exchange rate from %s to %s in the catalog", c.Currency, strings.ToUpper(currency))
}
