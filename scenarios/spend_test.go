package scenarios

import (
	"math"
	"strings"
	"testing"
)

func TestParseMoney(t *testing.T) {
	cat := DefaultCatalog()
	for _, tc := range []struct {
		in   string
		want float64
		err  string
	}{
		{"5CNY", 5, ""},
		{"0.01 CNY", 0.01, ""},
		{"5", 5, ""},      // the catalog's currency
		{"1USD", 7.2, ""}, // converted at the catalog's rate
		{"1 usd", 7.2, ""},
		{"five", 0, "not an amount"},
		{"-1CNY", 0, "not an amount"},
		{"0CNY", 0, "not an amount"},
		{"3EUR", 0, "no exchange rate from EUR"},
	} {
		got, err := cat.ParseMoney(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	// In a scenario, a bad cap is an error at its place.
	_, err := ParseWith("s.yaml", []byte(strings.Replace(base, "  max_in_flight: 10\n", "  max_in_flight: 10\n  max_spend: lots\n", 1)), Options{Env: testEnv})
	if err == nil || !strings.Contains(err.Error(), `s.yaml:13:14: load.max_spend: "lots" is not an amount of money`) {
		t.Fatalf("error %v", err)
	}
}

// TestParseMoneyIn: a cap read in the currency the bill is shown in.
func TestParseMoneyIn(t *testing.T) {
	cat := DefaultCatalog()
	for _, tc := range []struct {
		in, currency string
		want         float64
		err          string
	}{
		{"7.2CNY", "USD", 1, ""}, // at 1 USD = 7.2 CNY
		{"2USD", "usd", 2, ""},   // in its own currency
		{"5", "", 5, ""},         // the catalog's
		{"3.6", "USD", 0.5, ""},  // a bare amount is the catalog's currency
		{"5CNY", "CNY", 5, ""},   // no conversion
		{"5CNY", "EUR", 0, "no exchange rate"},
	} {
		got, err := cat.ParseMoneyIn(tc.in, tc.currency)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s in %s: %v, want an error with %q", tc.in, tc.currency, err, tc.err)
			}
			continue
		}
		if err != nil || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s in %s: %g, %v; want %g", tc.in, tc.currency, got, err, tc.want)
		}
	}
}
