package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGoldenFormats renders every text format from testdata/seeded.jsonl and
// compares each with its golden file.
func TestGoldenFormats(t *testing.T) {
	in := seededFile(t)
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	step := filepath.Join(dir, "step-summary.md")
	s, err := WriteAll(dir, []string{in}, Options{Pricing: testPrices{}, NoPlots: true, JUnit: junit, StepSummary: step, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if s.SLO.Pass {
		t.Error("the seeded run's SLO passed; its scenario sets objectives pro cannot meet")
	}
	for _, f := range []struct{ file, golden string }{
		{FileSummary, "seeded.summary.json"},
		{FileRequests, "seeded.requests.csv"},
		{FileTargets, "seeded.targets.csv"},
		{FileTimeseries, "seeded.timeseries.csv"},
		{FileText, "seeded.report.txt"},
		{FileMarkdown, "seeded.report.md"},
		{junit, "seeded.junit.xml"},
	} {
		p := f.file
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// The input's path is the test's own; keep goldens independent of it.
		got = bytes.ReplaceAll(got, []byte(in), []byte("seeded.jsonl"))
		golden(t, f.golden, got)
	}
	// report.html around stand-in plots: the page's text is golden, the
	// charts' pixels are checked in Chromium (html_test.go).
	var html bytes.Buffer
	var stand []Plot
	for _, sp := range plotSpecs {
		stand = append(stand, Plot{Name: sp.name, Title: sp.title, Caption: sp.caption, PNG: []byte("png " + sp.name)})
	}
	if err := WriteHTML(&html, s, stand); err != nil {
		t.Fatal(err)
	}
	golden(t, "seeded.report.html", bytes.ReplaceAll(html.Bytes(), []byte(in), []byte("seeded.jsonl")))

	md, _ := os.ReadFile(filepath.Join(dir, FileMarkdown))
	st, _ := os.ReadFile(step)
	if !bytes.Equal(md, st) {
		t.Error("the step summary is not the Markdown report")
	}
}
