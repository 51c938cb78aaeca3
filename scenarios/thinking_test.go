package scenarios

import (
	"bytes"
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
