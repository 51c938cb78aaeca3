package scenarios

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// contextBase caches two prefixes through the Context API on the built-in
// mock; the cases below change a line of it.
const contextBase = `name: ctx
targets:
  - name: lite
    model: doubao-seed-2.0-lite
mix:
  - name: agent
    weight: 1
    prompt_tokens: 3000
    output_tokens: 100
prefix:
  - {name: docs, groups: 2, tokens: 2000, share: 50%, mode: context_api, ttl: 1h}
load:
  seed: 1
  max_in_flight: 10
  stages:
    - kind: constant
      rate: 5/s
      duration: 10s
`

func TestContextValidation(t *testing.T) {
	prefix := func(s string) string {
		return strings.Replace(contextBase, "  - {name: docs, groups: 2, tokens: 2000, share: 50%, mode: context_api, ttl: 1h}", s, 1)
	}
	for _, tc := range []struct {
		name, src, want string
	}{
		{"valid on the built-in mock", contextBase, ""},
		{"valid on a loopback mock", strings.Replace(contextBase, "model: doubao-seed-2.0-lite", "model: doubao-seed-2.0-lite\n    base_url: http://127.0.0.1:8080/v1", 1), ""},
		{"valid on Ark", strings.Replace(contextBase, "model: doubao-seed-2.0-lite", "model: doubao-seed-2-0-lite-260215\n    base_url: https://ark.cn-beijing.volces.com/api/v3", 1), ""},
		{"default ttl", prefix("  - {name: docs, groups: 2, tokens: 2000, share: 50%, mode: context_api}"), ""},
		// Ark's range is [3600, 604800] seconds.
		{"ttl below an hour", prefix("  - {name: docs, groups: 2, tokens: 2000, share: 50%, mode: context_api, ttl: 30m}"),
			"s.yaml:11:79: prefix[0].ttl: 30m is outside Ark's range for a context's TTL, 1h to 7d (3600..604800 s)"},
		{"ttl above a week", prefix("  - {name: docs, groups: 2, tokens: 2000, share: 50%, mode: context_api, ttl: 8d}"),
			"s.yaml:11:79: prefix[0].ttl: 8d is outside Ark's range for a context's TTL, 1h to 7d (3600..604800 s)"},
		{"ttl not whole seconds", prefix("  - {name: docs, groups: 2, tokens: 2000, share: 50%, mode: context_api, ttl: 3600.5s}"),
			"s.yaml:11:79: prefix[0].ttl: 3600.5s is not a whole number of seconds (Ark takes the TTL in seconds)"},
		{"ttl without the Context API", prefix("  - {name: docs, groups: 2, tokens: 2000, share: 50%, ttl: 1h}"),
			"s.yaml:11:60: prefix[0].ttl: applies only to mode: context_api (an implicit cache keeps what it likes)"},
		{"unknown mode", prefix("  - {name: docs, groups: 2, tokens: 2000, share: 50%, mode: explicit}"),
			`s.yaml:11:61: prefix[0].mode: "explicit" is not one of implicit, context_api`},
		{"prefix under the minimum", prefix("  - {name: docs, groups: 2, tokens: 900, share: 50%, mode: context_api, ttl: 1h}"),
			"s.yaml:11:37: prefix[0].tokens: 900 is below the 1024 tokens a context cache needs at least (the service refuses a smaller one)"},
		{"a gateway without the Context API", strings.Replace(contextBase, "model: doubao-seed-2.0-lite", "model: doubao-seed-2.0-lite\n    base_url: https://api.evolink.ai/v1", 1),
			"s.yaml:12:61: prefix[0].mode: context_api needs the Context API, which targets[0] (lite, gateway evolink) does not have: use an Ark target (gateway: ark) or the mock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWith("s.yaml", []byte(tc.src), Options{Env: testEnv})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestContextRequests: a context group's requests name the context and
// leave its text out; the create body carries exactly that text; requests
// without a prefix are unchanged.
func TestContextRequests(t *testing.T) {
	s, err := Parse("s.yaml", []byte(contextBase))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	groups := p.Source.ContextGroups()
	if len(groups) != 2 || groups[0] != (ContextGroup{Set: "docs", Group: 1, Tokens: 2000, TTL: time.Hour}) || groups[1].Group != 2 {
		t.Fatalf("context groups %+v", groups)
	}
	p.Source.SetContextIDs([][]string{{"ctx-a", "ctx-b"}})

	var create struct {
		Model    string `json:"model"`
		Mode     string `json:"mode"`
		TTL      int    `json:"ttl"`
		Messages []struct{ Role, Content string }
	}
	if err := json.Unmarshal(p.Source.ContextCreateBody(0, groups[0]), &create); err != nil {
		t.Fatal(err)
	}
	if create.Model != "doubao-seed-2.0-lite" || create.Mode != "common_prefix" || create.TTL != 3600 || len(create.Messages) != 1 || create.Messages[0].Role != "system" {
		t.Fatalf("create body %+v", create)
	}

	// Plain implicit twin: the same scenario without the mode sends the
	// prefix as its first message.
	implicit, err := Parse("s.yaml", []byte(strings.Replace(contextBase, ", mode: context_api, ttl: 1h", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	ip, err := NewPlan(implicit, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for k := int64(0); k < 40; k++ {
		r := p.Source.Request(k)
		var body struct {
			ContextID string `json:"context_id"`
			Messages  []struct{ Role, Content string }
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("k %d: %v\n%s", k, err, r.Body)
		}
		ir := ip.Source.Request(k)
		if ir.EstPromptTokens != r.EstPromptTokens || ir.Prefix != r.Prefix {
			t.Errorf("k %d: estimate %d / group %d, implicit %d / %d", k, r.EstPromptTokens, r.Prefix, ir.EstPromptTokens, ir.Prefix)
		}
		seen[r.Prefix] = true
		switch r.Prefix {
		case 0:
			if r.ContextAPI || body.ContextID != "" || string(r.Body) != string(ir.Body) {
				t.Errorf("k %d without a prefix differs from the implicit plan's", k)
			}
		default:
			want := map[int]string{1: "ctx-a", 2: "ctx-b"}[r.Prefix]
			if !r.ContextAPI || body.ContextID != want || len(body.Messages) != 1 || body.Messages[0].Role != "user" {
				t.Errorf("k %d group %d: context %v %q, %d messages", k, r.Prefix, r.ContextAPI, body.ContextID, len(body.Messages))
			}
			// The implicit request is the context's text, then this one's.
			var ib struct {
				Messages []struct{ Role, Content string }
			}
			_ = json.Unmarshal(ir.Body, &ib)
			g := groups[r.Prefix-1]
			var cb struct {
				Messages []struct{ Role, Content string }
			}
			_ = json.Unmarshal(p.Source.ContextCreateBody(0, g), &cb)
			if len(ib.Messages) != 2 || ib.Messages[0].Content != cb.Messages[0].Content || ib.Messages[1].Content != body.Messages[0].Content {
				t.Errorf("k %d: the context's text and the request's do not make the implicit request", k)
			}
		}
	}
	if !seen[0] || !seen[1] || !seen[2] {
		t.Errorf("groups seen %v", seen)
	}
}

// TestProjectContextStorage: the projection stores a context for the
// period plus its TTL and bills its creation once as input.
func TestProjectContextStorage(t *testing.T) {
	s, err := Parse("s.yaml", []byte(contextBase))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	period := 24 * time.Hour
	pr, err := p.Project(5, period, "")
	if err != nil {
		t.Fatal(err)
	}
	v := pr.Variants[0]
	lite, _ := DefaultCatalog().Lookup("doubao-seed-2.0-lite")
	// 2 contexts of 2,000 tokens, stored 24 h + 1 h; created at the 32k input price.
	hours := 2 * 2000 * 25.0
	storage := hours / 1e6 * lite.CacheStorage
	creation := 2 * 2000 * lite.Tiers[0].Input / 1e6
	for _, chk := range []struct {
		what      string
		got, want float64
	}{
		{"contexts", float64(v.Contexts), 2},
		{"token-hours", v.ContextTokenHours, hours},
		{"storage", v.StoragePerPeriod, storage},
		{"creation", v.ContextCreation, creation},
		{"total", v.Total, v.PerPeriod + storage + creation},
	} {
		if math.Abs(chk.got-chk.want) > 1e-9*math.Max(1, math.Abs(chk.want)) {
			t.Errorf("%s: %.10g, by hand %.10g", chk.what, chk.got, chk.want)
		}
	}
	var b strings.Builder
	if err := pr.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "context cache (Context API): 2 contexts created once for 0.0024, stored 100,000 token-hours (the 1d and the TTL after it)") {
		t.Errorf("projection text:\n%s", b.String())
	}
}
