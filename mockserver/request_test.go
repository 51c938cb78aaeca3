package mockserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeRequestErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		param  string
	}{
		// A syntax error says where.
		{"not json", `{"model":`, 400, "invalid_value", ""},
		{"empty body", ``, 400, "invalid_value", ""},
		{"trailing data", `{"model":"m","messages":[{"role":"user","content":"x"}]} {}`, 400, "invalid_value", ""},
		// Missing fields are named.
		{"no model", `{"messages":[{"role":"user","content":"x"}]}`, 400, "missing_required_parameter", "model"},
		{"no messages", `{"model":"m"}`, 400, "missing_required_parameter", "messages"},
		{"empty messages", `{"model":"m","messages":[]}`, 400, "missing_required_parameter", "messages"},
		{"no role", `{"model":"m","messages":[{"content":"x"}]}`, 400, "missing_required_parameter", "messages[0].role"},
		// Wrong types name the field.
		{"stream not bool", `{"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_value", "stream"},
		{"content number", `{"model":"m","messages":[{"role":"user","content":7}]}`, 400, "invalid_value", ""},
		// Bad values.
		{"bad role", `{"model":"m","messages":[{"role":"robot","content":"x"}]}`, 400, "invalid_value", "messages[0].role"},
		{"max_tokens 0", `{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}`, 400, "invalid_value", "max_tokens"},
		{"bad thinking", `{"model":"m","thinking":{"type":"maybe"},"messages":[{"role":"user","content":"x"}]}`, 400, "invalid_value", "thinking.type"},
		{"bad effort", `{"model":"m","reasoning_effort":"max","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_value", "reasoning_effort"},
		{"stream_options without stream", `{"model":"m","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}`, 400, "invalid_value", "stream_options"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(tt.body))
			_, err := decodeRequest(httptest.NewRecorder(), r, 1<<20)
			if err == nil {
				t.Fatal("accepted")
			}
			if err.status != tt.status || err.code != tt.code || err.param != tt.param {
				t.Errorf("got %d %s param %q (%s), want %d %s param %q", err.status, err.code, err.param, err.message, tt.status, tt.code, tt.param)
			}
		})
	}
}

func TestDecodeRequestContentParts(t *testing.T) {
	body := `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hello"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":" world"}]}]}`
	q, err := decodeRequest(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if c := q.Messages[0].Content; c.text != "hello world" || c.otherParts != 1 {
		t.Errorf("content %+v", c)
	}
}

// FuzzDecodeRequest: any body either decodes into a request that passes
// check, or yields an error response with a 4xx status; never a panic.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	f.Add(`{"model":"m","stream":true,"stream_options":{"include_usage":true},"max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],"thinking":{"type":"enabled"}}`)
	f.Add(`{"model":1}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		q, err := decodeRequest(httptest.NewRecorder(), r, 4096)
		if err != nil {
			if err.status < 400 || err.status > 499 || err.code == "" {
				t.Fatalf("bad error %+v", err)
			}
			_ = err.appendJSON(nil)
			return
		}
		if q.Model == "" || len(q.Messages) == 0 {
			t.Fatalf("accepted an incomplete request: %+v", q)
		}
		p := DefaultProfiles()["doubao-seed-2.0-pro"]
		_ = measurePrompt(q, &p)
	})
}
