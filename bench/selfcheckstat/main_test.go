package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/selfcheck"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []float64
		want float64
	}{
		// Odd count: the middle value, whatever the order.
		{"odd", []float64{9, 1, 5}, 5},
		// Even count: mean of the two middle values.
		{"even", []float64{4, 1, 3, 2}, 2.5},
		// One run.
		{"one", []float64{7}, 7},
		// An outlier does not move it.
		{"outlier", []float64{100, 101, 99, 100000, 102}, 101},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := median(tc.in); got != tc.want {
				t.Fatalf("median = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCell(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want string
	}{
		{nil, "-"},                      // closed-loop step: no lag
		{[]float64{3}, "3"},             // one run: no range
		{[]float64{5, 1, 3}, "3 (1–5)"}, // median and range
		{[]float64{0.5, 0.25, 0.75}, "0.50 (0.25–0.75)"}, // fractional figures keep two decimals
		{[]float64{2, 2}, "2"},                           // no spread: no range
	} {
		if got := cell(tc.in); got != tc.want {
			t.Errorf("cell(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRunTable(t *testing.T) {
	dir := t.TempDir()
	step := func(ttftP99 int64, lag bool) selfcheck.Step {
		s := selfcheck.Step{StepPlan: selfcheck.StepPlan{Kind: selfcheck.KindStreams, Streams: 100}, RPS: 85,
			TTFTErr: &selfcheck.Dist{P50: 80, P99: ttftP99}, Within: ttftP99 <= 1000}
		if lag {
			s.StepPlan = selfcheck.StepPlan{Kind: selfcheck.KindRate, Rate: 85}
			s.Lag = &selfcheck.Dist{P99: 1200}
		}
		return s
	}
	var paths []string
	for i, p99 := range []int64{400, 900, 3000} {
		rep := selfcheck.Report{Steps: []selfcheck.Step{step(p99, false), step(p99/2, true)}}
		b, _ := json.Marshal(rep)
		p := filepath.Join(dir, "sc"+string(rune('1'+i))+".json")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var out bytes.Buffer
	if err := run(paths, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"3 runs",
		"| streams 100 | 2/3 | 85 | 80 | 900 (400–3000) |", // median TTFT p99 of 400, 900, 3000
		"| rate 85/s | 2/3 | 85 | 80 | 450 (200–1500) |",   // 1500 is outside,
		"| 1200 |", // the lag column of the rate step
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

func TestRunRejects(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte("not json"), 0o644)
	a, _ := json.Marshal(selfcheck.Report{Steps: []selfcheck.Step{{StepPlan: selfcheck.StepPlan{Kind: "streams", Streams: 1}}}})
	b, _ := json.Marshal(selfcheck.Report{Steps: []selfcheck.Step{{StepPlan: selfcheck.StepPlan{Kind: "streams", Streams: 2}}}})
	pa, pb := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	_ = os.WriteFile(pa, a, 0o644)
	_ = os.WriteFile(pb, b, 0o644)
	for _, tc := range []struct {
		name  string
		paths []string
		want  string
	}{
		{"no args", nil, "usage"},
		{"not json", []string{bad}, "not a selfcheck JSON report"},
		{"different steps", []string{pa, pb}, "ran different steps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(tc.paths, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
