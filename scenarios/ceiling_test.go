package scenarios

import (
	"strings"
	"testing"
)

// TestPlanCeiling: plans over the rate or request ceiling are refused at
// the field that sets them, unless load.max_requests caps the run.
func TestPlanCeiling(t *testing.T) {
	stage := func(kind, fields, dur string) string {
		return strings.Replace(base, "    - kind: constant\n      rate: 5/s\n      duration: 10s\n",
			"    - kind: "+kind+"\n"+fields+"      duration: "+dur+"\n", 1)
	}
	tests := []struct {
		name, src, want string // want "" for accepted
	}{
		{"at the rate ceiling", stage("constant", "      rate: 1000000/s\n", "10s"), ""},
		{"over the rate ceiling", stage("poisson", "      rate: 1000001/s\n", "1s"), "f.yaml:15:13: load.stages[0].rate: 1000001/s is over the ceiling of 1000000/s"},
		{"ramp peak over", stage("ramp", "      from: 1/s\n      to: 2000000/s\n", "1s"), "load.stages[0].to: 2000000/s is over the ceiling"},
		{"sine peak over", stage("sine", "      mean: 900000/s\n      amplitude: 200000/s\n      period: 1s\n", "1s"), "load.stages[0].amplitude: 1100000/s is over"},
		{"requests over", stage("constant", "      rate: 1000/s\n", "2d"), "load.stages: the plan is about 172,800,000 requests, over the ceiling of 100,000,000"},
		{"a week at 100/s", stage("poisson", "      rate: 100/s\n", "1w"), ""},
		{"capped by max_requests", strings.Replace(stage("constant", "      rate: 1000000000/s\n", "2s"), "  seed: 1\n", "  seed: 1\n  max_requests: 1000\n", 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWith("f.yaml", []byte(tt.src), Options{Env: testEnv})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestPlannedIsCheap: a week of Poisson arrivals (60 million) is counted by
// its rate, not walked; a constant rate is counted exactly however long.
func TestPlannedIsCheap(t *testing.T) {
	for _, tt := range []struct {
		kind  string
		exact bool
		want  int64
	}{
		{"poisson", false, 100 * 7 * 86400},
		{"constant", true, 100 * 7 * 86400},
	} {
		src := strings.Replace(strings.Replace(base, "rate: 5/s", "rate: 100/s", 1), "duration: 10s", "duration: 1w", 1)
		src = strings.Replace(src, "kind: constant", "kind: "+tt.kind, 1)
		s, err := ParseWith("f.yaml", []byte(src), Options{Env: testEnv})
		if err != nil {
			t.Fatal(err)
		}
		p, err := NewPlan(s, 1)
		if err != nil {
			t.Fatal(err)
		}
		n, exact, closed := p.Requests()
		if exact != tt.exact || closed || n != tt.want {
			t.Errorf("%s: %d exact %v closed %v, want %d exact %v", tt.kind, n, exact, closed, tt.want, tt.exact)
		}
	}
}
