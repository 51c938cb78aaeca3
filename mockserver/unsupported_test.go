package mockserver

import (
	"strings"
	"testing"
)

// TestSupportedFieldsAccepted: the refusals are only for what the mock
// cannot honour; n: 1, text output and sampling knobs are answered.
func TestSupportedFieldsAccepted(t *testing.T) {
	cfg := fastConfig()
	cfg.TimeScale = 0
	_, hs := startServer(t, cfg)
	for _, extra := range []string{
		`"n":1`, `"n":null`, `"logprobs":false`, `"top_logprobs":0`, `"response_format":{"type":"text"}`,
		`"modalities":["text"]`, `"audio":null`, `"temperature":0.7,"top_p":0.9,"seed":3,"stop":["\n"],"presence_penalty":0.1,"user":"u"`,
	} {
		body := `{"model":"doubao-seed-2.0-mini",` + extra + `,"max_tokens":3,"messages":[{"role":"user","content":"x"}]}`
		if code, _, b := post(t, hs, body); code != 200 {
			t.Errorf("%s: %d %.200s", extra, code, b)
		}
	}
}

// TestLoadConfigHostile: a config file is held to the same bounds as a
// scenario file, each refusal at its line and column.
func TestLoadConfigHostile(t *testing.T) {
	laughs := "models:\n  doubao-seed-2.0-mini:\n    x0: &x0 [a, a, a, a, a, a, a, a, a]\n"
	for i := 1; i < 9; i++ {
		laughs += "    x" + string(rune('0'+i)) + ": &x" + string(rune('0'+i)) + " [" + strings.TrimSuffix(strings.Repeat("*x"+string(rune('0'+i-1))+", ", 9), ", ") + "]\n"
	}
	for _, tt := range []struct{ name, src, want string }{
		{"laughs", laughs, "mock.yaml:7:34: more than 50000 YAML nodes once aliases are expanded"},
		{"brackets", "seed: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000), "mock.yaml:1:70: nested more than 64 levels"},
		{"size", "seed: 1\n#" + strings.Repeat("x", 1<<20), "mock.yaml:2:1048569: the file is 1048585 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig("mock.yaml", []byte(tt.src))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q…", err, tt.want)
			}
		})
	}
}
