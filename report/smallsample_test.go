package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/report/internal/synth"
)

// TestGoldenFourSuccesses: a run with 4 successes cannot say anything about
// its p99: the table shows "n too small", the objective on it is
// inconclusive (a third verdict, not a pass), and so is an availability
// objective whose 95% interval holds its bound.
func TestGoldenFourSuccesses(t *testing.T) {
	p := writeSynth(t, synth.Config{Seed: 4, Scenario: "tiny", Requests: 4, Rate: 2,
		Targets:  []synth.Target{{Name: "mini", Model: "doubao-seed-2.0-mini"}},
		Resolved: json.RawMessage(`{"slo":{"ttft_p99":"10s","availability":"90%"}}`)})
	s, err := Aggregate([]string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var text, md bytes.Buffer
	if err := WriteText(&text, s); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, s); err != nil {
		t.Fatal(err)
	}
	golden(t, "tiny.report.txt", bytes.ReplaceAll(text.Bytes(), []byte(p), []byte("tiny.jsonl")))
	golden(t, "tiny.report.md", bytes.ReplaceAll(md.Bytes(), []byte(p), []byte("tiny.jsonl")))
	if !strings.Contains(text.String(), "n too small") {
		t.Error("the p99 of 4 successes is printed as a figure")
	}
	if j, why := s.Judge(); j != Inconclusive {
		t.Errorf("judgement %v (%s), want inconclusive", j, why)
	}
	for _, c := range s.SLO.Checks {
		if (c.Objective == "ttft_p99" || c.Objective == "availability") && c.Status != StatusInconclusive {
			t.Errorf("%s: status %s (%s), want inconclusive", c.Text, c.Status, c.Basis)
		}
	}
}

// TestWilson: the interval of a share, against values worked out by hand.
func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n   int64
		lo, hi float64
	}{
		{210, 210, 0.98204, 1},      // 210 of 210: cannot show 99.9 %
		{0, 10, 0, 0.27753},         // none of 10
		{50, 100, 0.40383, 0.59617}, // a coin
	} {
		lo, hi := wilson(tc.k, tc.n)
		if d := lo - tc.lo; d > 1e-4 || d < -1e-4 {
			t.Errorf("wilson(%d, %d) lo %.5f, want %.5f", tc.k, tc.n, lo, tc.lo)
		}
		if d := hi - tc.hi; d > 1e-4 || d < -1e-4 {
			t.Errorf("wilson(%d, %d) hi %.5f, want %.5f", tc.k, tc.n, hi, tc.hi)
		}
	}
	for _, tc := range []struct {
		p    float64
		want int64
	}{{99, 100}, {99.9, 1000}, {50, 2}, {95, 20}, {100, 1}, {0, 1}} {
		if got := minSamples(tc.p); got != tc.want {
			t.Errorf("minSamples(%v) = %d, want %d", tc.p, got, tc.want)
		}
	}
}
