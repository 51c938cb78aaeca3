package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
)

// Tool calls. A request that offers tools and whose last message is the
// user's is answered, with probability Profile.ToolCallRate, by one
// function call instead of text, streamed the way OpenAI streams it:
//
//	delta {"tool_calls":[{"index":0,"id":"call_…","type":"function","function":{"name":"search","arguments":"{\"input\":\" the"}}]}
//	delta {"tool_calls":[{"index":0,"function":{"arguments":" cache rate"}}]}
//	delta {"tool_calls":[{"index":0,"function":{"arguments":" load\"}"}}]}
//	finish_reason "tool_calls"
//
// The arguments are a JSON object {"input": "<answer words>"} whose text is
// cut into the same token events an answer would be, so the call costs the
// completion tokens the answer would have cost and TTFT, ITL and TPOT keep
// their meaning. A request whose last message is a tool result is answered
// with text: that is the agent loop's "now answer" step.

// toolCallPlan is the call a response makes, decided before its first byte.
type toolCallPlan struct {
	id   string // "call_" and 24 hex digits from the request's seed
	name string // the first offered function's name
}

// offeredTool is the part of one entry of "tools" the mock reads.
type offeredTool struct {
	Type     string `json:"type"`
	Function *struct {
		Name string `json:"name"`
	} `json:"function"`
}

// offeredTools checks the request's tools array and returns the function
// names, in order. Absent or null tools give nil.
func offeredTools(raw json.RawMessage) ([]string, *apiError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var tools []offeredTool
	if err := json.Unmarshal(raw, &tools); err != nil {
		return nil, errInvalid("tools", "tools must be an array of {\"type\":\"function\",\"function\":{\"name\":…}} objects")
	}
	names := make([]string, 0, len(tools))
	for i, t := range tools {
		if t.Type != "function" {
			return nil, errInvalid(fmt.Sprintf("tools[%d].type", i), fmt.Sprintf("'%s' is not supported; the only tool type is 'function'", t.Type))
		}
		if t.Function == nil || t.Function.Name == "" {
			return nil, errMissing(fmt.Sprintf("tools[%d].function.name", i))
		}
		if !validToolName(t.Function.Name) {
			return nil, errInvalid(fmt.Sprintf("tools[%d].function.name", i),
				fmt.Sprintf("'%s' must be 1 to 64 letters, digits, underscores or dashes", t.Function.Name))
		}
		names = append(names, t.Function.Name)
	}
	return names, nil
}

// validToolName is OpenAI's rule, ^[a-zA-Z0-9_-]{1,64}$; it also makes the
// name safe to copy into a JSON template unescaped.
func validToolName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// decideToolCall draws whether this response calls a tool. It draws only
// for requests that offer tools, so every other request's plan is what it
// was before tools existed.
func decideToolCall(q *chatRequest, p *Profile, names []string, r *rand.Rand) *toolCallPlan {
	if len(names) == 0 {
		return nil
	}
	if last := q.Messages[len(q.Messages)-1]; last.Role != "user" {
		return nil
	}
	if q.ToolChoice.mode == "none" {
		return nil
	}
	name := names[0]
	forced := q.ToolChoice.mode == "required"
	if q.ToolChoice.name != "" {
		name, forced = q.ToolChoice.name, true
	}
	if !forced && r.Float64() >= p.ToolCallRate {
		return nil
	}
	const hex = "0123456789abcdef"
	var b [5 + 24]byte
	copy(b[:], "call_")
	x, y := r.Uint64(), r.Uint32()
	for i := range 16 {
		b[5+i] = hex[x>>(4*i)&0xf]
	}
	for i := range 8 {
		b[21+i] = hex[y>>(4*i)&0xf]
	}
	return &toolCallPlan{id: string(b[:]), name: name}
}

// toolChoice is the request's tool_choice: "none", "auto", "required", or
// {"type":"function","function":{"name":…}}, which forces that function.
type toolChoice struct {
	mode string
	name string
}

func (c *toolChoice) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &c.mode); err != nil {
			return err
		}
		switch c.mode {
		case "none", "auto", "required":
			return nil
		}
		return fmt.Errorf("tool_choice '%s' is not one of none, auto, required", c.mode)
	}
	var o struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return errors.New(`tool_choice must be "none", "auto", "required" or {"type":"function","function":{"name":…}}`)
	}
	if o.Type != "function" || o.Function.Name == "" {
		return errors.New(`tool_choice as an object must be {"type":"function","function":{"name":…}}`)
	}
	c.mode, c.name = "function", o.Function.Name
	return nil
}

// check makes sure a forced function is one of the offered tools.
func (c toolChoice) check(names []string) *apiError {
	if c.name == "" {
		if c.mode == "required" && len(names) == 0 {
			return errInvalid("tool_choice", "tool_choice 'required' needs tools")
		}
		return nil
	}
	for _, n := range names {
		if n == c.name {
			return nil
		}
	}
	return errInvalid("tool_choice", fmt.Sprintf("tool_choice names function '%s', which is not in tools", c.name))
}

// The arguments' JSON text around the answer words, as it appears inside
// the JSON string "arguments" (quotes escaped).
const (
	toolArgsOpen  = `{\"input\":\"`
	toolArgsClose = `\"}`
)

// toolTokens writes one tool-call event carrying pieces of the arguments.
// The first event names the call; the last closes the arguments object.
func (sw *sseWriter) toolTokens(tc *toolCallPlan, first, last bool, pieces []string) {
	sw.buf = append(sw.buf, sw.common...)
	sw.buf = append(sw.buf, `"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,`...)
	if first {
		sw.buf = append(sw.buf, `"id":"`...)
		sw.buf = append(sw.buf, tc.id...)
		sw.buf = append(sw.buf, `","type":"function","function":{"name":"`...)
		sw.buf = append(sw.buf, tc.name...)
		sw.buf = append(sw.buf, `","arguments":"`...)
		sw.buf = append(sw.buf, toolArgsOpen...)
	} else {
		sw.buf = append(sw.buf, `"function":{"arguments":"`...)
	}
	for _, p := range pieces {
		sw.buf = append(sw.buf, p...)
	}
	if last {
		sw.buf = append(sw.buf, toolArgsClose...)
	}
	sw.buf = append(sw.buf, `"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`...)
	sw.end()
	sw.pending++
}

// toolCallMessage is the non-streaming answer's tool_calls entry.
type toolCallMessage struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

func (tc *toolCallPlan) message(words string) toolCallMessage {
	m := toolCallMessage{ID: tc.id, Type: "function"}
	m.Function.Name = tc.name
	args, _ := json.Marshal(struct {
		Input string `json:"input"`
	}{words})
	m.Function.Arguments = string(args)
	return m
}
