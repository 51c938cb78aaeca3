package scenarios

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseObjective(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        Objective
		err         bool
	}{
		// Latency: METRIC_STAT ≤ duration.
		{"ttft_p99", "2s", Objective{Name: "ttft_p99", Metric: "ttft", Stat: "p99", Quantile: 0.99, Threshold: 2 * time.Second, Raw: "2s"}, false},
		// p999 is p99.9.
		{"e2e_p999", "30s", Objective{Name: "e2e_p999", Metric: "e2e", Stat: "p999", Quantile: 0.999, Threshold: 30 * time.Second, Raw: "30s"}, false},
		{"tpot_p99.5", "50ms", Objective{Name: "tpot_p99.5", Metric: "tpot", Stat: "p99.5", Quantile: 0.995, Threshold: 50 * time.Millisecond, Raw: "50ms"}, false},
		{"itl_max", "1s", Objective{Name: "itl_max", Metric: "itl", Stat: "max", Quantile: 1, Threshold: time.Second, Raw: "1s"}, false},
		// Ratios.
		{"availability", "99.9%", Objective{Name: "availability", Metric: "availability", Ratio: 0.999, Raw: "99.9%"}, false},
		{"error_rate", "0.5%", Objective{Name: "error_rate", Metric: "error_rate", Ratio: 0.005, Raw: "0.5%"}, false},
		// Goodput is a rate, in any rate unit.
		{"goodput", "5/s", Objective{Name: "goodput", Metric: "goodput", Rate: 5, Raw: "5/s"}, false},
		{"goodput", "60/m", Objective{Name: "goodput", Metric: "goodput", Rate: 1, Raw: "60/m"}, false},
		// Schedule lag, by its short name too.
		{"lag_p99", "1ms", Objective{Name: "lag_p99", Metric: "schedule_lag", Stat: "p99", Quantile: 0.99, Threshold: time.Millisecond, Raw: "1ms"}, false},
		{"schedule_lag_max", "5ms", Objective{Name: "schedule_lag_max", Metric: "schedule_lag", Stat: "max", Quantile: 1, Threshold: 5 * time.Millisecond, Raw: "5ms"}, false},
		// Load delivered: ratios.
		{"dropped", "0.1%", Objective{Name: "dropped", Metric: "dropped", Ratio: 0.001, Raw: "0.1%"}, false},
		{"achieved_rate", "95%", Objective{Name: "achieved_rate", Metric: "achieved_rate", Ratio: 0.95, Raw: "95%"}, false},
		// Errors.
		{"latency_p99", "2s", Objective{}, true}, // unknown metric
		{"ttft_p100", "2s", Objective{}, true},   // not a quantile
		{"ttft_p99", "fast", Objective{}, true},  // not a duration
		{"availability", "2", Objective{}, true}, // above 100%
		{"ttft_p99", "0s", Objective{}, true},    // a bound of nothing
		{"goodput", "fast", Objective{}, true},   // not a rate
		{"dropped", "lots", Objective{}, true},   // not a ratio
		{"ttft_p+99", "1s", Objective{}, true},   // not a statistic
	} {
		got, err := ParseObjective(tc.name, tc.value)
		// Fractions compared to 1e-12: 99.9/100 need not be the literal 0.999.
		near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
		if !tc.err && near(got.Quantile, tc.want.Quantile) && near(got.Ratio, tc.want.Ratio) {
			got.Quantile, got.Ratio = tc.want.Quantile, tc.want.Ratio
		}
		if (err != nil) != tc.err || !tc.err && got != tc.want {
			t.Errorf("ParseObjective(%q, %q) = %+v, %v", tc.name, tc.value, got, err)
		}
	}
	o, _ := ParseObjective("availability", "99%")
	if !o.AtLeast() || !o.Met(0.995) || o.Met(0.98) || o.String() != "availability ≥ 99%" {
		t.Errorf("availability objective: %s", o)
	}
	o, _ = ParseObjective("ttft_p99", "2s")
	if o.AtLeast() || !o.Met(1.5) || o.Met(2.5) || o.Bound() != 2 {
		t.Errorf("ttft objective: %s", o)
	}
}

func TestSLOForAndJSON(t *testing.T) {
	s, err := ParseWith("s.yaml", []byte(base+"slo:\n  ttft_p99: 2s\n  availability: 99%\n  targets:\n    mini:\n      ttft_p99: 4s\n      e2e_p99: 30s\n"), Options{Env: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range s.SLO.For("mini") {
		names = append(names, o.String())
	}
	want := []string{"[mini] ttft_p99 ≤ 4s", "availability ≥ 99%", "[mini] e2e_p99 ≤ 30s"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("For(mini) = %q, want %q", names, want)
	}
	b, _ := json.Marshal(s.SLO)
	if string(b) != `{"availability":"99%","targets":{"mini":{"e2e_p99":"30s","ttft_p99":"4s"}},"ttft_p99":"2s"}` {
		t.Errorf("JSON %s", b)
	}
	var back SLO
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Objectives) != 4 || !reflect.DeepEqual(back.For("mini"), sortedFor(s.SLO.For("mini"), back.For("mini"))) {
		t.Errorf("round trip lost objectives: %+v", back.Objectives)
	}
}

// sortedFor returns a in the order of b (JSON sorts keys), to compare sets.
func sortedFor(a, b []Objective) []Objective {
	out := make([]Objective, 0, len(a))
	for _, x := range b {
		for _, y := range a {
			if x.Name == y.Name && x.Target == y.Target {
				out = append(out, y)
			}
		}
	}
	return out
}

// TestObjectiveKey: however an objective is spelled, its key is the same,
// so a flag replaces the scenario's objective it means.
func TestObjectiveKey(t *testing.T) {
	for _, tc := range []struct{ name, value, key string }{
		{"ttft_p99", "2s", "ttft_p99"},
		{"e2e_p99.9", "2s", "e2e_p999"}, // one spelling of p99.9
		{"e2e_p999", "2s", "e2e_p999"},
		{"lag_p99", "2s", "schedule_lag_p99"}, // lag is short for schedule_lag
		{"tpot_mean", "2s", "tpot_mean"},
		{"itl_max", "2s", "itl_max"},
		{"tpot_p50", "2s", "tpot_p50"},
		{"availability", "99%", "availability"},
		{"achieved_rate", "90%", "achieved_rate"},
	} {
		o, err := ParseObjective(tc.name, tc.value)
		if err != nil || o.Key() != tc.key {
			t.Errorf("ParseObjective(%q).Key() = %q, %v; want %q", tc.name, o.Key(), err, tc.key)
		}
	}
}

// TestSLOMerge: --slo replaces the scenario's objective of the same key on
// every target (global and per target) and keeps the ones it does not name.
func TestSLOMerge(t *testing.T) {
	s, err := ParseWith("s.yaml", []byte(base+"slo:\n  ttft_p99: 2s\n  availability: 99%\n  targets:\n    mini:\n      ttft_p99.0: 4s\n      e2e_p99: 30s\n"), Options{Env: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	flags, err := ParseObjectives("ttft_p99=1s,dropped=1%")
	if err != nil {
		t.Fatal(err)
	}
	merged := s.SLO.Merge(flags)
	var got []string
	for _, o := range merged.For("mini") {
		got = append(got, o.String())
	}
	want := "availability ≥ 99%,ttft_p99 ≤ 1s,dropped ≤ 1%,[mini] e2e_p99 ≤ 30s"
	if strings.Join(got, ",") != want {
		t.Errorf("merged for mini: %v\nwant %s", got, want)
	}
	if len(s.SLO.Objectives) != 4 {
		t.Errorf("Merge changed the scenario's objectives: %v", s.SLO.Objectives)
	}
}

func TestParseObjectivesErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ttft_p99", `"ttft_p99": want NAME=VALUE`},
		{"ttft_p99=2s,goodput=fast", `goodput: "fast" is not a rate`},
		{"latency_p99=1s", "latency_p99: unknown objective"},
	} {
		if _, err := ParseObjectives(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseObjectives(%q) = %v; want an error with %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParseObjectives: what parses prints (Name, Raw) as something that
// parses to the same objective.
func FuzzParseObjectives(f *testing.F) {
	for _, s := range []string{"ttft_p99=2s,availability=99.9%", "e2e_p99.9=1m", "goodput=3/s", "goodput=60/m", "tpot_mean=1ms",
		"lag_p99=1ms", "dropped=0.1%,achieved_rate=95%", "=,", "ttft_p=1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		objs, err := ParseObjectives(s)
		if err != nil {
			return
		}
		for _, o := range objs {
			again, err := ParseObjective(o.Name, o.Raw)
			if err != nil {
				t.Fatalf("%q: %s does not parse again: %v", s, o, err)
			}
			if again != o {
				t.Fatalf("%q: %+v parsed back as %+v", s, o, again)
			}
		}
	})
}
