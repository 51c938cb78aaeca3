package mockserver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	goopenai "github.com/sashabaranov/go-openai"
)

// TestArkFlavor: the Ark flavour answers under /api/v3 with the versioned
// model id echoed, whatever spelling of the id was sent, and both openai Go
// clients parse its stream; its errors use Ark's envelope.
func TestArkFlavor(t *testing.T) {
	cfg := fastConfig()
	cfg.Flavor = FlavorArk
	cfg.Endpoints = map[string]string{"ep-20260215000000-abcde": "doubao-seed-2.0-mini"}
	_, hs := startServer(t, cfg)

	for _, tc := range []struct{ sent, echoed string }{
		{"doubao-seed-2-0-pro-260215", "doubao-seed-2-0-pro-260215"},
		{"doubao-seed-2.0-pro", "doubao-seed-2-0-pro-260215"},
		{"doubao-seed-2-0-code-preview-260215", "doubao-seed-2-0-code-preview-260215"},
		{"ep-20260215000000-abcde", "doubao-seed-2-0-mini-260215"},
	} {
		// go-openai
		gc := goopenai.NewClientWithConfig(func() goopenai.ClientConfig {
			c := goopenai.DefaultConfig("k")
			c.BaseURL, c.HTTPClient = hs.URL+"/api/v3", hs.Client()
			return c
		}())
		req := goopenai.ChatCompletionRequest{Model: tc.sent, Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "hi"}}}
		//lint:ignore SA1019 max_tokens is deprecated by OpenAI but is the Seed API's answer cap.
		req.MaxTokens = 5
		st, err := gc.CreateChatCompletionStream(context.Background(), req)
		if err != nil {
			t.Fatalf("go-openai %s: %v", tc.sent, err)
		}
		var model, id string
		for {
			r, err := st.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("go-openai %s: %v", tc.sent, err)
			}
			model, id = r.Model, r.ID
		}
		st.Close()
		if model != tc.echoed || len(id) != 53 || !strings.HasPrefix(id, "021") {
			t.Errorf("go-openai %s: model %q id %q, want model %q and a 53-digit Ark id", tc.sent, model, id, tc.echoed)
		}
		// openai-go
		oc := openai.NewClient(option.WithBaseURL(hs.URL+"/api/v3/"), option.WithAPIKey("k"), option.WithHTTPClient(hs.Client()), option.WithMaxRetries(0))
		ost := oc.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
			Model: tc.sent, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		})
		model = ""
		for ost.Next() {
			model = ost.Current().Model
		}
		if err := ost.Err(); err != nil || model != tc.echoed {
			t.Errorf("openai-go %s: model %q err %v, want %q", tc.sent, model, err, tc.echoed)
		}
		ost.Close()
	}

	// Errors: Ark's type names and codes, the request id in the message.
	for _, tc := range []struct {
		path, body   string
		status       int
		typ, code    string
		requestIDHdr bool
	}{
		{"/api/v3/chat/completions", `{"model":"doubao-seed-9","messages":[{"role":"user","content":"hi"}]}`, 404, "NotFound", "InvalidEndpointOrModel.NotFound", true},
		{"/api/v3/chat/completions", `{"model":"doubao-seed-2.0-pro","messages":[{"role":"user","content":"hi"}],"max_tokens":0}`, 400, "BadRequest", "InvalidParameter.max_tokens", true},
		// /v1 is not Ark's.
		{"/v1/chat/completions", `{"model":"doubao-seed-2.0-pro","messages":[{"role":"user","content":"hi"}]}`, 404, "NotFound", "NotFound", true},
	} {
		resp, err := hs.Client().Post(hs.URL+tc.path, "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		var env struct {
			Error struct{ Code, Message, Type string } `json:"error"`
		}
		err = json.NewDecoder(resp.Body).Decode(&env)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.status || env.Error.Type != tc.typ || env.Error.Code != tc.code ||
			!strings.Contains(env.Error.Message, "Request id: ") || resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s: %d %+v (%v), want %d %s %s with a request id", tc.path, tc.body, resp.StatusCode, env.Error, err, tc.status, tc.typ, tc.code)
		}
	}
}

// TestOpenAIFlavorKnowsOnlyItsNames: the OpenAI flavour (EvoLink's) does
// not accept Ark's versioned ids.
func TestOpenAIFlavorKnowsOnlyItsNames(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	resp, err := hs.Client().Post(hs.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"doubao-seed-2-0-pro-260215","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("versioned id on the OpenAI flavour: %d, want 404", resp.StatusCode)
	}
}

func TestCanonicalModel(t *testing.T) {
	for in, want := range map[string]string{
		"doubao-seed-2.0-pro":                 "doubao-seed-2-0-pro",
		"Doubao-Seed-2-0-Pro-260215":          "doubao-seed-2-0-pro",
		"doubao-seed-2-0-code-preview-260215": "doubao-seed-2-0-code",
		"doubao-seed-2.0-code":                "doubao-seed-2-0-code",
		"ep-20260215000000-abcde":             "ep-20260215000000-abcde",
	} {
		if got := canonicalModel(in); got != want {
			t.Errorf("canonicalModel(%q) = %q, want %q", in, got, want)
		}
	}
}
