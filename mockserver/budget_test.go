package mockserver

import (
	"strings"
	"testing"
)

// TestCompletionBudgetRange: max_completion_tokens outside the documented
// [0, 65536] is refused; beside max_tokens it wins and max_tokens is
// ignored, as the Seed API documents.
func TestCompletionBudgetRange(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	for _, tc := range []struct {
		fields string
		status int
	}{
		{`"max_completion_tokens":65536`, 200},
		{`"max_completion_tokens":0`, 200},
		{`"max_completion_tokens":65537`, 400},
		{`"max_completion_tokens":100000`, 400},
		{`"max_completion_tokens":-1`, 400},
		// max_tokens above the model's limit is not looked at beside a budget.
		{`"max_completion_tokens":16,"max_tokens":999999`, 200},
	} {
		body := `{"model":"doubao-seed-2.0-mini","messages":[{"role":"user","content":"hi"}],` + tc.fields + `}`
		resp, err := hs.Client().Post(hs.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.fields, resp.StatusCode, tc.status)
		}
	}
}

// TestBudgetIgnoresMaxTokens: with both, the answer may run past max_tokens
// up to the budget.
func TestBudgetIgnoresMaxTokens(t *testing.T) {
	p := DefaultProfiles()["doubao-seed-2.0-mini"]
	q := userRequest("hello")
	q.MaxTokens, q.MaxCompletionTokens, q.IgnoreEOS = ptr(5), ptr(40), true
	pl, err := makePlan(q, &p, measurePrompt(q, &p), 1, Faults{})
	if err != nil {
		t.Fatal(err)
	}
	if pl.reasoningTokens+pl.contentTokens != 40 || pl.contentTokens <= 5 {
		t.Errorf("reasoning %d content %d: want 40 in all, the answer past max_tokens 5", pl.reasoningTokens, pl.contentTokens)
	}
}
