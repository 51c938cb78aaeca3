package scenarios

import (
	"strings"
	"testing"
)

func TestSweepExpands(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sweep string
		want  []string // target name: thinking/effort
	}{
		{"efforts", "    sweep: {reasoning_effort: [minimal, low, high]}",
			[]string{"mini/effort=minimal: /minimal", "mini/effort=low: /low", "mini/effort=high: /high"}},
		{"thinking", "    sweep: {thinking: [enabled, disabled]}",
			[]string{"mini/thinking=enabled: enabled/", "mini/thinking=disabled: disabled/"}},
		{"both: every combination", "    sweep: {thinking: [enabled], reasoning_effort: [low, high]}",
			[]string{"mini/thinking=enabled,effort=low: enabled/low", "mini/thinking=enabled,effort=high: enabled/high"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(base, "    model: doubao-seed-2.0-mini\n", "    model: doubao-seed-2.0-mini\n"+tc.sweep+"\n", 1)
			s, err := ParseWith("s.yaml", []byte(src), Options{Env: testEnv})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range s.Targets {
				if !x.Sweep.IsZero() || x.Model != "doubao-seed-2.0-mini" {
					t.Fatalf("%+v", x)
				}
				got = append(got, x.Name+": "+x.Thinking+"/"+x.ReasoningEffort)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if _, err := NewPlan(s, 1); err != nil {
				t.Fatalf("the expanded scenario does not plan: %v", err)
			}
		})
	}
}

func TestSweepErrors(t *testing.T) {
	for _, tc := range []struct {
		name, line, want string
	}{
		{"unknown effort", "    sweep: {reasoning_effort: [low, extreme]}",
			`s.yaml:5:37: targets[0].sweep.reasoning_effort[1]: "extreme" is not one of minimal, low, medium, high`}, // at the list element
		{"listed twice", "    sweep: {thinking: [enabled, enabled]}", `"enabled" is listed twice`},
		{"conflicts with the target's own setting", "    thinking: enabled\n    sweep: {thinking: [enabled, disabled]}",
			"targets[0].sweep.thinking: conflicts with thinking: enabled on the target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(base, "    model: doubao-seed-2.0-mini\n", "    model: doubao-seed-2.0-mini\n"+tc.line+"\n", 1)
			_, err := ParseWith("s.yaml", []byte(src), Options{Env: testEnv})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	// A variant's name taken by another target.
	src := strings.Replace(base, "    model: doubao-seed-2.0-mini\n",
		"    model: doubao-seed-2.0-mini\n    sweep: {reasoning_effort: [low]}\n  - name: mini/effort=low\n    model: doubao-seed-2.0-mini\n", 1)
	if _, err := ParseWith("s.yaml", []byte(src), Options{Env: testEnv}); err == nil || !strings.Contains(err.Error(), `"mini/effort=low"`) {
		t.Fatalf("collision: %v", err)
	}
}
