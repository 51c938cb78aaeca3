package report

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzAggregate runs the whole reading path `seedbench report` takes (file
// cutting, the fast record decoder, aggregation, the summary and its
// renderings) over any file content. It must never panic or hang; a
// failure names the file; an accepted file renders as JSON, text and
// Markdown (so summary.json never fails on a NaN from odd records).
//
//	go test -run '^$' -fuzz '^FuzzAggregate$' -fuzztime 5m ./report/
func FuzzAggregate(f *testing.F) {
	seeded, err := os.ReadFile(filepath.Join("testdata", "seeded.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	lines := bytes.SplitAfter(seeded, []byte{'\n'})
	head := bytes.Join(lines[:min(len(lines), 12)], nil)
	f.Add(head)                                              // header and a few results, cut without a footer
	f.Add(head[:len(head)-40])                               // cut mid-line
	f.Add(append(bytes.Clone(head), lines[len(lines)-2]...)) // with the footer
	f.Add(append(bytes.Clone(lines[0]), `{"type":"result","k":1,"status":"ok","e2e_us":-5,"ttft_us":9223372036854775807,"events_us":[3,2,1],"usage":{"prompt_tokens":-1,"completion_tokens":0}}`+"\n"...))
	f.Add(append(bytes.Clone(lines[0]), `{"type":"result","status":"error","error_class":"","stage":-1,"warmup":false}`+"\n"+`{"type":"footer","issued":-3}`+"\n"...))
	f.Add(append(bytes.Clone(lines[0]), lines[0]...)) // concatenated shard files
	f.Add([]byte(`{"type":"header","resolved_scenario":{"slo":{"ttft_p99":"0s"}}}` + "\n"))
	f.Add([]byte("{\"type\":\"header\"}\n\n\n{\"type\":\"result\",\"k\":0,\"status\":\"dropped\"}"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		p := filepath.Join(dir, "fuzz.jsonl")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Aggregate([]string{p}, Options{Workers: 2})
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.jsonl") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := WriteJSON(io.Discard, s); err != nil {
			t.Fatalf("summary.json of an accepted file: %v", err)
		}
		if err := WriteText(io.Discard, s); err != nil {
			t.Fatalf("text: %v", err)
		}
		if err := WriteMarkdown(io.Discard, s); err != nil {
			t.Fatalf("markdown: %v", err)
		}
	})
}
