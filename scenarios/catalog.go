package scenarios

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
)

// Catalog is what the tool knows about models: limits and prices. Prices
// are per 1M tokens in the catalog's currency.
type Catalog struct {
	Currency string `yaml:"currency" json:"currency"`
	// Exchange says how many units of Currency one unit of another
	// currency is worth (USD: 7.2 means 1 USD = 7.2 CNY).
	Exchange map[string]float64 `yaml:"exchange" json:"exchange,omitempty"`
	Models   []Model            `yaml:"models" json:"models"`
}

// Model is one catalog entry.
type Model struct {
	Name    string   `yaml:"name" json:"name"`
	Aliases []string `yaml:"aliases" json:"aliases,omitempty"`
	// ContextWindow is the most prompt + output tokens of one request.
	ContextWindow int `yaml:"context_window" json:"context_window"`
	// MaxOutputTokens is the largest max_tokens accepted.
	MaxOutputTokens int `yaml:"max_output_tokens" json:"max_output_tokens"`
	// Tiers in ascending order of MaxPromptTokens.
	Tiers []Tier `yaml:"tiers" json:"tiers"`
	// CacheRead is the price of a cached prompt token (per 1M), billed
	// instead of the tier's input price.
	CacheRead float64 `yaml:"cache_read" json:"cache_read"`
	// CacheStorage is the price of holding 1M tokens in the cache for an
	// hour.
	CacheStorage float64 `yaml:"cache_storage" json:"cache_storage"`
	// Currency of the prices; empty means the catalog's.
	Currency string `yaml:"currency" json:"currency,omitempty"`
}

// Tier is one prompt-length price band: prompts of at most MaxPromptTokens
// (and more than the previous tier's) pay Input and Output per 1M tokens.
type Tier struct {
	Name            string  `yaml:"name" json:"name"`
	MaxPromptTokens int     `yaml:"max_prompt_tokens" json:"max_prompt_tokens"`
	Input           float64 `yaml:"input" json:"input"`
	Output          float64 `yaml:"output" json:"output"`
}

// Usage is a request's token counts as the server bills them.
type Usage struct {
	PromptTokens     int // all prompt tokens, cached ones included
	CachedTokens     int // prompt tokens served from the prefix cache
	CompletionTokens int // reasoning + answer
}

// Cost is what one request costs, split by what it paid for.
type Cost struct {
	Tier      string
	Input     float64 // (prompt − cached) · input[tier]
	CacheRead float64 // cached · cache_read
	Output    float64 // completion · output[tier]
	Total     float64
	Currency  string
}

//go:embed catalog.yaml
var catalogYAML []byte

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := decodeCatalog("catalog.yaml", catalogYAML)
	if err != nil {
		panic("scenarios: built-in catalog: " + err.Error())
	}
	return c
})

// DefaultCatalog returns the built-in catalog (a copy the caller may change).
func DefaultCatalog() *Catalog { return defaultCatalog().clone() }

// LoadCatalog reads a user catalog file and lays it over the built-in one:
// models with the same name are replaced, others added; currency and
// exchange rates given in the file win.
func LoadCatalog(path string) (*Catalog, error) {
	b, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCatalog(path, b)
}

// ParseCatalog is LoadCatalog on bytes already read; file names them in errors.
func ParseCatalog(file string, b []byte) (*Catalog, error) {
	user, err := decodeCatalog(file, b)
	if err != nil {
		return nil, err
	}
	c := DefaultCatalog()
	if user.Currency != "" {
		c.Currency = user.Currency
	}
	for k, v := range user.Exchange {
		if c.Exchange == nil {
			c.Exchange = map[string]float64{}
		}
		c.Exchange[k] = v
	}
	for _, m := range user.Models {
		if i := slices.IndexFunc(c.Models, func(x Model) bool { return x.Name == m.Name }); i >= 0 {
			c.Models[i] = m
		} else {
			c.Models = append(c.Models, m)
		}
	}
	return c, nil
}

// decodeCatalog decodes and checks one catalog file.
func decodeCatalog(file string, b []byte) (*Catalog, error) {
	d := newDecoder(file, os.LookupEnv)
	var c Catalog
	if n := d.parseDocument(b); n != nil {
		d.decode(n, reflectValue(&c), "")
	}
	if len(d.errs) == 0 {
		c.check(d)
	}
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Catalog) check(d *decoder) {
	if c.Currency == "" {
		c.Currency = "CNY"
	}
	for k, v := range c.Exchange {
		if v <= 0 {
			d.fail("exchange."+k, "%v must be above zero (units of %s per 1 %s)", v, c.Currency, k)
		}
	}
	seen := map[string]bool{}
	for i, m := range c.Models {
		p := fmt.Sprintf("models[%d]", i)
		if m.Currency == "" {
			c.Models[i].Currency = c.Currency
		}
		switch {
		case m.Name == "":
			d.fail(p+".name", "missing (the model name requests send, e.g. doubao-seed-2.0-mini)")
		case seen[normalizeModel(m.Name)]:
			d.fail(p+".name", "%q is listed twice", m.Name)
		}
		seen[normalizeModel(m.Name)] = true
		if m.ContextWindow <= 0 {
			d.fail(p+".context_window", "must be above zero (e.g. 262144)")
		}
		if m.MaxOutputTokens <= 0 {
			d.fail(p+".max_output_tokens", "must be above zero (e.g. 131072)")
		}
		if m.CacheRead < 0 {
			d.fail(p+".cache_read", "a price cannot be negative")
		}
		if m.CacheStorage < 0 {
			d.fail(p+".cache_storage", "a price cannot be negative")
		}
		if len(m.Tiers) == 0 {
			d.fail(p+".tiers", "missing (at least one price tier)")
		}
		prev := 0
		for j, t := range m.Tiers {
			tp := fmt.Sprintf("%s.tiers[%d]", p, j)
			if t.Name == "" {
				d.fail(tp+".name", "missing (e.g. 32k)")
			}
			if t.MaxPromptTokens <= prev {
				d.fail(tp+".max_prompt_tokens", "%d must be above the previous tier's %d (tiers go in ascending order)", t.MaxPromptTokens, prev)
			}
			if m.ContextWindow > 0 && t.MaxPromptTokens > m.ContextWindow {
				d.fail(tp+".max_prompt_tokens", "%d is above the context window %d", t.MaxPromptTokens, m.ContextWindow)
			}
			if t.Input < 0 || t.Output < 0 {
				d.fail(tp, "a price cannot be negative")
			}
			prev = t.MaxPromptTokens
		}
	}
}

func (c *Catalog) clone() *Catalog {
	out := &Catalog{Currency: c.Currency, Models: make([]Model, len(c.Models))}
	if c.Exchange != nil {
		out.Exchange = make(map[string]float64, len(c.Exchange))
		for k, v := range c.Exchange {
			out.Exchange[k] = v
		}
	}
	for i, m := range c.Models {
		m.Aliases = slices.Clone(m.Aliases)
		m.Tiers = slices.Clone(m.Tiers)
		out.Models[i] = m
	}
	return out
}

// normalizeModel folds the spellings gateways use for one model:
// case, "." versus "-" in the version ("seed-2.0" and "seed-2-0"), and a
// trailing release date ("-260215").
func normalizeModel(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, ".", "-")
	if i := strings.LastIndexByte(s, '-'); i >= 0 && len(s)-i-1 == 6 && allDigits(s[i+1:]) {
		s = s[:i]
	}
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Lookup finds a model by name or alias, ignoring case, "." versus "-" and
// a trailing release date.
func (c *Catalog) Lookup(name string) (*Model, bool) {
	n := normalizeModel(name)
	for i := range c.Models {
		m := &c.Models[i]
		if normalizeModel(m.Name) == n || slices.ContainsFunc(m.Aliases, func(a string) bool { return normalizeModel(a) == n }) {
			return m, true
		}
	}
	return nil, false
}

// ForTarget is the catalog entry a target is priced and limited as: its
// catalog_model when set, else its model.
func (c *Catalog) ForTarget(t Target) (*Model, bool) {
	if t.CatalogModel != "" {
		return c.Lookup(t.CatalogModel)
	}
	return c.Lookup(t.Model)
}

// TierFor returns the tier a prompt of n tokens is billed in: the first
// whose MaxPromptTokens is ≥ n. A prompt beyond the last tier (the server
// would normally refuse it) is billed in the last.
func (m *Model) TierFor(n int) Tier {
	for _, t := range m.Tiers {
		if n <= t.MaxPromptTokens {
			return t
		}
	}
	return m.Tiers[len(m.Tiers)-1]
}

// TierRange returns the prompt lengths of the named tier: (lo, hi], i.e.
// lo is the previous tier's bound (0 for the first).
func (m *Model) TierRange(name string) (lo, hi int, ok bool) {
	for _, t := range m.Tiers {
		if t.Name == name {
			return lo, t.MaxPromptTokens, true
		}
		lo = t.MaxPromptTokens
	}
	return 0, 0, false
}

// TierNames lists the tier names in order.
func (m *Model) TierNames() []string {
	s := make([]string, len(m.Tiers))
	for i, t := range m.Tiers {
		s[i] = t.Name
	}
	return s
}

// In returns m with its prices converted to currency, using the catalog's
// exchange rates (USD: 7.2 divides CNY prices by 7.2).
func (c *Catalog) In(m *Model, currency string) (*Model, error) {
	out := *m
	out.Tiers = slices.Clone(m.Tiers)
	from := m.Currency
	if from == "" {
		from = c.Currency
	}
	if strings.EqualFold(currency, from) || currency == "" {
		return &out, nil
	}
	// rate(x) is the value of 1 x in the catalog currency.
	rate := func(x string) (float64, bool) {
		if strings.EqualFold(x, c.Currency) {
			return 1, true
		}
		for k, v := range c.Exchange {
			if strings.EqualFold(k, x) {
				return v, true
			}
		}
		return 0, false
	}
	rf, ok1 := rate(from)
	rt, ok2 := rate(currency)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("no exchange rate between %s and %s in the catalog (add exchange: {%s: …})", from, currency, strings.ToUpper(currency))
	}
	k := rf / rt
	for i := range out.Tiers {
		out.Tiers[i].Input *= k
		out.Tiers[i].Output *= k
	}
	out.CacheRead *= k
	out.CacheStorage *= k
	out.Currency = strings.ToUpper(currency)
	return &out, nil
}
