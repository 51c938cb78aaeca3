package runner

import "fmt"

// MaxUsageTokens bounds any one token count a server may report for one
// request: 10× the largest context window served (256K tokens). A count
// above it, a negative count or more cached than prompt tokens makes the
// record's usage invalid (Result.UsageInvalid). With every believed count
// under this bound, sums over any feasible run (2^63 / 2.6M ≈ 3.5e12
// requests) cannot overflow an int64.
const MaxUsageTokens = 10 * 256 * 1024

// usageProblem says what makes u unbelievable, or "".
func usageProblem(u *Usage) string {
	for _, f := range [...]struct {
		name string
		n    int
	}{
		{"prompt_tokens", u.PromptTokens},
		{"completion_tokens", u.CompletionTokens},
		{"cached_tokens", u.CachedTokens},
		{"reasoning_tokens", u.ReasoningTokens},
	} {
		switch {
		case f.n < 0:
			return fmt.Sprintf("%s %d is negative", f.name, f.n)
		case f.n > MaxUsageTokens:
			return fmt.Sprintf("%s %d is over %d (10× a 256K context)", f.name, f.n, MaxUsageTokens)
		}
	}
	if u.CachedTokens > u.PromptTokens {
		return fmt.Sprintf("cached_tokens %d exceed prompt_tokens %d", u.CachedTokens, u.PromptTokens)
	}
	return ""
}

// UsageValid reports whether r's server usage may be billed and counted.
func (r *Result) UsageValid() bool { return r.Usage != nil && r.UsageInvalid == "" }
