package scenarios

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCost(t *testing.T) {
	cat := DefaultCatalog()
	mini, _ := cat.Lookup("doubao-seed-2.0-mini")
	pro, _ := cat.Lookup("doubao-seed-2.0-pro")
	for _, tc := range []struct {
		name  string
		m     *Model
		u     Usage
		tier  string
		total float64 // by hand, CNY
	}{
		// 2,000 prompt + 300 output on Mini, 32k tier: 2000·0.2 + 300·2 = 1000 per 1M.
		{"mini 32k", mini, Usage{2000, 0, 300}, "32k", (2000*0.2 + 300*2) / 1e6},
		// Exactly on the boundary is still the lower tier.
		{"mini at 32000", mini, Usage{32000, 0, 0}, "32k", 32000 * 0.2 / 1e6},
		// One token above moves both input and output price to 128k.
		{"mini at 32001", mini, Usage{32001, 0, 100}, "128k", (32001*0.4 + 100*4) / 1e6},
		// Cached tokens are billed at cache_read: (24000−16000)·0.2 + 16000·0.04 + 500·2.
		{"mini cached", mini, Usage{24000, 16000, 500}, "32k", (8000*0.2 + 16000*0.04 + 500*2) / 1e6},
		// Pro in the 256k tier: 200000·9.6 + 1000·48.
		{"pro 256k", pro, Usage{200000, 0, 1000}, "256k", (200000*9.6 + 1000*48) / 1e6},
		// Beyond the last tier is billed in the last.
		{"pro beyond", pro, Usage{300000, 0, 0}, "256k", 300000 * 9.6 / 1e6},
		// Cached can never exceed the prompt.
		{"cached above prompt", mini, Usage{100, 500, 0}, "32k", 100 * 0.04 / 1e6},
	} {
		c := tc.m.Cost(tc.u)
		if c.Tier != tc.tier || math.Abs(c.Total-tc.total) > 1e-12 || math.Abs(c.Input+c.CacheRead+c.Output-c.Total) > 1e-15 || c.Currency != "CNY" {
			t.Errorf("%s: %+v, want tier %s total %g CNY", tc.name, c, tc.tier, tc.total)
		}
	}
	// Storage: 64,000 tokens for 30 days at 0.017 per 1M per hour.
	if got, want := mini.StorageCost(64000, 30*24*time.Hour), 0.064*0.017*720; math.Abs(got-want) > 1e-12 {
		t.Errorf("storage %g, want %g", got, want)
	}
}

// TestCatalogUSD: the USD figures for Mini are the CNY prices / 7.2.
func TestCatalogUSD(t *testing.T) {
	cat := DefaultCatalog()
	m, _ := cat.Lookup("doubao-seed-2.0-mini")
	u, err := cat.In(m, "usd")
	if err != nil {
		t.Fatal(err)
	}
	round3 := func(f float64) float64 { return math.Round(f*1000) / 1000 }
	got := []float64{round3(u.Tiers[0].Input), round3(u.Tiers[1].Input), round3(u.Tiers[2].Input),
		round3(u.Tiers[0].Output), round3(u.Tiers[1].Output), round3(u.Tiers[2].Output), math.Round(u.CacheRead*1e4) / 1e4}
	want := []float64{0.028, 0.056, 0.111, 0.278, 0.556, 1.111, 0.0056}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("USD prices %v, want %v", got, want)
			break
		}
	}
	if u.Currency != "USD" || m.Tiers[0].Input != 0.2 {
		t.Errorf("conversion changed the catalog or missed the currency: %s, %g", u.Currency, m.Tiers[0].Input)
	}
	if _, err := cat.In(m, "EUR"); err == nil {
		t.Error("converting to a currency without a rate should fail")
	}
}

func TestLookup(t *testing.T) {
	cat := DefaultCatalog()
	for _, tc := range []struct{ name, want string }{
		{"doubao-seed-2.0-pro", "doubao-seed-2.0-pro"},          // exact
		{"Doubao-Seed-2.0-Pro", "doubao-seed-2.0-pro"},          // case
		{"doubao-seed-2-0-pro", "doubao-seed-2.0-pro"},          // dashes for dots
		{"doubao-seed-2-0-code-260215", "doubao-seed-2.0-code"}, // release date
		{"gpt-4o", ""}, // unknown
	} {
		m, ok := cat.Lookup(tc.name)
		got := ""
		if ok {
			got = m.Name
		}
		if got != tc.want {
			t.Errorf("Lookup(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	// Code is priced as Pro through the YAML merge key.
	code, _ := cat.Lookup("doubao-seed-2.0-code")
	if code.Tiers[2].Output != 48 || code.CacheRead != 0.64 {
		t.Errorf("code prices %+v", code)
	}
}

func TestLoadCatalog(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cat.yaml")
	os.WriteFile(p, []byte(`models:
  - name: doubao-seed-2.0-mini
    context_window: 262144
    max_output_tokens: 32768   # the gateway caps it
    tiers:
      - {name: 32k,  max_prompt_tokens: 32000,  input: 0.1, output: 1}
      - {name: 128k, max_prompt_tokens: 128000, input: 0.2, output: 2}
      - {name: 256k, max_prompt_tokens: 256000, input: 0.4, output: 4}
    cache_read: 0.02
  - name: my-endpoint
    context_window: 131072
    max_output_tokens: 8192
    tiers: [{name: all, max_prompt_tokens: 131072, input: 1, output: 2}]
`), 0o644)
	cat, err := LoadCatalog(p)
	if err != nil {
		t.Fatal(err)
	}
	mini, _ := cat.Lookup("doubao-seed-2.0-mini")
	pro, _ := cat.Lookup("doubao-seed-2.0-pro")
	mine, ok := cat.Lookup("my-endpoint")
	if mini.MaxOutputTokens != 32768 || mini.Tiers[0].Input != 0.1 || pro.Tiers[0].Input != 3.2 || !ok || mine.Currency != "CNY" {
		t.Errorf("merged catalog wrong: mini %+v pro %+v mine %+v", mini, pro, mine)
	}
	// A scenario validated against it sees the lower output cap.
	_, err = ParseWith("s.yaml", []byte(replace(9, "    output_tokens: 40000")), Options{Env: testEnv, Catalog: cat})
	if err == nil || !strings.Contains(err.Error(), "40000 is above the 32768-token output limit") {
		t.Errorf("want the catalog's output cap enforced, got %v", err)
	}
	// Errors in a catalog file are located like a scenario's.
	os.WriteFile(p, []byte("models:\n  - name: x\n    context_window: 1000\n    max_output_tokens: 10\n    tiers: [{name: a, max_prompt_tokens: 2000}]\n"), 0o644)
	if _, err := LoadCatalog(p); err == nil || !strings.Contains(err.Error(), "cat.yaml:5:42: models[0].tiers[0].max_prompt_tokens: 2000 is above the context window 1000") {
		t.Errorf("catalog error: %v", err)
	}
}

// TestLookupGatewayIDs: every spelling a gateway uses for a Seed 2.0 model
// is priced as that model.
func TestLookupGatewayIDs(t *testing.T) {
	cat := DefaultCatalog()
	for id, want := range map[string]string{
		"doubao-seed-2.0-pro":                 "doubao-seed-2.0-pro",  // EvoLink
		"doubao-seed-2-0-pro-260215":          "doubao-seed-2.0-pro",  // Ark, versioned
		"doubao-seed-2-0-mini-260215":         "doubao-seed-2.0-mini", // Ark, versioned
		"doubao-seed-2-0-lite-260215":         "doubao-seed-2.0-lite",
		"doubao-seed-2-0-code-preview-260215": "doubao-seed-2.0-code", // Ark's code preview
		"doubao-seed-2.0-code":                "doubao-seed-2.0-code",
	} {
		m, ok := cat.Lookup(id)
		if !ok || m.Name != want {
			t.Errorf("Lookup(%q) = %v %v, want %s", id, m, ok, want)
		}
	}
	if _, ok := cat.Lookup("ep-20260215000000-abcde"); ok {
		t.Error("an endpoint id is priced only through catalog_model")
	}
	m, ok := cat.ForTarget(Target{Model: "ep-20260215000000-abcde", CatalogModel: "doubao-seed-2-0-pro-260215"})
	if !ok || m.Name != "doubao-seed-2.0-pro" {
		t.Errorf("endpoint id with catalog_model: %v %v", m, ok)
	}
}
