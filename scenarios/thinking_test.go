package scenarios

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

const budgetScenario = `name: b
targets:
  - {name: pro, model: doubao-seed-2.0-pro, max_completion_tokens: 8000}
  - {name: mini, model: doubao-seed-2.0-mini}
  - {name: off, model: doubao-seed-2.0-mini, thinking: disabled}
mix:
  - {name: chat, weight: 1, prompt_tokens: 1000, output_tokens: 200}
load: {seed: 1, stages: [{kind: constant, rate: 1/s, duration: 10s}]}
`

// TestThinkingBudget: a target's budget is sent as max_completion_tokens
// instead of max_tokens and bounds the projection; a thinking target without
// one is projected as unbounded; probes disable thinking.
func TestThinkingBudget(t *testing.T) {
	sc, err := Parse("b.yaml", []byte(budgetScenario))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(sc, 1)
	if err != nil {
		t.Fatal(err)
	}
	for k := int64(0); k < 3; k++ {
		r := p.Source.Request(k)
		body := string(r.Body)
		switch r.Target {
		case 0:
			if !strings.Contains(body, `"max_completion_tokens":8000`) || strings.Contains(body, `"max_tokens"`) || r.MaxTokens != 8000 {
				t.Errorf("budgeted target's body %.200s (max %d)", body, r.MaxTokens)
			}
		default:
			if !strings.Contains(body, `"max_tokens":200`) || strings.Contains(body, "max_completion_tokens") {
				t.Errorf("unbudgeted target's body %.200s", body)
			}
		}
	}
	for _, pr := range p.Source.ProbeRequests(0) {
		if !bytes.Contains(pr.Body, []byte(`"thinking":{"type":"disabled"}`)) {
			t.Errorf("probe thinks: %.200s", pr.Body)
		}
	}
	proj, err := p.Project(1, time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	if v := proj.Variants[0]; v.Budget != 8000 || v.Unbounded || v.Tiers[0].Output != 8000 {
		t.Errorf("budgeted: %+v", v)
	}
	if v := proj.Variants[1]; !v.Unbounded {
		t.Errorf("thinking without a budget is bounded: %+v", v)
	}
	if v := proj.Variants[2]; v.Unbounded {
		t.Errorf("thinking disabled is unbounded: %+v", v)
	}
	var b strings.Builder
	if err := proj.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bounded by the thinking budget: max_completion_tokens 8000", "reasoning is unbounded"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("projection text lacks %q:\n%s", want, b.String())
		}
	}
}

func TestThinkingBudgetRange(t *testing.T) {
	for _, bad := range []string{"max_completion_tokens: 65537", "max_completion_tokens: -1"} {
		src := strings.Replace(budgetScenario, "max_completion_tokens: 8000", bad, 1)
		if _, err := Parse("b.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), "outside the service's range 0..65536") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	// The override sets every target's budget.
	sc, _ := Parse("b.yaml", []byte(budgetScenario))
	if err := sc.Apply(Overrides{MaxCompletionTokens: 4096}); err != nil {
		t.Fatal(err)
	}
	for _, tg := range sc.Targets {
		if tg.MaxCompletionTokens != 4096 {
			t.Errorf("%s: budget %d after the override", tg.Name, tg.MaxCompletionTokens)
		}
	}
}

// TestProjectionExchange: a projection in another currency says the rate.
func TestProjectionExchange(t *testing.T) {
	sc, _ := Parse("b.yaml", []byte(budgetScenario))
	p, err := NewPlan(sc, 1)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := p.Project(1, time.Hour, "usd")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := pr.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if pr.Exchange != "1 USD = 7.2 CNY" || !strings.Contains(b.String(), "converted at 1 USD = 7.2 CNY") {
		t.Errorf("exchange %q:\n%s", pr.Exchange, b.String())
	}
	if pr, _ := p.Project(1, time.Hour, ""); pr.Exchange != "" {
		t.Errorf("in the catalog's currency: %q", pr.Exchange)
	}
}

// TestClassBudgetProjection: a class's thinking budget prices its
// requests at that bound, over the target's; a thinking target with some
// classes unbudgeted is said to be unbounded for the rest.
func TestClassBudgetProjection(t *testing.T) {
	const src = `name: class-budgets
targets:
  - {name: pro, model: doubao-seed-2.0-pro}
mix:
  - {name: short, weight: 3, prompt_tokens: 1000, output_tokens: 200, max_completion_tokens: 2000}
  - {name: long, weight: 1, prompt_tokens: 1000, output_tokens: 200}
load:
  seed: 1
  stages: [{kind: constant, rate: 1/s, duration: 10s}]
`
	for _, tc := range []struct {
		name, target string
		out          float64 // mean completion priced per request
		share        float64
		unbounded    bool
		text         string
	}{
		// short: 2,000 (its budget); long: 200 (max_tokens, no budget).
		{"class budget only", "", 0.75*2000 + 0.25*200, 0.75, true, "thinking budgets bound 75.0% of the requests"},
		// long falls back to the target's budget of 8,000.
		{"class over target", "max_completion_tokens: 8000, ", 0.75*2000 + 0.25*8000, 1, false, "bounded by the thinking budgets: each class's max_completion_tokens (or the target's)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse("s.yaml", []byte(strings.Replace(src, "{name: pro, ", "{name: pro, "+tc.target, 1)))
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPlan(sc, 1)
			if err != nil {
				t.Fatal(err)
			}
			pr, err := p.Project(1, time.Hour, "")
			if err != nil {
				t.Fatal(err)
			}
			v := pr.Variants[0]
			if math.Abs(v.Tiers[0].Output-tc.out) > 1e-6 || math.Abs(v.BudgetedShare-tc.share) > 1e-9 || v.Unbounded != tc.unbounded || !v.ClassBudgets {
				t.Errorf("output %g (want %g), budgeted %g, unbounded %v", v.Tiers[0].Output, tc.out, v.BudgetedShare, v.Unbounded)
			}
			// Output is priced at 16 CNY per 1M on Pro's 32k tier.
			if want := 1000 * tc.out * 16 / 1e6; math.Abs(v.Output-want) > 1e-6 {
				t.Errorf("output per 1K %g, want %g", v.Output, want)
			}
			var b strings.Builder
			if err := pr.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tc.text) {
				t.Errorf("no %q in\n%s", tc.text, b.String())
			}
		})
	}
}
