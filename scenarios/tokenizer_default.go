package scenarios

// BuiltinMockTokenizer is the built-in mock's tokenizer against
// EstimateTokens on the prompt corpus: the mock counts a word of L letters
// as ⌈L/5⌉ tokens where the estimate counts ⌈L/10⌉, which over the corpus
// comes to 1.2315 server tokens per estimated token, plus its chat template
// (4 tokens per message and 3 per request: 7 for one user message). Known to
// the planner, so that a run on the built-in mock lands its prompts in their
// planned tier without a calibration round trip; TestBuiltinMockTokenizer
// (in the run package's tests, which see both packages) holds it to the mock.
var BuiltinMockTokenizer = Calibration{Ratio: 1.2315, Overhead: 7}

// UseBuiltinMockTokenizer gives the scenario the built-in mock's tokenizer
// when it has none of its own and its first target (the one tiers are
// planned against) is the built-in mock: no base_url. It reports whether it
// did. A run calls it before planning, so the tokenizer it planned with is
// in the resolved scenario of its header like any other.
func (s *Scenario) UseBuiltinMockTokenizer() bool {
	if !s.Tokenizer.IsZero() || len(s.Targets) == 0 || s.Targets[0].BaseURL != "" {
		return false
	}
	s.Tokenizer = BuiltinMockTokenizer
	return true
}
