package scenarios

import (
	"strings"
	"testing"
)

func TestGatewayOf(t *testing.T) {
	for _, tc := range []struct {
		t       Target
		want    string
		guessed bool
	}{
		{Target{}, GatewayOpenAI, true}, // the built-in mock
		{Target{BaseURL: "https://ark.cn-beijing.volces.com/api/v3"}, GatewayArk, true},
		{Target{BaseURL: "https://ark.ap-southeast.bytepluses.com/api/v3"}, GatewayArk, true},
		{Target{BaseURL: "http://127.0.0.1:8080/api/v3"}, GatewayArk, true}, // the mock's Ark flavour
		{Target{BaseURL: "https://api.evolink.ai/v1"}, GatewayEvoLink, true},
		{Target{BaseURL: "https://gateway.example/v1"}, GatewayOpenAI, true},
		{Target{BaseURL: "https://gateway.example/v1", Gateway: GatewayArk}, GatewayArk, false},
	} {
		if g, guessed := GatewayOf(tc.t); g != tc.want || guessed != tc.guessed {
			t.Errorf("%+v: %s %v, want %s %v", tc.t, g, guessed, tc.want, tc.guessed)
		}
	}
}

// TestGatewayModelForms: a model id in the wrong form for its gateway is
// warned about, with the right form suggested; a bad gateway is an error.
func TestGatewayModelForms(t *testing.T) {
	for _, tc := range []struct {
		target, warn string
	}{
		{`{name: a, model: doubao-seed-2.0-pro, base_url: "https://ark.cn-beijing.volces.com/api/v3"}`, "doubao-seed-2-0-pro-260215"},
		{`{name: a, model: doubao-seed-2.0-code, gateway: ark, base_url: "https://x.example/v1"}`, "doubao-seed-2-0-code-preview-260215"},
		{`{name: a, model: doubao-seed-2-0-pro-260215, base_url: "https://api.evolink.ai/v1"}`, "EvoLink expects its own names"},
		{`{name: a, model: doubao-seed-2-0-pro-260215, base_url: "https://ark.cn-beijing.volces.com/api/v3"}`, ""},
		{`{name: a, model: ep-20260215000000-abcde, catalog_model: doubao-seed-2.0-pro, base_url: "https://ark.cn-beijing.volces.com/api/v3"}`, ""},
		{`{name: a, model: doubao-seed-2.0-pro, base_url: "https://api.evolink.ai/v1"}`, ""},
	} {
		sc, err := Parse("t.yaml", []byte("name: t\ntargets:\n  - "+tc.target+"\nmix: [{name: c, weight: 1, prompt_tokens: 100, output_tokens: 10}]\nload: {stages: [{kind: constant, rate: 1/s, duration: 1s}]}\n"))
		if err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		got := strings.Join(sc.Warnings, "\n")
		if tc.warn == "" && got != "" || !strings.Contains(got, tc.warn) {
			t.Errorf("%s: warnings %q, want one containing %q", tc.target, got, tc.warn)
		}
	}
	_, err := Parse("t.yaml", []byte("name: t\ntargets:\n  - {name: a, model: m, gateway: azure}\nmix: [{name: c, weight: 1, prompt_tokens: 100, output_tokens: 10}]\nload: {stages: [{kind: constant, rate: 1/s, duration: 1s}]}\n"))
	if err == nil || !strings.Contains(err.Error(), `targets[0].gateway: "azure" is not one of ark, evolink, openai`) {
		t.Errorf("bad gateway: %v", err)
	}
}
