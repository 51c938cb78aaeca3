package scenarios

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/runner"
)

// body is the part of a request body the tests look at.
type body struct {
	Model         string `json:"model"`
	Stream        bool   `json:"stream"`
	StreamOptions struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens int `json:"max_tokens"`
	Thinking  *struct {
		Type string `json:"type"`
	} `json:"thinking"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

func decodeBody(t *testing.T, r runner.Request) body {
	t.Helper()
	var b body
	if err := json.Unmarshal(r.Body, &b); err != nil {
		t.Fatalf("request %d: body is not JSON: %v", r.K, err)
	}
	return b
}

func mustPlan(t testing.TB, name string) *Plan {
	t.Helper()
	s, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(s, s.Load.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRequestDeterministic: request k is the same from two plans built
// separately, in any order.
func TestRequestDeterministic(t *testing.T) {
	a, b := mustPlan(t, "mini-vs-pro"), mustPlan(t, "mini-vs-pro")
	if a.Hash() != b.Hash() {
		t.Fatalf("hashes differ: %s %s", a.Hash(), b.Hash())
	}
	for _, k := range []int64{0, 1, 2, 999, 5, 17, 0} {
		ra, rb := a.Source.Request(k), b.Source.Request(1000-k)
		rb = b.Source.Request(k)
		if !bytes.Equal(ra.Body, rb.Body) || ra.Tier != rb.Tier || ra.Target != rb.Target || ra.Prefix != rb.Prefix {
			t.Errorf("request %d differs between plans", k)
		}
	}
	c, _ := NewPlan(a.Scenario, 2)
	if bytes.Equal(c.Source.Request(0).Body, a.Source.Request(0).Body) {
		t.Error("seeds 1 and 2 built the same request 0")
	}
	if c.Hash() == a.Hash() {
		t.Error("seeds 1 and 2 have the same plan hash")
	}
}

// TestRequestBody: the body is complete JSON with everything the contract
// names, and the record fields agree with it.
func TestRequestBody(t *testing.T) {
	p := mustPlan(t, "quickstart")
	for k := range int64(20) {
		r := p.Source.Request(k)
		b := decodeBody(t, r)
		tg := p.Scenario.Targets[r.Target]
		if b.Model != tg.Model || !b.Stream || !b.StreamOptions.IncludeUsage {
			t.Errorf("request %d: model %q stream %v include_usage %v", k, b.Model, b.Stream, b.StreamOptions.IncludeUsage)
		}
		if b.MaxTokens != r.MaxTokens || r.MaxTokens < 32 || r.MaxTokens > 96 {
			t.Errorf("request %d: max_tokens %d, record %d, want 32..96", k, b.MaxTokens, r.MaxTokens)
		}
		wantThinking := tg.Thinking != ""
		if (b.Thinking != nil) != wantThinking || wantThinking && b.Thinking.Type != tg.Thinking {
			t.Errorf("request %d to %s: thinking %+v", k, tg.Name, b.Thinking)
		}
		if r.Class != "chat" || r.Tier != "32k" || r.K != k {
			t.Errorf("request %d: class %q tier %q k %d", k, r.Class, r.Tier, r.K)
		}
		// The record's estimate is the estimator's count of the text.
		est := 0
		for _, m := range b.Messages {
			est += EstimateTokens(m.Content)
		}
		if est != r.EstPromptTokens {
			t.Errorf("request %d: EstPromptTokens %d, text estimates to %d", k, r.EstPromptTokens, est)
		}
	}
}

// TestPairs: consecutive requests of one pair carry the same prompt shape
// to every target, in rotating order.
func TestPairs(t *testing.T) {
	p := mustPlan(t, "mini-vs-pro")
	firsts := map[int]int{}
	for j := range int64(100) {
		a, b := p.Source.Request(2*j), p.Source.Request(2*j+1)
		if a.Target == b.Target {
			t.Fatalf("pair %d sent twice to target %d", j, a.Target)
		}
		if a.Class != b.Class || a.MaxTokens != b.MaxTokens || a.Prefix != b.Prefix || a.EstPromptTokens != b.EstPromptTokens {
			t.Errorf("pair %d differs: %+v / %+v", j, a, b)
		}
		ma, mb := decodeBody(t, a).Messages, decodeBody(t, b).Messages
		ua, ub := ma[len(ma)-1].Content, mb[len(mb)-1].Content
		// Same text after the salt, different salts.
		if ua[len("Request abcdefghijkl."):] != ub[len("Request abcdefghijkl."):] || ua[:21] == ub[:21] {
			t.Errorf("pair %d: texts should differ only in their salts", j)
		}
		firsts[a.Target]++
	}
	if firsts[0] != 50 || firsts[1] != 50 {
		t.Errorf("the first request of a pair went to the targets %v times, want 50 each", firsts)
	}
}

// TestSaltsAndPrefixes: prefix-group requests share their group's system
// text exactly; every user text starts with a salt no other request has.
func TestSaltsAndPrefixes(t *testing.T) {
	p := mustPlan(t, "cache-heavy")
	salts := map[string]int64{}
	prefixText := map[int]string{}
	grouped := 0
	const n = 600
	for k := range int64(n) {
		r := p.Source.Request(k)
		b := decodeBody(t, r)
		user := b.Messages[len(b.Messages)-1]
		if user.Role != "user" || !strings.HasPrefix(user.Content, "Request ") {
			t.Fatalf("request %d: user text does not start with a salt: %.40q", k, user.Content)
		}
		salt := user.Content[:21]
		if prev, dup := salts[salt]; dup {
			t.Fatalf("requests %d and %d share the salt %q", prev, k, salt)
		}
		salts[salt] = k
		if r.Prefix == 0 {
			if len(b.Messages) != 1 {
				t.Errorf("request %d has no prefix group but %d messages", k, len(b.Messages))
			}
			continue
		}
		grouped++
		sys := b.Messages[0]
		if sys.Role != "system" {
			t.Fatalf("request %d in group %d has no system prefix", k, r.Prefix)
		}
		if prev, ok := prefixText[r.Prefix]; ok && prev != sys.Content {
			t.Errorf("request %d: group %d's prefix text differs from an earlier request's", k, r.Prefix)
		}
		prefixText[r.Prefix] = sys.Content
		if got := EstimateTokens(sys.Content); got != 8000 {
			t.Errorf("group %d prefix estimates to %d tokens, want 8000", r.Prefix, got)
		}
	}
	if len(prefixText) != 8 {
		t.Errorf("%d prefix groups used, want 8", len(prefixText))
	}
	// 90% share: binomial sd √(n·0.09) ≈ 7.3; 4 sd ≈ 30.
	if math.Abs(float64(grouped)-0.9*n) > 30 {
		t.Errorf("%d of %d requests in a prefix group, want about %d", grouped, n, int(0.9*n))
	}
	// Different groups have different text from the first token on.
	seen := map[string]int{}
	for g, text := range prefixText {
		if other, ok := seen[text[:40]]; ok {
			t.Errorf("groups %d and %d start alike", g, other)
		}
		seen[text[:40]] = g
	}
}

// TestMix10k: 10,000 requests of tier-mix follow the mix's weights and each
// class's distribution, within sampling error (fixed seed).
func TestMix10k(t *testing.T) {
	p := mustPlan(t, "tier-mix")
	const n = 10000
	type acc struct {
		count        int
		prompts      []float64
		outSum       float64
		lo, hi       int
		inGuardBands int
	}
	classes := map[string]*acc{}
	tiers := map[string]int{}
	for k := range int64(n) {
		// The record fields without the body (building 10,000 bodies of up
		// to 256K tokens is slow under the race detector); the first 500
		// are checked against the full Request.
		r := p.Source.build(k, false)
		if k < 500 {
			full := p.Source.Request(k)
			full.Body = nil
			if !reflect.DeepEqual(full, r) {
				t.Fatalf("request %d: %+v without body, %+v with", k, r, full)
			}
		}
		a := classes[r.Class]
		if a == nil {
			a = &acc{lo: math.MaxInt}
			classes[r.Class] = a
		}
		a.count++
		a.prompts = append(a.prompts, float64(r.EstPromptTokens))
		a.outSum += float64(r.MaxTokens)
		a.lo, a.hi = min(a.lo, r.EstPromptTokens), max(a.hi, r.EstPromptTokens)
		if v := r.EstPromptTokens; v >= 31040 && v <= 32960 || v >= 124160 && v <= 131840 {
			a.inGuardBands++
		}
		tiers[r.Tier]++
	}
	mean := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s / float64(len(x))
	}
	for _, tc := range []struct {
		class  string
		share  float64
		lo, hi int // the class's tier (guard bands excluded)
		// mean prompt of the conditioned distribution, from the sampler's
		// own quadrature (checked against first principles below), and the
		// allowed error: 4 standard errors.
		meanOut float64
	}{
		// short: 60%, tier 32k, lognormal mean 6000 σ 0.8 conditioned to ≤ 31039.
		{"short", 0.6, 1, 31039, 400},
		// medium: 30%, tier 128k uniform without guard bands: 32961..124159.
		{"medium", 0.3, 32961, 124159, 600},
		// long: 10%, tier 256k normal 180000 ± 30000 conditioned to ≥ 131841.
		{"long", 0.1, 131841, 256000, 1000},
	} {
		a := classes[tc.class]
		// Class share: binomial, sd √(n·p·(1−p)) ≤ 50 → 4 sd = 200.
		if math.Abs(float64(a.count)-tc.share*n) > 200 {
			t.Errorf("%s: %d requests, want %.0f ± 200", tc.class, a.count, tc.share*n)
		}
		if a.lo < tc.lo || a.hi > tc.hi || a.inGuardBands > 0 {
			t.Errorf("%s: prompts %d..%d (%d in guard bands), want within %d..%d", tc.class, a.lo, a.hi, a.inGuardBands, tc.lo, tc.hi)
		}
		sc := &p.Source.classes[classIndex(p, tc.class)]
		wantMean, _ := sc.means()
		sd := stddev(a.prompts)
		if got := mean(a.prompts); math.Abs(got-wantMean) > 4*sd/math.Sqrt(float64(a.count))+2 {
			t.Errorf("%s: mean prompt %.0f, want %.0f ± %.0f", tc.class, got, wantMean, 4*sd/math.Sqrt(float64(a.count)))
		}
		if got := a.outSum / float64(a.count); math.Abs(got-tc.meanOut) > 0.05*tc.meanOut {
			t.Errorf("%s: mean max_tokens %.0f, want %.0f ± 5%%", tc.class, got, tc.meanOut)
		}
	}
	// The quadrature means themselves, from first principles: uniform
	// 32961..124159 has mean 78560; normal(180000, 30000) conditioned on
	// 131841..256000 has mean μ + σ·(φ(α) − φ(β))/(Φ(β) − Φ(α)) with
	// α = (131840.5 − μ)/σ and β = (256000.5 − μ)/σ.
	medium, _ := p.Source.classes[classIndex(p, "medium")].means()
	if math.Abs(medium-78560) > 1 {
		t.Errorf("medium quadrature mean %.1f, want 78560", medium)
	}
	pdf := func(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }
	alpha, beta := (131840.5-180000)/30000.0, (256000.5-180000)/30000.0
	want := 180000 + 30000*(pdf(alpha)-pdf(beta))/(normCDF(beta)-normCDF(alpha))
	if long, _ := p.Source.classes[classIndex(p, "long")].means(); math.Abs(long-want) > 0.001*want {
		t.Errorf("long quadrature mean %.0f, want %.0f", long, want)
	}
	if tiers["32k"]+tiers["128k"]+tiers["256k"] != n {
		t.Errorf("tiers %v do not cover all %d requests", tiers, n)
	}
}

func classIndex(p *Plan, name string) int {
	for i, c := range p.Source.classes {
		if c.name == name {
			return i
		}
	}
	return -1
}

func stddev(x []float64) float64 {
	var s, ss float64
	for _, v := range x {
		s += v
		ss += v * v
	}
	m := s / float64(len(x))
	return math.Sqrt(ss/float64(len(x)) - m*m)
}

// TestCalibrationShortensText: with tokenizer.ratio 1.25 the server counts
// 1.25 tokens per estimated one, so the text for the same target length
// estimates to 1/1.25 of it, and the record's estimate is in server tokens.
func TestCalibrationShortensText(t *testing.T) {
	s, err := ParseWith("c.yaml", []byte(strings.Replace(base, "name: t\n", "name: t\ntokenizer: {ratio: 1.25, overhead: 10}\n", 1)), Options{Env: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Source.Request(0)
	b := decodeBody(t, r)
	raw := EstimateTokens(b.Messages[0].Content)
	if want := (2000 - 10) / 1.25; math.Abs(float64(raw)-want) > 1 {
		t.Errorf("text estimates to %d tokens, want %.0f", raw, want)
	}
	if want := (Calibration{Ratio: 1.25, Overhead: 10}).ToServer(raw); r.EstPromptTokens != want || math.Abs(float64(want-2000)) > 2 {
		t.Errorf("EstPromptTokens %d, want %d ≈ 2000", r.EstPromptTokens, want)
	}
}

func TestProbeRequests(t *testing.T) {
	p := mustPlan(t, "quickstart")
	probes := p.Source.ProbeRequests(1)
	if len(probes) != 3 {
		t.Fatalf("%d probes", len(probes))
	}
	for i, r := range probes {
		b := decodeBody(t, r)
		if r.K >= 0 || r.Target != 1 || b.MaxTokens != 1 || b.Model != "doubao-seed-2.0-pro" {
			t.Errorf("probe %d: %+v", i, r)
		}
		if got := EstimateTokens(b.Messages[0].Content); got != r.EstPromptTokens {
			t.Errorf("probe %d estimates to %d, record says %d", i, got, r.EstPromptTokens)
		}
	}
}

// TestCorpus: every unit is one estimated token, so a slice of n units
// estimates to n; the text is safe inside a JSON string as stored.
func TestCorpus(t *testing.T) {
	c := theCorpus()
	if len(c.off) != corpusUnits+1 {
		t.Fatalf("%d offsets, want %d", len(c.off), corpusUnits+1)
	}
	for _, tc := range []struct{ start, n int }{
		{0, 1}, {0, 1000}, {12345, 50000},
		{corpusUnits - 10, 20},         // wraps around the seam
		{corpusUnits / 2, corpusUnits}, // longer than the corpus
		{7, 300000},                    // a 256K-class prompt
	} {
		raw := c.appendUnits(nil, tc.start, tc.n)
		if len(raw) != c.bytesFor(tc.start, tc.n) {
			t.Errorf("bytesFor(%d, %d) = %d, appended %d", tc.start, tc.n, c.bytesFor(tc.start, tc.n), len(raw))
		}
		var text string
		if err := json.Unmarshal([]byte(`"`+string(raw)+`"`), &text); err != nil {
			t.Fatalf("units %d+%d are not a JSON string body: %v", tc.start, tc.n, err)
		}
		if got := EstimateTokens(text); got != tc.n {
			t.Errorf("units %d+%d estimate to %d tokens", tc.start, tc.n, got)
		}
	}
}
