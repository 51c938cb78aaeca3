package scenarios

import (
	"math"
	"testing"
	"time"
)

// TestProjectMiniVsPro redoes the projection of mini-vs-pro by hand from
// the catalog's prices and the scenario's fixed lengths:
//
//	chat      70%  2,000 prompt,                        300 output, 32k tier
//	rag       20%  24,000 prompt of which 16,000 cached, 500 output, 32k tier
//	long-doc  10%  64,000 prompt,                       800 output, 128k tier
func TestProjectMiniVsPro(t *testing.T) {
	p := mustPlan(t, "mini-vs-pro")
	const rate = 2.0
	period := 30 * 24 * time.Hour
	pr, err := p.Project(rate, period, "")
	if err != nil {
		t.Fatal(err)
	}
	type prices struct{ in32, out32, in128, out128, cache float64 }
	perRequest := func(c prices) float64 {
		chat := 2000*c.in32 + 300*c.out32
		rag := (24000-16000)*c.in32 + 16000*c.cache + 500*c.out32
		long := 64000*c.in128 + 800*c.out128
		return (0.7*chat + 0.2*rag + 0.1*long) / 1e6
	}
	savings := func(c prices) float64 { return 0.2 * 16000 * (c.in32 - c.cache) / 1e6 }
	for i, tc := range []struct {
		variant string
		c       prices
	}{
		{"mini", prices{0.2, 2, 0.4, 4, 0.04}},
		{"pro", prices{3.2, 16, 4.8, 24, 0.64}},
	} {
		v := pr.Variants[i]
		per1K := 1000 * perRequest(tc.c)
		requests := rate * period.Seconds()
		// 4 knowledge-base prefixes of 16,000 tokens, stored for 720 h at 0.017.
		storage := 4 * 16000 / 1e6 * 0.017 * 720
		for _, chk := range []struct {
			what      string
			got, want float64
		}{
			{"per 1K", v.Per1K, per1K},
			{"savings per 1K", v.CacheSavingsPer1K, 1000 * savings(tc.c)},
			{"per day", v.PerDay, perRequest(tc.c) * rate * 86400},
			{"per period", v.PerPeriod, perRequest(tc.c) * requests},
			{"storage", v.StoragePerPeriod, storage},
			{"total", v.Total, perRequest(tc.c)*requests + storage},
			{"32k share", v.Tiers[0].Share, 0.9},
			{"32k cached/req", v.Tiers[0].Cached, 0.2 * 16000 / 0.9},
			{"128k prompt/req", v.Tiers[1].Prompt, 64000},
		} {
			if math.Abs(chk.got-chk.want) > 1e-9*math.Max(1, math.Abs(chk.want)) {
				t.Errorf("%s %s: %.10g, by hand %.10g", tc.variant, chk.what, chk.got, chk.want)
			}
		}
	}
	// The figures quoted in the README: Mini 4.2280 and Pro 49.2480 per 1K.
	if money(pr.Variants[0].Per1K) != "4.2280" || money(pr.Variants[1].Per1K) != "49.2480" {
		t.Errorf("per 1K: mini %s, pro %s", money(pr.Variants[0].Per1K), money(pr.Variants[1].Per1K))
	}
}

// TestProjectUnknownModel: a target the catalog cannot price is listed
// without figures rather than priced at zero.
func TestProjectUnknownModel(t *testing.T) {
	s, err := ParseWith("s.yaml", []byte(replace(4, "    model: ep-20250101-abc")), Options{Env: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 {
		t.Errorf("warnings %q", s.Warnings)
	}
	p, _ := NewPlan(s, 1)
	pr, err := p.Project(1, time.Hour, "")
	if err != nil || pr.Variants[0].Priced {
		t.Errorf("unknown model priced: %+v %v", pr.Variants[0], err)
	}
	// catalog_model prices it.
	s, err = ParseWith("s.yaml", []byte(replace(4, "    model: ep-20250101-abc\n    catalog_model: doubao-seed-2.0-mini")), Options{Env: testEnv})
	if err != nil || len(s.Warnings) != 0 {
		t.Fatalf("%v %q", err, s.Warnings)
	}
	p, _ = NewPlan(s, 1)
	pr, _ = p.Project(1, time.Hour, "")
	if want := (2000*0.2 + 100*2) / 1e3; !pr.Variants[0].Priced || math.Abs(pr.Variants[0].Per1K-want) > 1e-12 {
		t.Errorf("priced as mini: %+v, want %g per 1K", pr.Variants[0], want)
	}
}

func TestNominalRate(t *testing.T) {
	for _, tc := range []struct {
		name string
		want float64
	}{
		{"mini-vs-pro", 2},       // poisson 2/s (the warmup is not counted)
		{"capacity-ramp", 50.5},  // ramp 1 → 100: midpoint
		{"tier-mix", 1},          // sine mean
		{"slo-soak", 8},          // two stages at 8/s
		{"long-context-256k", 0}, // closed loop only
	} {
		if got := mustPlan(t, tc.name).NominalRate(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
