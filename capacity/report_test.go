package capacity

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// fakeReport searches two fake variants and decides between them.
func fakeReport(t *testing.T) *Report {
	t.Helper()
	var results []Result
	for _, v := range []struct {
		name     string
		capacity float64
		perReq   float64
	}{{"mini", 60, 0.0045}, {"pro", 14, 0.056}} {
		f := &fakeEndpoint{capacity: v.capacity, base: 200, limit: 2000, perReq: v.perReq}
		c := f.config()
		c.Targets = []string{v.name}
		res, err := Search(context.Background(), f, c)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, res...)
	}
	r := &Report{Schema: Schema, Tool: "seedbench test", Scenario: "choose", Mode: ByRate, Tolerance: 0.1,
		Objectives: []string{"ttft_p99 <= 2s"}, Results: results, Currency: "CNY", Warnings: []string{},
		Limits: map[string][]LatencyLimit{"mini": {{"ttft_p99", 2000}}, "pro": {{"ttft_p99", 2000}}}}
	r.Decision = Decide(results, ByRate, 10, 1.5)
	for _, res := range results {
		r.Spent += res.Spent
	}
	return r
}

func TestReportFormats(t *testing.T) {
	r := fakeReport(t)
	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != Schema || len(back.Results) != 2 || back.Decision.Recommended != "mini" || back.Results[0].Capacity != r.Results[0].Capacity {
		t.Fatalf("capacity.json does not round-trip: %+v", back.Decision)
	}
	var txt, md, html bytes.Buffer
	if err := WriteText(&txt, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	figs, err := r.Figures()
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 3 {
		t.Fatalf("%d figures, want latency, achieved and cost", len(figs))
	}
	if err := WriteHTML(&html, r, figs); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": txt.String(), "markdown": md.String(), "html": html.String()} {
		if !strings.Contains(out, "Choose mini") || !strings.Contains(out, "ttft_p99") {
			t.Errorf("%s lacks the decision or the binding objective:\n%s", name, out)
		}
	}
	if n := strings.Count(html.String(), `src="data:image/png;base64,`); n != 3 {
		t.Errorf("html embeds %d images, want 3", n)
	}
	if strings.Contains(html.String(), "http://") || strings.Contains(html.String(), "https://") {
		t.Error("capacity.html fetches something: it must be self-contained")
	}
	if dir := os.Getenv("CAPACITY_PNG_DIR"); dir != "" {
		for _, f := range figs {
			if err := os.WriteFile(dir+"/"+f.Name+".png", f.PNG, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
