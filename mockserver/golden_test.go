package mockserver

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// createdRE matches the one wall-clock field of a response.
var createdRE = regexp.MustCompile(`"created":\d+`)

// TestGolden pins the exact bytes of a stream and a non-stream response
// for a fixed seed and request number (created is zeroed). A change here is
// a change of the wire format or of the seeded choices: look at the diff.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"stream_thinking", `{"model":"doubao-seed-2.0-pro","stream":true,"stream_options":{"include_usage":true},"max_tokens":6,"reasoning_effort":"low","messages":[{"role":"user","content":"Say hi."}]}`},
		{"stream_tokens_per_event", `{"model":"doubao-seed-2.0-mini","stream":true,"max_tokens":7,"ignore_eos":true,"messages":[{"role":"user","content":"Count."}]}`},
		{"nonstream", `{"model":"doubao-seed-2.0-lite","max_tokens":8,"thinking":{"type":"enabled"},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Why?"}]}`},
	}
	cfg := DefaultConfig()
	cfg.TimeScale = 0
	p := cfg.Models["doubao-seed-2.0-mini"]
	p.TokensPerEvent = 3
	cfg.Models["doubao-seed-2.0-mini"] = p
	p = cfg.Models["doubao-seed-2.0-pro"]
	p.ReasoningTokens.Max = 20 // keep the file short
	cfg.Models["doubao-seed-2.0-pro"] = p
	p = cfg.Models["doubao-seed-2.0-lite"]
	p.ReasoningTokens.Max = 20
	cfg.Models["doubao-seed-2.0-lite"] = p
	s := New(cfg)
	defer s.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(tt.body))
			r.Header.Set("X-Seedbench-Seq", "42")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			got := createdRE.ReplaceAll(w.Body.Bytes(), []byte(`"created":0`))
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from the golden file (go test -run TestGolden -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}
