package report

import (
	"testing"

	"github.com/seedbench/seedbench/scenarios"
)

// TestSamplesNeeded: the fewest requests on which an objective can be
// conclusive, and at that n (not one fewer) a flawless run's check is.
func TestSamplesNeeded(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        int64
	}{
		{"ttft_p99", "2s", 100},
		{"e2e_p99.9", "2s", 1000},
		{"ttft_p95", "1s", 20},
		{"ttft_p50", "1s", 2},
		{"ttft_mean", "1s", 1},
		{"availability", "99%", 381},
		{"availability", "98%", 189},
		{"availability", "100%", 1},
		{"error_rate", "1%", 381},
		{"dropped", "0.1%", 1},
	} {
		o, err := scenarios.ParseObjective(tc.name, tc.value)
		if err != nil {
			t.Fatal(err)
		}
		if got := SamplesNeeded(o); got != tc.want {
			t.Errorf("%s %s needs %d, want %d", tc.name, tc.value, got, tc.want)
		}
		if o.Metric != "availability" && o.Metric != "error_rate" {
			continue
		}
		for _, n := range []int64{tc.want - 1, tc.want} {
			if n < 1 {
				continue
			}
			g := Group{Issued: n, OK: n, Availability: 1}
			c := judge(o, g, nil, nil)
			if conclusive := c.Status != StatusInconclusive; conclusive != (n == tc.want) {
				t.Errorf("%s %s on %d flawless requests: %s (%s)", tc.name, tc.value, n, c.Status, c.Basis)
			}
		}
	}
}
