package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/report/internal/synth"
)

// TestGoldenZeroCompletion: successes that finished with a reason but no
// completion token stay in ok and are counted apart in summary.json, the
// text, the Markdown and the HTML report.
func TestGoldenZeroCompletion(t *testing.T) {
	p := writeSynth(t, synth.Config{Seed: 7, Scenario: "zero", Requests: 40, Rate: 10, ZeroCompletion: 3,
		Targets: []synth.Target{{Name: "mini", Model: "doubao-seed-2.0-mini"}}})
	s, err := Aggregate([]string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := s.Targets[0].All
	if g.ZeroCompletion != 3 || g.OK != 40 {
		t.Fatalf("zero completion %d of %d ok, want 3 of 40", g.ZeroCompletion, g.OK)
	}
	if n := s.Targets[0].All.Latency["ttft"].Count; n != 37 {
		t.Errorf("TTFT counted over %d requests, want the 37 that produced a token", n)
	}
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js, []byte(`"ok":40,"zero_completion":3`)) {
		t.Error("summary.json does not count the zero-completion successes")
	}
	text, md, html := renderAll(t, s)
	const want = "mini: 3 of 40 successful requests finished with no completion token"
	for name, b := range map[string]*bytes.Buffer{"text": text, "markdown": md, "html": html} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the %s report does not count them apart", name)
		}
	}
	golden(t, "zero.report.txt", bytes.ReplaceAll(text.Bytes(), []byte(p), []byte("zero.jsonl")))
	golden(t, "zero.report.md", bytes.ReplaceAll(md.Bytes(), []byte(p), []byte("zero.jsonl")))
	golden(t, "zero.report.html", bytes.ReplaceAll(html.Bytes(), []byte(p), []byte("zero.jsonl")))
}
