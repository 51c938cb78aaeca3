package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// chatRequest is the part of a chat-completion request the mock acts on.
// Unknown fields are accepted and ignored, as a gateway does, except the
// ones it cannot honour (see unsupported).
type chatRequest struct {
	unsupported

	Model               string         `json:"model"`
	Messages            []chatMessage  `json:"messages"`
	Stream              bool           `json:"stream"`
	StreamOptions       *streamOptions `json:"stream_options"`
	MaxTokens           *int           `json:"max_tokens"`
	MaxCompletionTokens *int           `json:"max_completion_tokens"`
	Thinking            *thinkingParam `json:"thinking"`
	ReasoningEffort     string         `json:"reasoning_effort"`
	// IgnoreEOS makes the answer exactly max_tokens long (vLLM's name).
	IgnoreEOS bool `json:"ignore_eos"`
	// Tools count towards the prompt as their JSON text.
	Tools      json.RawMessage `json:"tools"`
	ToolChoice toolChoice      `json:"tool_choice"`
	// ContextID names a cached context, on the Context API's chat
	// endpoint only (context.go); the plain endpoint ignores it.
	ContextID string `json:"context_id"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type thinkingParam struct {
	Type string `json:"type"`
}

type chatMessage struct {
	Role    string      `json:"role"`
	Content chatContent `json:"content"`
	Name    string      `json:"name"`
}

// chatContent is a message's text: either a JSON string or an array of
// parts, of which the "text" parts are kept; other parts (images, …) are
// counted as imagePartTokens each.
type chatContent struct {
	text       string
	otherParts int
}

const imagePartTokens = 256

func (c *chatContent) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		return json.Unmarshal(b, &c.text)
	case b[0] == '[':
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(b, &parts); err != nil {
			return err
		}
		var sb strings.Builder
		for _, p := range parts {
			if p.Type == "text" {
				sb.WriteString(p.Text)
			} else {
				c.otherParts++
			}
		}
		c.text = sb.String()
		return nil
	}
	return errors.New("content must be a string or an array of parts")
}

// decodeRequest reads and checks a request body of at most limit bytes. A
// declared Content-Length over the limit is refused before any byte is read;
// an undeclared one is cut off by http.MaxBytesReader, so memory stays
// bounded by the limit whatever the client sends.
func decodeRequest(w http.ResponseWriter, r *http.Request, limit int64) (*chatRequest, *apiError) {
	if r.ContentLength > limit {
		return nil, errTooLarge(limit)
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	var req chatRequest
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge(limit)
		}
		return nil, jsonError(err)
	}
	// Anything but whitespace after the object is malformed too.
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge(limit)
		}
		if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
			return nil, jsonError(err)
		}
		return nil, errInvalid("", "request body has data after the JSON object")
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	return &req, nil
}

func errTooLarge(limit int64) *apiError {
	return &apiError{status: http.StatusRequestEntityTooLarge, typ: "invalid_request_error", code: "request_too_large",
		message: fmt.Sprintf("request body is larger than the limit of %d bytes", limit)}
}

// jsonError names the field a type error is about, or the byte offset of a
// syntax error.
func jsonError(err error) *apiError {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return &apiError{status: http.StatusRequestTimeout, typ: "invalid_request_error", code: "request_timeout",
			message: "the request body did not arrive within the server's read timeout"}
	case errors.As(err, &se):
		return errInvalid("", fmt.Sprintf("request body is not valid JSON: %v (at byte %d)", se, se.Offset))
	case errors.As(err, &te):
		return errInvalid(te.Field, fmt.Sprintf("'%s' has the wrong type: got JSON %s, want %s", te.Field, te.Value, te.Type))
	case errors.Is(err, io.EOF):
		return errInvalid("", "request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errInvalid("", "request body ends in the middle of the JSON object")
	}
	return errInvalid("", "request body: "+err.Error())
}

// check validates what the JSON decoder cannot: presence and values.
func (q *chatRequest) check() *apiError {
	if q.Model == "" {
		return errMissing("model")
	}
	if len(q.Messages) == 0 {
		return errMissing("messages")
	}
	for i, m := range q.Messages {
		switch m.Role {
		case "system", "user", "assistant", "tool", "developer":
		case "":
			return errMissing(fmt.Sprintf("messages[%d].role", i))
		default:
			return errInvalid(fmt.Sprintf("messages[%d].role", i), fmt.Sprintf("'%s' is not a valid role", m.Role))
		}
	}
	if q.MaxTokens != nil && *q.MaxTokens < 1 {
		return errInvalid("max_tokens", fmt.Sprintf("max_tokens must be at least 1, got %d", *q.MaxTokens))
	}
	if q.MaxCompletionTokens != nil && (*q.MaxCompletionTokens < 0 || *q.MaxCompletionTokens > maxCompletionBudget) {
		return errInvalid("max_completion_tokens", fmt.Sprintf("max_completion_tokens must be in [0, %d], got %d", maxCompletionBudget, *q.MaxCompletionTokens))
	}
	if q.Thinking != nil {
		switch q.Thinking.Type {
		case "enabled", "disabled", "auto":
		case "":
			return errMissing("thinking.type")
		default:
			return errInvalid("thinking.type", fmt.Sprintf("'%s' is not one of enabled, disabled, auto", q.Thinking.Type))
		}
	}
	switch q.ReasoningEffort {
	case "", "minimal", "low", "medium", "high":
	default:
		return errInvalid("reasoning_effort", fmt.Sprintf("'%s' is not one of minimal, low, medium, high", q.ReasoningEffort))
	}
	if q.StreamOptions != nil && !q.Stream {
		return errInvalid("stream_options", "stream_options is only allowed when stream is true")
	}
	return q.unsupported.check()
}

func (q *chatRequest) includeUsage() bool {
	return q.StreamOptions != nil && q.StreamOptions.IncludeUsage
}
