package mockserver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	goopenai "github.com/sashabaranov/go-openai"
)

// TestGoOpenAIToolCallStream: go-openai reassembles the mock's streamed
// function call (id and name first, then argument fragments) into a call
// whose arguments are valid JSON, with finish_reason tool_calls.
func TestGoOpenAIToolCallStream(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	c := goOpenAIClient(hs, hs.URL, "k")
	req := goopenai.ChatCompletionRequest{
		Model:         "doubao-seed-2.0-mini",
		Messages:      []goopenai.ChatCompletionMessage{{Role: "user", Content: "what is the weather in Beijing?"}},
		Stream:        true,
		StreamOptions: &goopenai.StreamOptions{IncludeUsage: true},
		Tools: []goopenai.Tool{{Type: goopenai.ToolTypeFunction, Function: &goopenai.FunctionDefinition{
			Name: "get_weather", Parameters: json.RawMessage(`{"type":"object","properties":{"input":{"type":"string"}}}`)}}},
		ToolChoice: "required",
	}
	st, err := c.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var id, name string
	var args strings.Builder
	var finish goopenai.FinishReason
	var usage *goopenai.Usage
	events := 0
	for {
		resp, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if resp.Usage != nil {
			usage = resp.Usage
		}
		for _, ch := range resp.Choices {
			if ch.Delta.Content != "" {
				t.Errorf("content %q beside a tool call", ch.Delta.Content)
			}
			for _, tc := range ch.Delta.ToolCalls {
				events++
				if tc.ID != "" {
					id = tc.ID
				}
				if tc.Function.Name != "" {
					name = tc.Function.Name
				}
				args.WriteString(tc.Function.Arguments)
			}
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	if !strings.HasPrefix(id, "call_") || name != "get_weather" || finish != goopenai.FinishReasonToolCalls {
		t.Fatalf("id %q name %q finish %q", id, name, finish)
	}
	var parsed struct {
		Input string `json:"input"`
	}
	if err := json.Unmarshal([]byte(args.String()), &parsed); err != nil || parsed.Input == "" {
		t.Fatalf("arguments %q: %v", args.String(), err)
	}
	if usage == nil || usage.CompletionTokens != countTokens(parsed.Input) {
		t.Errorf("usage %+v for %d argument tokens", usage, countTokens(parsed.Input))
	}
	if events < 2 {
		t.Errorf("%d tool-call events: want the arguments streamed in pieces", events)
	}
}

// TestOfficialClientToolCallStream: openai-go's accumulator turns the
// stream into a finished tool call, and the non-streaming answer carries
// the same shape with content null.
func TestOfficialClientToolCallStream(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	c := officialClient(hs.URL, hs.Client(), "k")
	params := openai.ChatCompletionNewParams{
		Model:    "doubao-seed-2.0-lite",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("look this up")},
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
			Name: "search", Parameters: openai.FunctionParameters{"type": "object"}})},
		ToolChoice:      openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: param.NewOpt("required")},
		ReasoningEffort: "minimal",
	}
	st := c.Chat.Completions.NewStreaming(context.Background(), params)
	acc := openai.ChatCompletionAccumulator{}
	for st.Next() {
		acc.AddChunk(st.Current())
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if len(acc.Choices) != 1 || acc.Choices[0].FinishReason != "tool_calls" || len(acc.Choices[0].Message.ToolCalls) != 1 {
		t.Fatalf("accumulated %+v", acc.Choices)
	}
	call := acc.Choices[0].Message.ToolCalls[0]
	if call.Function.Name != "search" || !json.Valid([]byte(call.Function.Arguments)) {
		t.Fatalf("call %+v", call)
	}

	resp, err := c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	m := resp.Choices[0].Message
	if resp.Choices[0].FinishReason != "tool_calls" || len(m.ToolCalls) != 1 || m.Content != "" || m.ToolCalls[0].Function.Name != "search" {
		t.Fatalf("non-streaming %+v", resp.Choices[0])
	}
}

// TestToolCallDecisions: who gets a call, and what is refused.
func TestToolCallDecisions(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	tools := `"tools":[{"type":"function","function":{"name":"f"}}]`
	user := `"messages":[{"role":"user","content":"hi"}]`
	afterTool := `"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null},{"role":"tool","content":"72F"}]`
	for _, tc := range []struct {
		name   string
		body   string
		status int
		want   string // finish_reason, or a fragment of the error
	}{
		// tool_choice "required" always calls.
		{"required", `{"model":"doubao-seed-2.0-mini",` + user + `,` + tools + `,"tool_choice":"required"}`, 200, "tool_calls"},
		// A named function is forced too.
		{"named", `{"model":"doubao-seed-2.0-mini",` + user + `,` + tools + `,"tool_choice":{"type":"function","function":{"name":"f"}}}`, 200, "tool_calls"},
		// "none" never calls.
		{"none", `{"model":"doubao-seed-2.0-mini",` + user + `,` + tools + `,"tool_choice":"none"}`, 200, "stop"},
		// After a tool result the model answers in text.
		{"after tool result", `{"model":"doubao-seed-2.0-mini",` + afterTool + `,` + tools + `,"tool_choice":"required"}`, 200, "stop"},
		// Without tools nothing changes.
		{"no tools", `{"model":"doubao-seed-2.0-mini",` + user + `}`, 200, "stop"},
		{"bad type", `{"model":"doubao-seed-2.0-mini",` + user + `,"tools":[{"type":"retrieval"}]}`, 400, "tools[0].type"},
		{"no name", `{"model":"doubao-seed-2.0-mini",` + user + `,"tools":[{"type":"function","function":{}}]}`, 400, "tools[0].function.name"},
		{"bad name", `{"model":"doubao-seed-2.0-mini",` + user + `,"tools":[{"type":"function","function":{"name":"a b\""}}]}`, 400, "tools[0].function.name"},
		{"unknown forced", `{"model":"doubao-seed-2.0-mini",` + user + `,` + tools + `,"tool_choice":{"type":"function","function":{"name":"g"}}}`, 400, "not in tools"},
		{"bad choice", `{"model":"doubao-seed-2.0-mini",` + user + `,` + tools + `,"tool_choice":"always"}`, 400, "tool_choice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := post(t, hs, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if tc.status != 200 {
				if !strings.Contains(body, tc.want) {
					t.Fatalf("error %s does not mention %q", body, tc.want)
				}
				return
			}
			var resp struct {
				Choices []struct {
					FinishReason string `json:"finish_reason"`
				} `json:"choices"`
			}
			if err := json.Unmarshal([]byte(body), &resp); err != nil || len(resp.Choices) != 1 {
				t.Fatalf("%s: %v", body, err)
			}
			if resp.Choices[0].FinishReason != tc.want && !(tc.want == "stop" && resp.Choices[0].FinishReason == "length") {
				t.Fatalf("finish %q, want %q", resp.Choices[0].FinishReason, tc.want)
			}
		})
	}
}

// TestToolCallRate: with tool_choice auto, about ToolCallRate of the
// requests that offer tools are answered by a call.
func TestToolCallRate(t *testing.T) {
	cfg := fastConfig()
	cfg.TimeScale = 0
	p := cfg.Models["doubao-seed-2.0-mini"]
	p.ToolCallRate = 0.3
	cfg.Models["doubao-seed-2.0-mini"] = p
	_, hs := startServer(t, cfg)
	calls := 0
	const n = 400
	for range n {
		_, _, body := post(t, hs, `{"model":"doubao-seed-2.0-mini","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]}`)
		if strings.Contains(body, `"finish_reason":"tool_calls"`) {
			calls++
		}
	}
	// Binomial(400, 0.3): mean 120, sd 9.2; ±5 sd.
	if calls < 74 || calls > 166 {
		t.Fatalf("%d of %d requests called the tool, want about %d", calls, n, int(0.3*n))
	}
}
