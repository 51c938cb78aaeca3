package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/seedbench/seedbench/report/internal/synth"
)

var update = flag.Bool("update", false, "rewrite golden files and the seeded results file in testdata")

// testPrices is the Seed 2.0 price table of the catalog's defaults (CNY per
// 1M tokens), fixed here so cost tests do arithmetic on known numbers.
type testPrices struct{}

var testTable = map[string][3]TierPrice{
	"doubao-seed-2.0-mini": {
		{Tier: "32k", Currency: "CNY", Input: 0.2, Output: 2, CacheRead: 0.04},
		{Tier: "128k", Currency: "CNY", Input: 0.4, Output: 4, CacheRead: 0.04},
		{Tier: "256k", Currency: "CNY", Input: 0.8, Output: 8, CacheRead: 0.04},
	},
	"doubao-seed-2.0-pro": {
		{Tier: "32k", Currency: "CNY", Input: 3.2, Output: 16, CacheRead: 0.64},
		{Tier: "128k", Currency: "CNY", Input: 4.8, Output: 24, CacheRead: 0.64},
		{Tier: "256k", Currency: "CNY", Input: 9.6, Output: 48, CacheRead: 0.64},
	},
}

func (testPrices) Bill(model string, prompt int) (TierPrice, bool) {
	t, ok := testTable[model]
	if !ok {
		return TierPrice{}, false
	}
	switch {
	case prompt <= 32000:
		return t[0], true
	case prompt <= 128000:
		return t[1], true
	}
	return t[2], true
}

// seededConfig is the run behind testdata/seeded.jsonl, the input of every
// golden test: two variants, three tiers, 12% failures of four classes, 2%
// drops, warmup, SLOs in the scenario (one fails).
var seededConfig = synth.Config{
	Seed: 20260102, Scenario: "seeded", Requests: 400, Warmup: 8, Rate: 20, FailureRate: 0.12, DropRate: 0.02, MaxEvents: 24,
	Targets: []synth.Target{
		{Name: "mini", Model: "doubao-seed-2.0-mini"},
		{Name: "pro", Model: "doubao-seed-2.0-pro", TTFTScale: 1.6},
	},
	Resolved: []byte(`{"name":"seeded","slo":{"ttft_p99":"1s","tpot_p95":"50ms","availability":"99%","error_rate":"15%"},"targets":[{"name":"mini","model":"doubao-seed-2.0-mini"},{"name":"pro","model":"doubao-seed-2.0-pro","slo":{"ttft_p99":"400ms"}}]}`),
}

// seededFile returns testdata/seeded.jsonl, regenerating it with -update.
func seededFile(t testing.TB) string {
	t.Helper()
	p := filepath.Join("testdata", "seeded.jsonl")
	if *update {
		var b bytes.Buffer
		if err := synth.Write(&b, seededConfig); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// writeSynth writes a synthetic results file into a temp dir.
func writeSynth(t testing.TB, cfg synth.Config) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "results.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.Write(f, cfg); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update if the change is intended):\n%s", name, diffLines(string(want), string(got)))
	}
}

// diffLines shows the first differing lines.
func diffLines(want, got string) string {
	wl, gl := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	var out bytes.Buffer
	shown := 0
	for i := 0; i < max(len(wl), len(gl)) && shown < 8; i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			out.WriteString("line " + itoa(int64(i+1)) + ":\n  want " + string(w) + "\n  got  " + string(g) + "\n")
			shown++
		}
	}
	return out.String()
}

// renderAll writes s as text, Markdown and HTML (without plots), the three
// formats a finding must appear in, failing t on a write error.
func renderAll(t *testing.T, s *Summary) (text, md, html *bytes.Buffer) {
	t.Helper()
	text, md, html = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	if err := WriteText(text, s); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(md, s); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(html, s, nil); err != nil {
		t.Fatal(err)
	}
	return text, md, html
}
