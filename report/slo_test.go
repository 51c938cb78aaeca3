package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/scenarios"
)

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
		got = append(got, o.Target+":"+objectiveText(o))
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
			s = append(s, objectiveText(o))
		}
		if strings.Join(s, ",") != tc.want {
			t.Errorf("%s: %v, want %s", tc.target, s, tc.want)
		}
	}
	// A flag replaces the scenario's objective of the same key everywhere.
	flag, _ := scenarios.ParseObjectives("ttft_p99=1s")
	var s []string
	for _, o := range objectivesFor(resolveObjectives(objs, flag), "pro") {
		s = append(s, objectiveText(o))
	}
	if strings.Join(s, ",") != "availability >= 99.9%,ttft_p99 <= 1s,dropped <= 0.1%,achieved_rate >= 95%" { // with the load-delivered defaults
		t.Errorf("with --slo ttft_p99=1s, pro has %v", s)
	}
}

// TestRequestLimits: goodput judges a request by the highest-percentile
// objective of each metric; mean objectives and ITL judge none.
func TestRequestLimits(t *testing.T) {
	objs, err := scenarios.ParseObjectives("ttft_p50=500ms,ttft_p99=2s,tpot_mean=10ms,itl_p99=100ms,e2e_max=30s")
	if err != nil {
		t.Fatal(err)
	}
	lim := requestLimits(objs)
	if lim[TTFT] != 2e6 || lim[TPOT] != 0 || lim[ITL] != 0 || lim[E2E] != 30e6 {
		t.Errorf("limits %v", lim)
	}
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
