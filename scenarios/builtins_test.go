package scenarios

import "testing"

// TestBuiltinsPlan: every embedded scenario parses, plans, and its first
// request is a body for its first target.
func TestBuiltinsPlan(t *testing.T) {
	for _, n := range Builtins() {
		s, err := Builtin(n)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		p, err := NewPlan(s, s.Load.Seed)
		if err != nil {
			t.Errorf("%s plan: %v", n, err)
			continue
		}
		if r := p.Source.Request(0); len(r.Body) == 0 || r.MaxTokens <= 0 {
			t.Errorf("%s: empty first request %+v", n, r)
		}
	}
}
