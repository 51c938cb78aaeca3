package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/seedbench/seedbench/mockserver"
)

// A mock on a loopback port, answering a non-streaming request without
// waiting (TimeScale 0).
func ExampleNew() {
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = 0
	ms := mockserver.New(cfg)
	defer ms.Close()
	hs := httptest.NewServer(ms)
	defer hs.Close()

	body := `{"model":"doubao-seed-2.0-mini","max_tokens":12,"ignore_eos":true,
		"messages":[{"role":"user","content":"Hello, Seed!"}]}`
	resp, err := http.Post(hs.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var out struct {
		Choices []struct {
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	fmt.Println(resp.StatusCode, out.Choices[0].FinishReason, out.Usage.PromptTokens, out.Usage.CompletionTokens)
	// Output: 200 length 11 12
}

// A config file overrides only what it names; a new model starts from a
// built-in one.
func ExampleLoadConfig() {
	cfg, err := mockserver.LoadConfig("mock.yaml", []byte(`
time_scale: 0.1
models:
  doubao-seed-2.0-pro:
    itl: 50ms
  pro-slow-gateway:
    base: doubao-seed-2.0-pro
    ttft_base: 2s
    faults: {http_503: 0.01}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.TimeScale, cfg.Models["doubao-seed-2.0-pro"].ITL, cfg.Models["pro-slow-gateway"].TTFTBase, len(cfg.Models))

	_, err = mockserver.LoadConfig("mock.yaml", []byte("models:\n  doubao-seed-2.0-pro:\n    itl: fast\n"))
	fmt.Println(err)
	// Output:
	// 0.1 50ms 2s 5
	// mock.yaml:3:10: models.doubao-seed-2.0-pro.itl: "fast" is not a duration (try "250ms" or "2s")
}
