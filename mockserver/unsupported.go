package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// unsupported are the request fields that change what a real server
// answers in ways the mock cannot imitate. Ignoring them would hand a
// client a well-formed answer to a question it did not ask (one choice
// for n: 5, no log probabilities, prose where JSON was demanded), so each
// is refused with a 400 naming it, in the shape OpenAI uses:
//
//	{"error":{"message":"Unsupported value: 'n' must be 1 …","type":"invalid_request_error","param":"n","code":"unsupported_value"}}
//
// Fields that only tune sampling (temperature, top_p, seed, stop, penalties,
// logit_bias, user) stay accepted and ignored: they change which tokens a
// real model picks, not the shape or timing the benchmark measures.
type unsupported struct {
	N              *int            `json:"n"`
	Logprobs       *bool           `json:"logprobs"`
	TopLogprobs    *int            `json:"top_logprobs"`
	ResponseFormat *responseFormat `json:"response_format"`
	Modalities     []string        `json:"modalities"`
	Audio          json.RawMessage `json:"audio"`
	Functions      json.RawMessage `json:"functions"`
	FunctionCall   json.RawMessage `json:"function_call"`
}

type responseFormat struct {
	Type string `json:"type"`
}

func (u *unsupported) check() *apiError {
	switch {
	case u.N != nil && *u.N != 1:
		return errUnsupported("n", fmt.Sprintf("'n' must be 1 (got %d): the mock answers with one choice", *u.N))
	case u.Logprobs != nil && *u.Logprobs:
		return errUnsupported("logprobs", "'logprobs' is not supported: the mock produces no log probabilities")
	case u.TopLogprobs != nil && *u.TopLogprobs != 0:
		return errUnsupported("top_logprobs", "'top_logprobs' is not supported: the mock produces no log probabilities")
	case u.ResponseFormat != nil && u.ResponseFormat.Type != "" && u.ResponseFormat.Type != "text":
		return errUnsupported("response_format", fmt.Sprintf("'response_format' of type '%s' is not supported: the mock writes free text", u.ResponseFormat.Type))
	case present(u.Audio):
		return errUnsupported("audio", "'audio' is not supported: the mock answers in text only")
	case present(u.Functions) || present(u.FunctionCall):
		return errUnsupported("functions", "'functions' and 'function_call' are not supported: send 'tools' instead")
	}
	for _, m := range u.Modalities {
		if m != "text" {
			return errUnsupported("modalities", fmt.Sprintf("modality '%s' is not supported: the mock answers in text only", m))
		}
	}
	return nil
}

// present: the field was sent with a value other than null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

func errUnsupported(param, message string) *apiError {
	return &apiError{status: 400, typ: "invalid_request_error", code: "unsupported_value", param: param, message: "Unsupported value: " + message}
}
