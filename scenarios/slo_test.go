package scenarios

import (
	"encoding/json"
	"math"
	"reflect"
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
		// Goodput is a rate.
		{"goodput", "5/s", Objective{Name: "goodput", Metric: "goodput", Rate: 5, Raw: "5/s"}, false},
		// Errors.
		{"latency_p99", "2s", Objective{}, true}, // unknown metric
		{"ttft_p100", "2s", Objective{}, true},   // not a quantile
		{"ttft_p99", "fast", Objective{}, true},  // not a duration
		{"availability", "2", Objective{}, true}, // above 100%
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
