package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"unicode/utf8"
)

// summary is what the runner takes from a chunk, comparable across the
// scanner and the reference decoder.
type summary struct {
	Content, Reasoning, Tools, ToolCalls int
	Finish                               string
	HasFinish                            bool
	HasUsage                             bool
	Usage                                Usage
	HasError                             bool
	ErrMsg                               string
	HasTruth                             bool
	TruthHeaders, TruthTTFT              int64
	TruthEvents                          string
}

func summarize(c *chunk) summary {
	s := summary{Content: c.content, Reasoning: c.reasoning, Tools: c.tools, ToolCalls: c.toolCalls,
		HasFinish: c.finish != nil, Finish: unescape(c.finish), HasUsage: c.hasUsage, Usage: c.usage,
		HasError: c.hasError, ErrMsg: unescape(c.errRaw), HasTruth: c.hasTruth}
	if c.hasTruth {
		s.TruthHeaders, s.TruthTTFT, s.TruthEvents = c.truth.headersUS, c.truth.ttftUS, fmt.Sprint(c.truth.events)
	}
	return s
}

func TestScanChunk(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     summary
		bearing  bool
	}{
		// the role chunk carries no token
		{"role", `{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}`, summary{}, false},
		// a content token; runes, not bytes
		{"content", `{"choices":[{"delta":{"content":"héllo"}}]}`, summary{Content: 5}, true},
		// escapes count once; a surrogate pair is one rune
		{"escapes", `{"choices":[{"delta":{"content":"a\n\"\u00e9\ud83d\ude00"}}]}`, summary{Content: 5}, true},
		// reasoning, under each name a widely used server emits (reasoningFields)
		{"reasoning_content", `{"choices":[{"delta":{"reasoning_content":"think"}}]}`, summary{Reasoning: 5}, true},
		{"reasoning", `{"choices":[{"delta":{"content":"","reasoning":"think"}}]}`, summary{Reasoning: 5}, true},
		{"reasoning_details", `{"choices":[{"delta":{"reasoning_details":[{"type":"reasoning.text","text":"thi"},{"type":"reasoning.summary","summary":"nk"},{"type":"reasoning.encrypted","data":"xxxx"}]}}]}`, summary{Reasoning: 5}, true},
		// the same text under two names (vLLM's compatibility, OpenRouter's pair) counts once
		{"reasoning twice", `{"choices":[{"delta":{"reasoning":"think","reasoning_content":"think","reasoning_details":[{"type":"reasoning.text","text":"think"}]}}]}`, summary{Reasoning: 5}, true},
		// a null or empty reasoning carries no token
		{"reasoning null", `{"choices":[{"delta":{"content":"","reasoning":null,"reasoning_content":""}}]}`, summary{}, false},
		// a tool call with empty arguments still bears a token
		{"tool call", `{"choices":[{"delta":{"content":null,"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"f","arguments":""}}]}}]}`, summary{Tools: 1, ToolCalls: 1}, true},
		// finish
		{"finish", `{"choices":[{"delta":{},"finish_reason":"length"}]}`, summary{Finish: "length", HasFinish: true}, false},
		// usage with details
		{"usage", `{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":2}}}`,
			summary{HasUsage: true, Usage: Usage{PromptTokens: 12, CompletionTokens: 3, CachedTokens: 8, ReasoningTokens: 2}}, false},
		// the mock's ground truth
		{"truth", `{"usage":{"prompt_tokens":1,"completion_tokens":2},"seedbench_truth":{"headers_us":5,"ttft_us":90,"events_us":[90,120]}}`,
			summary{HasUsage: true, Usage: Usage{PromptTokens: 1, CompletionTokens: 2}, HasTruth: true, TruthHeaders: 5, TruthTTFT: 90, TruthEvents: "[90 120]"}, false},
		// an error event, object or string
		{"error", `{"error":{"message":"boom \u0021","type":"server_error"}}`, summary{HasError: true, ErrMsg: "boom !"}, false},
		{"error string", `{"error":"overloaded"}`, summary{HasError: true, ErrMsg: "overloaded"}, false},
		// two choices add up
		{"n=2", `{"choices":[{"delta":{"content":"ab"}},{"delta":{"content":"c"},"finish_reason":"stop"}]}`, summary{Content: 3, Finish: "stop", HasFinish: true}, true},
		// unknown members of every type are skipped
		{"unknown", `{"x":[1,-2.5e3,true,false,null,{"y":"z"}],"choices":[{"delta":{"content":"a","extra":{}}}]}`, summary{Content: 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c chunk
			if err := scanChunk([]byte(tc.in), &c); err != nil {
				t.Fatal(err)
			}
			if got := summarize(&c); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if c.tokenBearing() != tc.bearing {
				t.Errorf("token-bearing %v, want %v", c.tokenBearing(), tc.bearing)
			}
			ref, ok := refChunk([]byte(tc.in))
			if !ok || ref != tc.want {
				t.Errorf("reference disagrees with the table: %+v", ref)
			}
		})
	}
}

func TestScanChunkInvalid(t *testing.T) {
	for _, in := range []string{
		``, `[]`, `"x"`, `{`, `{"choices":[{"index":0,"delta":{"content":`, // the mock's invalid_json fault
		`{"a":1,}`, `{"a" 1}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":tru}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}", `{"a":1} x`, `{"a":"\u12"}`,
	} {
		var c chunk
		if err := scanChunk([]byte(in), &c); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}

// refChunk decodes data with encoding/json into generic values and reads the
// same fields with the same rules (exact keys, last duplicate wins, values of
// another type ignored): the reference for the fuzz test.
func refChunk(data []byte) (summary, bool) {
	if !json.Valid(data) {
		return summary{}, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return summary{}, false
	}
	top, ok := v.(map[string]any)
	if !ok {
		return summary{}, false
	}
	var s summary
	if choices, ok := top["choices"].([]any); ok {
		for _, ch := range choices {
			c, ok := ch.(map[string]any)
			if !ok {
				continue
			}
			if d, ok := c["delta"].(map[string]any); ok {
				s.Content += runes(d["content"])
				s.Reasoning += max(runes(d["reasoning_content"]), runes(d["reasoning"]), refDetails(d["reasoning_details"]))
				if tcs, ok := d["tool_calls"].([]any); ok && len(tcs) > 0 {
					s.ToolCalls++
					for _, tc := range tcs {
						if m, ok := tc.(map[string]any); ok {
							if fn, ok := m["function"].(map[string]any); ok {
								s.Tools += runes(fn["name"]) + runes(fn["arguments"])
							}
						}
					}
				}
			}
			if f, ok := c["finish_reason"].(string); ok {
				s.Finish, s.HasFinish = f, true
			}
		}
	}
	if u, ok := top["usage"].(map[string]any); ok {
		s.HasUsage = true
		s.Usage.PromptTokens = int(refInt(u["prompt_tokens"]))
		s.Usage.CompletionTokens = int(refInt(u["completion_tokens"]))
		if d, ok := u["prompt_tokens_details"].(map[string]any); ok {
			s.Usage.CachedTokens = int(refInt(d["cached_tokens"]))
		}
		if d, ok := u["completion_tokens_details"].(map[string]any); ok {
			s.Usage.ReasoningTokens = int(refInt(d["reasoning_tokens"]))
		}
	}
	if e, present := top["error"]; present && e != nil {
		s.HasError = true
		switch e := e.(type) {
		case string:
			s.ErrMsg = e
		case map[string]any:
			s.ErrMsg, _ = e["message"].(string)
		}
	}
	if tr, ok := top["seedbench_truth"].(map[string]any); ok {
		s.HasTruth = true
		s.TruthHeaders, s.TruthTTFT = refInt(tr["headers_us"]), refInt(tr["ttft_us"])
		var ev []int64
		if arr, ok := tr["events_us"].([]any); ok {
			for _, x := range arr {
				ev = append(ev, refInt(x))
			}
		}
		s.TruthEvents = fmt.Sprint(ev)
	}
	return s, true
}

// refDetails counts OpenRouter's reasoning_details: each element's text and
// summary strings.
func refDetails(v any) int {
	arr, _ := v.([]any)
	n := 0
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			n += runes(m["text"]) + runes(m["summary"])
		}
	}
	return n
}

func runes(v any) int {
	s, _ := v.(string)
	return utf8.RuneCountInString(s)
}

func refInt(v any) int64 {
	n, ok := v.(json.Number)
	if !ok {
		return 0
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return 0
	}
	return i
}

// FuzzScanChunk: on any input the scanner accepts exactly what
// encoding/json accepts (for a top-level object) and extracts the same
// fields as the reference decoder.
func FuzzScanChunk(f *testing.F) {
	for _, s := range []string{
		`{"choices":[{"delta":{"content":"a\u00e9"},"finish_reason":null}],"usage":null}`,
		`{"choices":[{"delta":{"tool_calls":[{"function":{"name":"f","arguments":"{\"x\":1}"}}]}}]}`,
		`{"choices":[{"delta":{"content":""}},{"delta":{"content":"a\"b","tool_calls":[{"id":"c","id":"d","function":{"name":"f","arguments":"{"}},{"id":"e"}]}}]}`,
		`{"usage":{"prompt_tokens":-9223372036854775808,"completion_tokens":1e3},"seedbench_truth":{"events_us":[1,2.5,"x"]}}`,
		`{"error":{"message":"\ud800x"},"choices":[],"choices":[{"delta":{"content":"b"}}]}`,
		`{"choices":[{"index":0,"delta":{"content":`,
		`{"choices":[{"delta":{"reasoning":"ab","reasoning_details":[{"text":"a","text":"bcd"},{"summary":"x"},7]}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c chunk
		err := scanChunk(data, &c)
		want, ok := refChunk(data)
		if !ok {
			if err == nil {
				var v any
				if json.Unmarshal(data, &v) != nil || isObject(v) {
					t.Fatalf("%q: scanner accepted what encoding/json rejects", data)
				}
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: scanner rejected valid JSON: %v", data, err)
		}
		if got := summarize(&c); got != want {
			t.Fatalf("%q:\n got %+v\nwant %+v", data, got, want)
		}
		// What a session keeps: the first content, the first tool call.
		got := [4]string{unescape(c.text), unescape(c.call.id), unescape(c.call.name), unescape(c.call.args)}
		if w := refKept(data); got != w {
			t.Fatalf("%q: kept %q, want %q", data, got, w)
		}
	})
}

// refKept is, by encoding/json, the content of the first choice whose
// delta has any, and the id, name and arguments of the first tool call of
// the first choice with a non-empty tool_calls array.
func refKept(data []byte) (k [4]string) {
	var v struct {
		Choices []struct {
			Delta struct {
				Content   any   `json:"content"`
				ToolCalls []any `json:"tool_calls"`
			} `json:"delta"`
		} `json:"choices"`
	}
	var top map[string]any
	if json.Unmarshal(data, &top) != nil {
		return k
	}
	if _, ok := top["choices"].([]any); !ok || json.Unmarshal(data, &v) != nil {
		return k
	}
	text, call := false, false
	str := func(x any) string { s, _ := x.(string); return s }
	for _, ch := range v.Choices {
		if s := str(ch.Delta.Content); s != "" && !text {
			k[0], text = s, true
		}
		if len(ch.Delta.ToolCalls) > 0 && !call {
			call = true
			if m, ok := ch.Delta.ToolCalls[0].(map[string]any); ok {
				k[1] = str(m["id"])
				if fn, ok := m["function"].(map[string]any); ok {
					k[2], k[3] = str(fn["name"]), str(fn["arguments"])
				}
			}
		}
	}
	return k
}

// repeatReader returns b on every Read, forever.
type repeatReader struct{ b []byte }

func (r *repeatReader) Read(p []byte) (int, error) { return copy(p, r.b), nil }

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

// A token event as the mock and most gateways send it.
var benchEvent = []byte(`{"id":"chatcmpl-0123456789abcdef01234567","object":"chat.completion.chunk","created":1767225600,"model":"doubao-seed-2.0-mini","choices":[{"index":0,"delta":{"content":" latency"},"logprobs":null,"finish_reason":null}],"usage":null}`)

// jsonChunk is what encoding/json would need to decode the same fields.
type jsonChunk struct {
	Choices []struct {
		Delta struct {
			Content          string          `json:"content"`
			ReasoningContent string          `json:"reasoning_content"`
			ToolCalls        json.RawMessage `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// BenchmarkDecodeEvent compares the scanner with encoding/json on one token
// event (run with -benchmem: the scanner must report 0 allocs/op).
func BenchmarkDecodeEvent(b *testing.B) {
	b.Run("scanner", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchEvent)))
		var c chunk
		for b.Loop() {
			if err := scanChunk(benchEvent, &c); err != nil || c.content != 8 {
				b.Fatal(err, c.content)
			}
		}
	})
	// The SSE reader and the scanner together, one event per Read as a
	// streaming server delivers them, LF and CRLF endings.
	for _, end := range []string{"\n\n", "\r\n\r\n"} {
		name := map[string]string{"\n\n": "sse+scanner/lf", "\r\n\r\n": "sse+scanner/crlf"}[end]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			ev := append(append([]byte("data: "), benchEvent...), end...)
			b.SetBytes(int64(len(ev)))
			st := &stampReader{r: &repeatReader{b: ev}}
			sr := newSSEReader(st)
			var c chunk
			for b.Loop() {
				data, _, err := sr.next()
				if err != nil {
					b.Fatal(err)
				}
				if err := scanChunk(data, &c); err != nil || c.content != 8 {
					b.Fatal(err, c.content)
				}
			}
		})
	}
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchEvent)))
		for b.Loop() {
			var c jsonChunk
			if err := json.Unmarshal(benchEvent, &c); err != nil || len(c.Choices[0].Delta.Content) != 8 {
				b.Fatal(err)
			}
		}
	})
}
