package scenarios

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEExample: the annotated example in README.md is a valid
// scenario that plans, so the documentation cannot drift from the schema.
func TestREADMEExample(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```yaml\n")
	if !ok {
		t.Fatal("README.md has no yaml example")
	}
	src, _, _ := strings.Cut(rest, "```")
	s, err := ParseWith("README.md", []byte(src), Options{Env: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) > 0 {
		t.Errorf("warnings: %q", s.Warnings)
	}
	p, err := NewPlan(s, s.Load.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Stages) != 4 || len(p.Scenario.SLO.For("pro")) != 5 {
		t.Errorf("%d stages, %d objectives for pro", len(p.Stages), len(p.Scenario.SLO.For("pro")))
	}
}
