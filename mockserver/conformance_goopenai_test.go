package mockserver

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
)

func goOpenAIClient(hs interface{ Client() *http.Client }, url, key string) *goopenai.Client {
	cfg := goopenai.DefaultConfig(key)
	cfg.BaseURL = url + "/v1"
	cfg.HTTPClient = hs.Client()
	return goopenai.NewClientWithConfig(cfg)
}

// TestGoOpenAIStream consumes a thinking stream with go-openai: reasoning,
// content, finish reason, and usage with cached tokens on a repeated prompt.
func TestGoOpenAIStream(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	c := goOpenAIClient(hs, hs.URL, "k")
	long := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 150) // over the cache's 1,024-token minimum
	req := goopenai.ChatCompletionRequest{
		Model:         "doubao-seed-2.0-pro",
		Messages:      []goopenai.ChatCompletionMessage{{Role: "system", Content: long}, {Role: "user", Content: "hi"}},
		Stream:        true,
		StreamOptions: &goopenai.StreamOptions{IncludeUsage: true},
	}
	//lint:ignore SA1019 max_tokens is deprecated by OpenAI but is the Seed API's answer cap.
	req.MaxTokens = 30
	var usage *goopenai.Usage
	for round := range 2 {
		st, err := c.CreateChatCompletionStream(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var reasoning, content strings.Builder
		finish := goopenai.FinishReason("")
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
				reasoning.WriteString(ch.Delta.ReasoningContent)
				content.WriteString(ch.Delta.Content)
				if ch.FinishReason != "" {
					finish = ch.FinishReason
				}
			}
		}
		st.Close()
		if reasoning.Len() == 0 || content.Len() == 0 {
			t.Fatalf("round %d: reasoning %d bytes, content %d bytes", round, reasoning.Len(), content.Len())
		}
		if finish != goopenai.FinishReasonLength {
			t.Errorf("finish %q", finish)
		}
		if usage == nil || usage.CompletionTokens != 30+usage.CompletionTokensDetails.ReasoningTokens {
			t.Fatalf("usage %+v", usage)
		}
		cached := usage.PromptTokensDetails.CachedTokens
		if round == 0 && cached != 0 {
			t.Errorf("first request reports %d cached tokens", cached)
		}
		if round == 1 && (cached == 0 || cached%64 != 0 || cached > usage.PromptTokens) {
			t.Errorf("repeat request: cached %d of %d prompt tokens, want a positive multiple of 64", cached, usage.PromptTokens)
		}
	}
}
