package scenarios

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scenario string
		o        Overrides
		check    func(*Scenario) string // "" when right
		err      string
	}{
		// --rate on a constant stage.
		{"rate constant", "quickstart", Overrides{Rate: "20/s"}, func(s *Scenario) string {
			return want(s.Load.Stages[0].Rate.Text, "20/s")
		}, ""},
		// --rate on a ramp ends the ramp there, scaling its start.
		{"rate ramp", "capacity-ramp", Overrides{Rate: "50/s"}, func(s *Scenario) string {
			return want(s.Load.Stages[0].From.Text+" → "+s.Load.Stages[0].To.Text, "30/m → 50/s")
		}, ""},
		// --rate on a sine sets its mean, scaling the amplitude.
		{"rate sine", "tier-mix", Overrides{Rate: "2/s"}, func(s *Scenario) string {
			return want(s.Load.Stages[0].Mean.Text+" ± "+s.Load.Stages[0].Amplitude.Text, "2/s ± 1.2/s")
		}, ""},
		// --rate on closed-loop stages only is an error.
		{"rate closed loop", "long-context-256k", Overrides{Rate: "2/s"}, nil, "--rate: scenario long-context-256k has no open-loop stage"},
		{"rate bad", "quickstart", Overrides{Rate: "fast"}, nil, `--rate: "fast" is not a rate`},
		// --duration scales the stages to the total.
		{"duration", "slo-soak", Overrides{Duration: "10m"}, func(s *Scenario) string {
			return want(s.Load.Stages[0].Duration.Text+" "+s.Load.Stages[1].Duration.Text+" "+s.Load.Warmup.Text, "5m0s 5m0s 1m")
		}, ""},
		// --target and --model on every target.
		{"target model", "mini-vs-pro", Overrides{BaseURL: "https://gw.example/api/v3", Model: "doubao-seed-2.0-lite"}, func(s *Scenario) string {
			return want(s.Targets[0].BaseURL+" "+s.Targets[1].Model, "https://gw.example/api/v3 doubao-seed-2.0-lite")
		}, ""},
		{"target bad", "quickstart", Overrides{BaseURL: "gw.example"}, nil, `--target: "gw.example" is not an http(s) URL`},
		// --seed, including 0.
		{"seed", "quickstart", Overrides{Seed: 0, SeedSet: true}, func(s *Scenario) string {
			return want(s.Load.Seed, int64(0))
		}, ""},
		{"duration bad", "quickstart", Overrides{Duration: "0s"}, nil, `--duration: "0s" must be above zero`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Builtin(tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			before, _ := json.Marshal(s)
			err = s.Apply(tc.o)
			switch {
			case tc.err != "":
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q…", err, tc.err)
				}
				if after, _ := json.Marshal(s); string(after) != string(before) {
					t.Error("a failed Apply changed the scenario")
				}
			case err != nil:
				t.Fatal(err)
			case tc.check != nil:
				if msg := tc.check(s); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

func want(got, want any) string {
	if !reflect.DeepEqual(got, want) {
		return "got " + toString(got) + ", want " + toString(want)
	}
	return ""
}

func toString(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestJSONRoundTrip: every built-in survives the trip through a results
// file's header unchanged, plan hash included.
func TestJSONRoundTrip(t *testing.T) {
	for _, name := range Builtins() {
		p := mustPlan(t, name)
		b, err := json.Marshal(p.Scenario)
		if err != nil {
			t.Fatal(err)
		}
		back, err := FromJSON(b, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b2, _ := json.Marshal(back)
		if string(b) != string(b2) {
			t.Errorf("%s: JSON changed on the round trip\n%s\n%s", name, b, b2)
		}
		if !reflect.DeepEqual(back.SLO.For(back.Targets[0].Name), sortedFor(p.Scenario.SLO.For(back.Targets[0].Name), back.SLO.For(back.Targets[0].Name))) {
			t.Errorf("%s: SLO changed on the round trip", name)
		}
		q, err := NewPlan(back, p.Seed)
		if err != nil {
			t.Fatal(err)
		}
		if q.Hash() != p.Hash() || string(q.Source.Request(3).Body) != string(p.Source.Request(3).Body) {
			t.Errorf("%s: the plan changed on the round trip", name)
		}
	}
}
