package run

import (
	"bytes"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/scenarios"
)

// TestBuiltinsConclusive: every built-in scenario plans, per target, at
// least the requests its own objectives need to be conclusive when every
// request succeeds (the built-in mock's case): p99 100, p99.9 1,000,
// availability and error rate enough for their Wilson interval to clear
// the bound (report.SamplesNeeded). Counted from the plan, warmup left
// out, sessions by their turns; nothing is sent. A closed-loop stage's
// count depends on the server's speed and cannot be planned: logged.
func TestBuiltinsConclusive(t *testing.T) {
	for _, name := range scenarios.Builtins() {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := scenarios.NewPlan(sc, sc.Load.Seed)
			if err != nil {
				t.Fatal(err)
			}
			per, closed := plannedPerTarget(plan, len(sc.Targets))
			if closed {
				t.Logf("%s has a closed-loop stage: its requests depend on the server's speed and are not counted", name)
				if per == 0 {
					return
				}
			}
			for _, tgt := range sc.Targets {
				for _, o := range sc.SLO.For(tgt.Name) {
					if need := report.SamplesNeeded(o); per < need {
						t.Errorf("%s plans %d requests, %s needs %d to be conclusive", tgt.Name, per, o, need)
					}
				}
			}
			if notes := tooSmall(sc, plan, nil); len(notes) > 0 && !closed {
				t.Errorf("the dry run would warn: %s", strings.Join(notes, "; "))
			}
		})
	}
}

// TestDryRunTooSmall: a dry run says which objectives a plan is too small
// to judge: quickstart cut to 2 s sends 30 requests per target, too few
// for its p99 (100) and its availability (189).
func TestDryRunTooSmall(t *testing.T) {
	sc, err := scenarios.Builtin("quickstart")
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	o := Options{Scenario: sc, Overrides: scenarios.Overrides{Duration: "2s"}, DryRun: true, OutDir: t.TempDir(),
		Getenv: func(string) string { return "" }, Stdout: &stdout}
	if _, err := Execute(t.Context(), t.Context(), o); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mini: ttft_p99 ≤ 2s needs at least 100 requests to be conclusive and the plan sends 30",
		"pro: availability ≥ 98% needs at least 189 requests"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the dry run does not say %q:\n%s", want, stdout.String())
		}
	}
}
