package mockserver

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestStreamWireFormat checks the exact event sequence of a stream: role
// chunk, reasoning deltas, content deltas, finish chunk with an empty delta,
// usage chunk with no choices, [DONE].
func TestStreamWireFormat(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	code, hdr, body := post(t, hs, `{"model":"doubao-seed-2.0-pro","stream":true,"stream_options":{"include_usage":true},
		"max_tokens":20,"messages":[{"role":"user","content":"hello there"}]}`)
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.HasSuffix(body, "data: [DONE]\n\n") {
		t.Fatalf("body does not end with [DONE]: %q", body[max(0, len(body)-80):])
	}
	events := strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n")
	type chunk struct {
		Object  string `json:"object"`
		Choices []struct {
			Delta        map[string]any `json:"delta"`
			FinishReason *string        `json:"finish_reason"`
		} `json:"choices"`
		Usage *struct {
			PromptTokens        int `json:"prompt_tokens"`
			CompletionTokens    int `json:"completion_tokens"`
			CompletionTokensDet struct {
				ReasoningTokens int `json:"reasoning_tokens"`
			} `json:"completion_tokens_details"`
		} `json:"usage"`
	}
	var chunks []chunk
	for _, e := range events[:len(events)-1] {
		data, ok := strings.CutPrefix(e, "data: ")
		if !ok {
			t.Fatalf("event without data prefix: %q", e)
		}
		var c chunk
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			t.Fatalf("bad chunk %q: %v", data, err)
		}
		if c.Object != "chat.completion.chunk" {
			t.Errorf("object %q", c.Object)
		}
		chunks = append(chunks, c)
	}
	if r := chunks[0].Choices[0].Delta["role"]; r != "assistant" {
		t.Errorf("first chunk delta %v, want role assistant", chunks[0].Choices[0].Delta)
	}
	last := chunks[len(chunks)-1]
	if len(last.Choices) != 0 || last.Usage == nil {
		t.Fatalf("last chunk should have choices [] and usage: %+v", last)
	}
	fin := chunks[len(chunks)-2]
	if len(fin.Choices[0].Delta) != 0 || fin.Choices[0].FinishReason == nil || *fin.Choices[0].FinishReason != "length" {
		t.Errorf("finish chunk %+v, want empty delta and finish_reason length", fin.Choices[0])
	}
	reasoning, content := 0, 0
	seenContent := false
	for _, c := range chunks[1 : len(chunks)-2] {
		if c.Usage != nil {
			t.Errorf("usage on a token chunk")
		}
		d := c.Choices[0].Delta
		if _, ok := d["reasoning_content"]; ok {
			if seenContent {
				t.Errorf("reasoning after content")
			}
			reasoning++
		}
		if _, ok := d["content"]; ok {
			seenContent = true
			content++
		}
	}
	if content != 20 {
		t.Errorf("content events %d, want 20 (max_tokens)", content)
	}
	if reasoning == 0 || reasoning != last.Usage.CompletionTokensDet.ReasoningTokens {
		t.Errorf("reasoning events %d, usage says %d", reasoning, last.Usage.CompletionTokensDet.ReasoningTokens)
	}
	if last.Usage.CompletionTokens != reasoning+content {
		t.Errorf("completion_tokens %d, want %d", last.Usage.CompletionTokens, reasoning+content)
	}
}

// TestModelsAndHealth checks the two GET endpoints.
func TestModelsAndHealth(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	resp, err := hs.Client().Get(hs.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Data []struct{ ID string } `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ids []string
	for _, d := range list.Data {
		ids = append(ids, d.ID)
	}
	want := "doubao-seed-2.0-code doubao-seed-2.0-lite doubao-seed-2.0-mini doubao-seed-2.0-pro"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("models %q, want %q", got, want)
	}
	resp, err = hs.Client().Get(hs.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
}
