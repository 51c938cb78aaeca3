package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const windowScenarioHead = `name: w
description: windowed objectives
targets:
  - name: mini
    model: doubao-seed-2.0-mini
mix:
  - name: chat
    weight: 1
    prompt_tokens: 200
    output_tokens: 8
load:
  stages:
    - kind: constant
      rate: 5/s
      duration: 2s
slo:
`

func TestWindowedObjectives(t *testing.T) {
	for _, tc := range []struct {
		slo    string
		window time.Duration // of the first objective
		err    string        // "" when valid
	}{
		// the two forms of the issue
		{"  ttft_p99: {max: 2s, window: 5m}\n", 5 * time.Minute, ""},
		{"  availability: {min: 99.9%, window: 1h}\n", time.Hour, ""},
		// block style, per target
		{"  targets:\n    mini:\n      error_rate:\n        max: 1%\n        window: 30s\n", 30 * time.Second, ""},
		// the plain form has no window
		{"  ttft_p99: 2s\n", 0, ""},
		// the bound must be the objective's own direction
		{"  availability: {max: 99%, window: 1h}\n", 0, "slo.availability.max: availability is bounded by min, not max"},
		{"  ttft_p99: {min: 2s, window: 5m}\n", 0, "slo.ttft_p99.min: ttft_p99 is bounded by max, not min"},
		// both halves are needed
		{"  ttft_p99: {max: 2s}\n", 0, "slo.ttft_p99: want {max: BOUND, window: DURATION}"},
		{"  ttft_p99: {window: 5m}\n", 0, "slo.ttft_p99: want {max: BOUND, window: DURATION}"},
		// the window is a duration of a second or more
		{"  ttft_p99: {max: 2s, window: 100ms}\n", 0, "slo.ttft_p99.window: window 100ms is shorter than 1s"},
		{"  ttft_p99: {max: 2s, window: soon}\n", 0, "slo.ttft_p99.window:"},
		// the bound is checked as in the plain form
		{"  ttft_p99: {max: fast, window: 5m}\n", 0, "slo.ttft_p99"},
		// nothing else
		{"  ttft_p99: {max: 2s, window: 5m, step: 1m}\n", 0, `slo.ttft_p99.step: unknown key "step"`},
	} {
		sc, err := Parse("w.yaml", []byte(windowScenarioHead+tc.slo))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one containing %q", tc.slo, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.slo, err)
			continue
		}
		if len(sc.SLO.Objectives) != 1 || sc.SLO.Objectives[0].Window != tc.window {
			t.Errorf("%q: objectives %+v, want one with window %s", tc.slo, sc.SLO.Objectives, tc.window)
			continue
		}
		// the results header carries the SLO as JSON: the window survives
		b, err := json.Marshal(sc.SLO)
		if err != nil {
			t.Fatal(err)
		}
		var back SLO
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if len(back.Objectives) != 1 || back.Objectives[0].Window != tc.window || back.Objectives[0].Raw != sc.SLO.Objectives[0].Raw {
			t.Errorf("%s: round trip gave %+v", b, back.Objectives)
		}
	}
}
