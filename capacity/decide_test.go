package capacity

import (
	"strings"
	"testing"
)

// variant builds the search result of one variant from its capacity, its
// binding constraint and what one request costs and takes at the expected
// rate, as a search over synthetic probes would have left it.
func variant(name string, capacity, hi float64, binding string, excess, per1K, ttftP99 float64) Result {
	probe := func(level float64, v Verdict) ProbeRecord {
		n := int64(1000)
		o := Outcome{Spec: Spec{Level: level}, Offered: level, Achieved: level, Issued: n, OK: n, Good: n * 9 / 10,
			TTFTP99: ttftP99, TPOTP95: 30, Throughput: level, Per1K: per1K, Spend: per1K, Currency: "CNY"}
		return ProbeRecord{Level: level, Verdict: v, Outcome: o}
	}
	r := Result{Target: name, Mode: ByRate, Capacity: capacity, Lo: capacity, Hi: hi, Binding: binding, BindingExcess: excess, Stopped: StopConverged}
	if capacity > 0 {
		r.Probes = append(r.Probes, probe(capacity, Pass))
	}
	r.Probes = append(r.Probes, probe(hi, Fail))
	return r
}

func TestDecide(t *testing.T) {
	mini := variant("mini", 85, 93, "ttft_p99", 0.4, 4.5, 796)
	lite := variant("lite", 50, 55, "tpot_p95", 0.2, 12, 1500)
	pro := variant("pro", 12, 13, "ttft_p99", 0.35, 56, 3620)
	liteSame := variant("lite", 50, 55, "tpot_p95", 0.2, 4.5, 1500)
	throttled := variant("pro", 6, 7, BindingThrottling, 0.1, 56, 3620)
	for _, tc := range []struct {
		name        string
		results     []Result
		expected    float64
		recommended string
		want        []string // fragments of the sentence, in order
	}{
		{
			name: "one fits", results: []Result{pro, mini}, expected: 20, recommended: "mini",
			want: []string{"Choose mini: the only variant that meets every objective at 30/s (20/s × 1.5 headroom), with capacity 85/s",
				"233,280 CNY per month at 20/s", // 4.5/1000 × 20 × 2,592,000
				"not enough: pro carries 12/s, 60% short, bound by ttft_p99 (35% beyond its limit)"},
		},
		{
			name: "both fit", results: []Result{pro, mini, lite}, expected: 20, recommended: "mini",
			want: []string{"Choose mini: the cheapest variant that meets every objective at 30/s",
				"62% cheaper than lite (622,080 CNY)", // 1 − 4.5/12
				"TTFT p99 796ms vs 1.50s (1.9× faster)",
				"not enough: pro carries 12/s"},
		},
		{
			name: "none fits", results: []Result{mini, throttled}, expected: 100, recommended: "",
			want: []string{"No variant meets every objective at 150/s (100/s × 1.5 headroom): ",
				"mini carries 85/s, 43% short, bound by ttft_p99 (40% beyond its limit)",
				"pro carries 6/s, 96% short, bound by throttling (10% beyond its limit)."},
		},
		{
			name: "tie", results: []Result{liteSame, mini}, expected: 20, recommended: "mini",
			want: []string{"Choose mini: it and lite both meet every objective at 30/s (20/s × 1.5 headroom) and cost the same (233,280 CNY per month at 20/s)",
				"mini has the lower TTFT p99 (796ms vs 1.50s)."},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.results, ByRate, tc.expected, 1.5)
			if d.Recommended != tc.recommended {
				t.Errorf("recommended %q, want %q", d.Recommended, tc.recommended)
			}
			rest := d.Sentence
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("sentence\n  %s\nlacks (in order)\n  %s", d.Sentence, w)
				}
				rest = rest[i+len(w):]
			}
			for i, c := range d.Choices {
				if c.Fits != (c.Capacity >= d.Needed) {
					t.Errorf("%s: fits %v with capacity %v for %v", c.Target, c.Fits, c.Capacity, d.Needed)
				}
				if i > 0 && c.Fits && !d.Choices[i-1].Fits {
					t.Errorf("choices not fitting first: %v", d.Choices)
				}
			}
		})
	}
}

func TestDecideCostPerOnSLOAnswer(t *testing.T) {
	d := Decide([]Result{variant("mini", 85, 93, "ttft_p99", 0.4, 4.5, 796)}, ByRate, 20, 1.5)
	c := d.Choices[0]
	// Spend 4.5 over 900 good answers of 1,000.
	if want := 4.5 / 900; c.PerGood < want*0.999 || c.PerGood > want*1.001 {
		t.Fatalf("cost per on-SLO answer %v, want %v", c.PerGood, want)
	}
	if c.Margin < 85/30.0*0.999 || c.Margin > 85/30.0*1.001 {
		t.Fatalf("margin %v", c.Margin)
	}
}
