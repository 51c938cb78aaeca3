package scenarios

// Thinking budgets. On the Seed 2.0 chat API (Volcengine Ark / BytePlus
// ModelArk; the parameter table at
// https://docs.byteplus.com/en/docs/Byteplus_LAS/Chat_API mirrors Ark's):
//
//   - thinking defaults to {"type":"enabled"}; reasoning_effort minimal
//     turns it off;
//   - max_tokens caps the answer only, "does not include reasoning chain
//     content" (default 4096);
//   - max_completion_tokens caps answer and reasoning together, range
//     [0, 65536]; it is mutually exclusive with max_tokens, which "becomes
//     invalid when configured".
//
// So a budget is sent instead of max_tokens, never beside it, and without
// one a thinking request's reasoning is bounded only by the context window.

// MaxCompletionBudget is the largest max_completion_tokens the service
// accepts.
const MaxCompletionBudget = 65536

func checkCompletionBudget(d *decoder, p string, n int) {
	if n < 0 || n > MaxCompletionBudget {
		d.fail(p+".max_completion_tokens", "%d is outside the service's range 0..%d (it caps reasoning and answer together)", n, MaxCompletionBudget)
	}
}

// thinks reports whether t's requests think: Seed 2.0 does unless told
// thinking: disabled or reasoning_effort: minimal (also through
// extra_body).
func thinks(t Target) bool {
	if t.Thinking == "disabled" || t.ReasoningEffort == "minimal" {
		return false
	}
	if th, ok := t.ExtraBody["thinking"].(map[string]any); ok && th["type"] == "disabled" {
		return false
	}
	return t.ExtraBody["reasoning_effort"] != "minimal"
}

// probeTarget is t as calibration probes send it: thinking disabled (a
// probe asks for one token; a thinking model would reason first, and bill
// it), no reasoning effort.
func probeTarget(t Target) Target {
	t.Thinking, t.ReasoningEffort = "disabled", ""
	if len(t.ExtraBody) > 0 {
		eb := make(map[string]any, len(t.ExtraBody))
		for k, v := range t.ExtraBody {
			if k != "thinking" && k != "reasoning_effort" {
				eb[k] = v
			}
		}
		t.ExtraBody = eb
	}
	return t
}
