package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/report/internal/synth"
	"github.com/seedbench/seedbench/runner"
)

// TestQuotaHeadroomSeries: the headroom over time is the least left per
// span of send time, with the throttled requests of each span; a long run
// is merged into at most maxHeadroomPoints spans.
func TestQuotaHeadroomSeries(t *testing.T) {
	var q quotaAcc
	// 30 s at one request a second: the remaining count falls by one a
	// second from 60; from 20 s on every other request is a quota_rpm.
	for s := int64(0); s < 30; s++ {
		r := &runner.Result{SentUS: s * 1e6, RLLimitRequests: 60, RLRemainingRequests: 60 - s, RLLimitTokens: 1000, RLRemainingTokens: 1000 - 10*s}
		if s >= 20 && s%2 == 0 {
			r = &runner.Result{SentUS: s * 1e6, ErrorClass: runner.ClassQuotaRPM}
		}
		q.add(r)
	}
	sum := quotaSummary(&q, map[string]int64{runner.ClassQuotaRPM: 5})
	want := []QuotaPoint{
		{StartS: 0, Seconds: 10, Responses: 10, MinRemainingRequests: 51, MinRemainingTokens: 910},
		{StartS: 10, Seconds: 10, Responses: 10, MinRemainingRequests: 41, MinRemainingTokens: 810},
		{StartS: 20, Seconds: 10, Responses: 5, MinRemainingRequests: 31, MinRemainingTokens: 710, Throttled: 5},
	}
	if len(sum.Headroom) != len(want) {
		t.Fatalf("headroom %+v", sum.Headroom)
	}
	for i, p := range sum.Headroom {
		if p != want[i] {
			t.Errorf("span %d: %+v, want %+v", i, p, want[i])
		}
	}
	// Every format shows the note and the same table.
	p := writeSynth(t, synth.Config{Seed: 7, Scenario: "quota", Requests: 30, Rate: 10,
		Targets: []synth.Target{{Name: "mini", Model: "doubao-seed-2.0-mini"}}})
	s, err := Aggregate([]string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Targets[0].Quota = sum
	text, md, html := renderAll(t, s)
	for name, c := range map[string]struct {
		b     *bytes.Buffer
		lines []string
	}{
		"text":     {text, []string{"quota mini: throttled 5 of 30 issued requests (quota_rpm 5)", "requests left (of 60)", "tokens left (of 1000)", "20s  30s          5                     31                    710          5"}},
		"markdown": {md, []string{"### Quota", "Quota mini: throttled 5 of 30 issued requests (quota_rpm 5)", "| from | to | responses | requests left (of 60) | tokens left (of 1000) | throttled |", "| 20s | 30s | 5 | 31 | 710 | 5 |"}},
		"html":     {html, []string{"<h2>Quota</h2>", "quota mini: throttled 5 of 30 issued requests (quota_rpm 5)", "<th>requests left (of 60)</th>", "<tr><td>20s</td><td>30s</td><td>5</td><td>31</td><td>710</td><td>5</td></tr>"}},
	} {
		for _, line := range c.lines {
			if !strings.Contains(c.b.String(), line) {
				t.Errorf("%s: no %q in\n%s", name, line, c.b.String())
			}
		}
	}

	// An hour: 360 buckets become 12 spans of 5 minutes.
	var long quotaAcc
	for s := int64(0); s < 3600; s += 5 {
		long.add(&runner.Result{SentUS: s * 1e6, RLLimitRequests: 600, RLRemainingRequests: 600 - s/10})
	}
	h := quotaSummary(&long, nil).Headroom
	if len(h) != maxHeadroomPoints || h[0].Seconds != 300 || h[11].StartS != 3300 || h[11].MinRemainingRequests != 600-3595/10 {
		t.Errorf("an hour's headroom: %d spans, %+v … %+v", len(h), h[0], h[len(h)-1])
	}
	// Merging two workers' accumulators is the same as one.
	var a, c quotaAcc
	for s := int64(0); s < 30; s++ {
		r := &runner.Result{SentUS: s * 1e6, RLLimitRequests: 60, RLRemainingRequests: 60 - s}
		if s%2 == 0 {
			a.add(r)
		} else {
			c.add(r)
		}
	}
	a.merge(&c)
	if got := quotaSummary(&a, nil).Headroom; len(got) != 3 || got[2].MinRemainingRequests != 31 || got[0].Responses != 10 {
		t.Errorf("merged headroom %+v", got)
	}
}
