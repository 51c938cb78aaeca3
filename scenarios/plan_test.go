package scenarios

import (
	"math"
	"strings"
	"testing"
)

// TestPlanned: exact counts for ordinary stages, an estimate beyond five
// million hits, -1 for closed loop, and load.max_requests spread over the
// stages in order.
func TestPlanned(t *testing.T) {
	for _, tc := range []struct {
		name  string
		load  string
		want  []int64
		exact []bool
	}{
		// 5/s for 10 s, then 2 users.
		{"open then closed", "load: {stages: [{kind: constant, rate: 5/s, duration: 10s}, {kind: concurrency, users: 2, duration: 5s}]}",
			[]int64{50, -1}, []bool{true, false}},
		// 1000/s for 2 h = 7.2M: a constant rate's count is worked out
		// exactly, a Poisson one's estimated from the rate (not walked).
		{"long", "load: {stages: [{kind: constant, rate: 1000/s, duration: 2h}]}", []int64{7_200_000}, []bool{true}},
		{"long poisson", "load: {stages: [{kind: poisson, rate: 1000/s, duration: 2h}]}", []int64{7_200_000}, []bool{false}},
		// max_requests 70 over 50 + 50: the second stage gets 20, the third none.
		{"max_requests", "load: {max_requests: 70, stages: [{kind: constant, rate: 5/s, duration: 10s}, {kind: constant, rate: 5/s, duration: 10s}, {kind: constant, rate: 5/s, duration: 10s}]}",
			[]int64{50, 20}, []bool{true, true}},
		// A warmup of 4 s at the first stage's rate comes first.
		{"warmup", "load: {warmup: 4s, stages: [{kind: ramp, from: 2/s, to: 8/s, duration: 10s}]}", []int64{8, 50}, []bool{true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := base[:strings.Index(base, "load:")] + tc.load + "\n"
			s, err := ParseWith("p.yaml", []byte(src), Options{Env: testEnv})
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPlan(s, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Stages) != len(tc.want) {
				t.Fatalf("%d stages, want %d", len(p.Stages), len(tc.want))
			}
			for i := range p.Stages {
				n, exact := p.Planned(i)
				if exact != tc.exact[i] || math.Abs(float64(n-tc.want[i])) > 0.001*math.Abs(float64(tc.want[i]))+1 {
					t.Errorf("stage %d: %d (exact %v), want %d (exact %v)", i, n, exact, tc.want[i], tc.exact[i])
				}
			}
		})
	}
}
