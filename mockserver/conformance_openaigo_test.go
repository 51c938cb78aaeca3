package mockserver

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/param"
	goopenai "github.com/sashabaranov/go-openai"
)

func officialClient(hsURL string, hc *http.Client, key string) openai.Client {
	return openai.NewClient(
		option.WithBaseURL(hsURL+"/v1/"),
		option.WithAPIKey(key),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(0), // see every error as it is
	)
}

// TestOfficialClientStream consumes a thinking stream with openai-go:
// reasoning (an extra field to this client), content, usage with cached
// tokens on a repeated prompt.
func TestOfficialClientStream(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	c := officialClient(hs.URL, hs.Client(), "k")
	long := strings.Repeat("Pack my box with five dozen liquor jugs. ", 200) // over the cache's 1,024-token minimum
	params := openai.ChatCompletionNewParams{
		Model: "doubao-seed-2.0-code",
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage(long),
			openai.UserMessage("write a loop"),
		},
		MaxTokens:     param.NewOpt[int64](25),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: param.NewOpt(true)},
	}
	for round := range 2 {
		st := c.Chat.Completions.NewStreaming(context.Background(), params)
		acc := openai.ChatCompletionAccumulator{}
		var reasoning strings.Builder
		for st.Next() {
			chunk := st.Current()
			acc.AddChunk(chunk)
			for _, ch := range chunk.Choices {
				if f, ok := ch.Delta.JSON.ExtraFields["reasoning_content"]; ok {
					s, err := strconv.Unquote(f.Raw())
					if err != nil {
						t.Fatalf("reasoning_content %q: %v", f.Raw(), err)
					}
					reasoning.WriteString(s)
				}
			}
		}
		if err := st.Err(); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if len(acc.Choices) != 1 || acc.Choices[0].FinishReason != "length" || countTokens(acc.Choices[0].Message.Content) != 25 {
			t.Fatalf("round %d: %+v", round, acc.Choices)
		}
		u := acc.Usage
		if reasoning.Len() == 0 || u.CompletionTokensDetails.ReasoningTokens != int64(countTokens(reasoning.String())) {
			t.Errorf("reasoning %d tokens, usage %d", countTokens(reasoning.String()), u.CompletionTokensDetails.ReasoningTokens)
		}
		if u.CompletionTokens != 25+u.CompletionTokensDetails.ReasoningTokens || u.TotalTokens != u.PromptTokens+u.CompletionTokens {
			t.Errorf("usage %+v", u)
		}
		cached := u.PromptTokensDetails.CachedTokens
		if (round == 0 && cached != 0) || (round == 1 && (cached == 0 || cached%64 != 0)) {
			t.Errorf("round %d: cached %d of %d", round, cached, u.PromptTokens)
		}
	}
}

// TestClientsTypedErrors: both clients turn the mock's 429, 400 and 401
// into their typed errors with status and code.
func TestClientsTypedErrors(t *testing.T) {
	cfg := fastConfig()
	cfg.TimeScale = 0
	cfg.APIKey = "sk-right"
	p := cfg.Models["doubao-seed-2.0-mini"]
	p.RPM = 1
	cfg.Models["doubao-seed-2.0-mini"] = p
	_, hs := startServer(t, cfg)
	tests := []struct {
		name   string
		key    string
		model  string
		max    int
		status int
		code   string
	}{
		{"401", "sk-wrong", "doubao-seed-2.0-pro", 5, 401, "invalid_api_key"},
		{"400", "sk-right", "doubao-seed-2.0-pro", 999_999, 400, "invalid_value"},
		{"404", "sk-right", "no-such-model", 5, 404, "model_not_found"},
		// RPM 1: each client's first request passes... the first row here
		// uses it up, the second gets 429.
		{"ok", "sk-right", "doubao-seed-2.0-mini", 5, 200, ""},
		{"429", "sk-right", "doubao-seed-2.0-mini", 5, 429, "RateLimitExceeded.EndpointRPMExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// openai-go
			oc := officialClient(hs.URL, hs.Client(), tt.key)
			st := oc.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
				Model:     tt.model,
				Messages:  []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
				MaxTokens: param.NewOpt(int64(tt.max)),
			})
			for st.Next() {
			}
			err := st.Err()
			st.Close()
			var oe *openai.Error
			switch {
			case tt.status == 200:
				if err != nil {
					t.Fatalf("openai-go: %v", err)
				}
			case !errors.As(err, &oe):
				t.Errorf("openai-go: %T %v, want *openai.Error", err, err)
			case oe.StatusCode != tt.status || oe.Code != tt.code:
				t.Errorf("openai-go: %d %q, want %d %q", oe.StatusCode, oe.Code, tt.status, tt.code)
			}
			if tt.status == 200 {
				return // the 429 row below is for both clients
			}
			// go-openai
			gc := goOpenAIClient(hs, hs.URL, tt.key)
			_, err = gc.CreateChatCompletionStream(context.Background(), goopenai.ChatCompletionRequest{
				Model:               tt.model,
				Messages:            []goopenai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
				MaxCompletionTokens: tt.max,
			})
			var ge *goopenai.APIError
			switch {
			case !errors.As(err, &ge):
				t.Errorf("go-openai: %T %v, want *APIError", err, err)
			case ge.HTTPStatusCode != tt.status || ge.Code != tt.code:
				t.Errorf("go-openai: %d %v, want %d %q", ge.HTTPStatusCode, ge.Code, tt.status, tt.code)
			}
		})
	}
}
