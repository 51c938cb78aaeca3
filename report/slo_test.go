package report

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestParseObjective(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		want       Objective // Key, Kind, Metric, Percentile, Mean, Limit
		err        string
	}{
		// a percentile of a latency, limit in µs
		{"ttft_p99", "2s", Objective{Key: "ttft_p99", Kind: LatencyObjective, Metric: TTFT, Percentile: 99, Limit: 2e6}, ""},
		// p999 and p99.9 are the same objective, keyed p999
		{"e2e_p999", "30s", Objective{Key: "e2e_p999", Kind: LatencyObjective, Metric: E2E, Percentile: 99.9, Limit: 30e6}, ""},
		{"e2e_p99.9", "30s", Objective{Key: "e2e_p999", Kind: LatencyObjective, Metric: E2E, Percentile: 99.9, Limit: 30e6}, ""},
		// mean and max
		{"tpot_mean", "20ms", Objective{Key: "tpot_mean", Kind: LatencyObjective, Metric: TPOT, Mean: true, Limit: 20e3}, ""},
		{"itl_max", "500ms", Objective{Key: "itl_max", Kind: LatencyObjective, Metric: ITL, Percentile: 100, Limit: 500e3}, ""},
		// the generator's own lag, by either name
		{"lag_p99", "5ms", Objective{Key: "schedule_lag_p99", Kind: LatencyObjective, Metric: Lag, Percentile: 99, Limit: 5e3}, ""},
		{"schedule_lag_p50", "1ms", Objective{Key: "schedule_lag_p50", Kind: LatencyObjective, Metric: Lag, Percentile: 50, Limit: 1e3}, ""},
		// ratios as percentages or fractions
		{"availability", "99.9%", Objective{Key: "availability", Kind: AvailabilityObjective, Limit: 0.999}, ""},
		{"availability", "0.995", Objective{Key: "availability", Kind: AvailabilityObjective, Limit: 0.995}, ""},
		{"error_rate", "0.5%", Objective{Key: "error_rate", Kind: ErrorRateObjective, Limit: 0.005}, ""},
		// goodput in requests per second
		{"goodput", "10/s", Objective{Key: "goodput", Kind: GoodputObjective, Limit: 10}, ""},
		// errors name the key and say what would be right
		{"ttft_p99", "2", Objective{}, `slo ttft_p99: "2" is not a positive duration (try "2s" or "50ms")`},
		{"ttft_p99", "-1s", Objective{}, "not a positive duration"},
		{"ttft_p100", "1s", Objective{}, `"p100" is not a statistic`},
		{"ttft_p0", "1s", Objective{}, "is not a statistic"},
		{"ttft_median", "1s", Objective{}, "is not a statistic"},
		{"latency_p99", "1s", Objective{}, `slo "latency_p99": unknown objective`},
		{"ttft", "1s", Objective{}, "unknown objective"},
		{"availability", "101%", Objective{}, "outside 0%..100%"},
		{"availability", "high", Objective{}, "is not a fraction"},
		{"goodput", "fast", Objective{}, "is not a rate"},
	} {
		o, err := ParseObjective(tc.key, tc.value)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s=%s: error %v, want one containing %q", tc.key, tc.value, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s=%s: %v", tc.key, tc.value, err)
			continue
		}
		if o.Key != tc.want.Key || o.Kind != tc.want.Kind || o.Metric != tc.want.Metric || o.Percentile != tc.want.Percentile ||
			o.Mean != tc.want.Mean || math.Abs(o.Limit-tc.want.Limit) > 1e-12 {
			t.Errorf("%s=%s: got %+v, want %+v", tc.key, tc.value, o, tc.want)
		}
	}
}

// TestScenarioObjectives reads the slo block as the scenarios package
// writes it into the results header: global objectives and a targets map,
// and also a slo inside a target.
func TestScenarioObjectives(t *testing.T) {
	resolved := json.RawMessage(`{"slo":{"ttft_p99":"2s","availability":"99.9%","targets":{"pro":{"ttft_p99":"4s"}}},
		"targets":[{"name":"mini","slo":{"tpot_p95":"50ms"}},{"name":"pro"}]}`)
	objs, err := ScenarioObjectives(resolved)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.Target+":"+o.String())
	}
	want := "[:availability >= 99.9% pro:ttft_p99 <= 4s :ttft_p99 <= 2s mini:tpot_p95 <= 50ms]"
	if s := strings.Join(strings.Fields(strings.Trim(strings.Join(got, " "), "[]")), " "); "["+s+"]" != want {
		t.Errorf("objectives %v, want %s", got, want)
	}
	// pro's own ttft_p99 replaces the global one; mini keeps the global.
	for _, tc := range []struct {
		target, want string
	}{
		{"pro", "availability >= 99.9%,ttft_p99 <= 4s"},
		{"mini", "availability >= 99.9%,ttft_p99 <= 2s,tpot_p95 <= 50ms"},
	} {
		var s []string
		for _, o := range objectivesFor(objs, tc.target) {
			s = append(s, o.String())
		}
		if strings.Join(s, ",") != tc.want {
			t.Errorf("%s: %v, want %s", tc.target, s, tc.want)
		}
	}
	// A flag replaces the scenario's objective of the same key everywhere.
	flag, _ := ParseSLOFlag("ttft_p99=1s")
	var s []string
	for _, o := range objectivesFor(mergeObjectives(objs, flag), "pro") {
		s = append(s, o.String())
	}
	if strings.Join(s, ",") != "availability >= 99.9%,ttft_p99 <= 1s" {
		t.Errorf("with --slo ttft_p99=1s, pro has %v", s)
	}
}

// TestRequestLimits: goodput judges a request by the highest-percentile
// objective of each metric; mean objectives and ITL judge none.
func TestRequestLimits(t *testing.T) {
	objs, err := ParseSLOFlag("ttft_p50=500ms,ttft_p99=2s,tpot_mean=10ms,itl_p99=100ms,e2e_max=30s")
	if err != nil {
		t.Fatal(err)
	}
	lim := requestLimits(objs)
	if lim[TTFT] != 2e6 || lim[TPOT] != 0 || lim[ITL] != 0 || lim[E2E] != 30e6 {
		t.Errorf("limits %v", lim)
	}
}

func FuzzParseSLOFlag(f *testing.F) {
	for _, s := range []string{"ttft_p99=2s,availability=99.9%", "e2e_p99.9=1m", "goodput=3/s", "tpot_mean=1ms", "=,", "ttft_p=1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		objs, err := ParseSLOFlag(s)
		if err != nil {
			return
		}
		// What parses, prints as something that parses to the same.
		for _, o := range objs {
			k, v, _ := strings.Cut(o.String(), " ")
			_, v, _ = strings.Cut(v, " ")
			again, err := ParseObjective(k, v)
			if err != nil {
				t.Fatalf("%q printed as %q which does not parse: %v", s, o.String(), err)
			}
			if again.Key != o.Key || again.Kind != o.Kind {
				t.Fatalf("%q: %+v printed and parsed back as %+v", s, o, again)
			}
		}
	})
}

func FuzzParseThresholds(f *testing.F) {
	f.Add("ttft_p99=10%,availability=0.5%")
	f.Add("cost_per_1k=0.05")
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThresholds(s)
		if err != nil {
			return
		}
		for _, x := range th {
			if x.Limit < 0 {
				t.Fatalf("%q: negative threshold %v", s, x)
			}
		}
	})
}
