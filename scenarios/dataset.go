package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Datasets. Each line of a dataset file is one prompt, in either shape:
//
//	{"messages": [{"role": "system", "content": "…"}, {"role": "user", "content": "…"}], "max_tokens": 200}
//	{"id": "x", "conversations": [{"from": "human", "value": "…"}, {"from": "gpt", "value": "…"}]}
//
// An OpenAI row is sent with its messages as they are; its expected output
// length is max_tokens, max_completion_tokens or output_tokens when given.
// A ShareGPT row's prompt is its first human turn (system turns before it
// are kept), and the expected output is the estimate of the reply after it,
// as vLLM's benchmark does. Rows are sampled with the seed, with
// replacement, so a plan is still a pure function of (scenario, seed) and
// the file's bytes.

type datasetMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// parseDataset reads a dataset file of the given format.
func parseDataset(b []byte, format string, limit int, cal Calibration) ([]sourceRow, error) {
	if t := bytes.TrimLeft(b, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '[' {
		return nil, &sourceError{Line: 1, Msg: "the file is one JSON array; a dataset is JSONL, one object a line (jq -c '.[]' converts it)"}
	}
	var rows []sourceRow
	err := eachLine(b, func(line int, text []byte) error {
		if len(rows) >= limit {
			return io.EOF
		}
		var row sourceRow
		var err error
		if format == FormatShareGPT {
			row, err = shareGPTRow(text)
		} else {
			row, err = openAIRow(text)
		}
		if err != nil {
			return &sourceError{Line: line, Msg: err.Error()}
		}
		row.input = cal.ToServer(row.input)
		rows = append(rows, row)
		return nil
	})
	if err == io.EOF {
		err = nil
	}
	return rows, err
}

func openAIRow(text []byte) (sourceRow, error) {
	var r struct {
		Messages            []json.RawMessage `json:"messages"`
		Tools               json.RawMessage   `json:"tools"`
		ToolChoice          json.RawMessage   `json:"tool_choice"`
		MaxTokens           int               `json:"max_tokens"`
		MaxCompletionTokens int               `json:"max_completion_tokens"`
		OutputTokens        int               `json:"output_tokens"`
	}
	if err := json.Unmarshal(text, &r); err != nil {
		return sourceRow{}, fmt.Errorf("not a JSON object with messages: %s", jsonProblem(err))
	}
	if len(r.Messages) == 0 {
		return sourceRow{}, fmt.Errorf("messages is missing or empty")
	}
	est := 0
	for i, raw := range r.Messages {
		var m datasetMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return sourceRow{}, fmt.Errorf("messages[%d]: %s", i, jsonProblem(err))
		}
		switch m.Role {
		case "system", "user", "assistant", "tool", "developer":
		case "":
			return sourceRow{}, fmt.Errorf("messages[%d].role is missing", i)
		default:
			return sourceRow{}, fmt.Errorf("messages[%d].role %q is not system, user, assistant, tool or developer", i, m.Role)
		}
		n, err := contentTokens(m.Content)
		if err != nil {
			return sourceRow{}, fmt.Errorf("messages[%d].content: %v", i, err)
		}
		est += n
	}
	// Messages are sent as the file has them (tool calls, tool_call_id,
	// names and all); only their text is estimated.
	msgs, _ := json.Marshal(r.Messages)
	var extra []byte
	if len(r.Tools) > 0 && string(r.Tools) != "null" {
		extra = append(append(extra, `,"tools":`...), compactJSON(r.Tools)...)
		est += EstimateTokens(string(r.Tools))
	}
	if len(r.ToolChoice) > 0 && string(r.ToolChoice) != "null" {
		extra = append(append(extra, `,"tool_choice":`...), compactJSON(r.ToolChoice)...)
	}
	out := r.OutputTokens
	for _, v := range []int{r.MaxCompletionTokens, r.MaxTokens} {
		if out == 0 {
			out = v
		}
	}
	if out < 0 || out > maxTraceTokens {
		return sourceRow{}, fmt.Errorf("expected output length %d is outside 1..%d", out, maxTraceTokens)
	}
	return sourceRow{input: est, output: out, messages: msgs, extra: extra}, nil
}

// contentTokens estimates a message content: a string, or an array of
// parts whose text parts count.
func contentTokens(raw json.RawMessage) (int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		return EstimateTokens(s), nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return 0, fmt.Errorf("must be a string or an array of parts")
	}
	n := 0
	for _, p := range parts {
		n += EstimateTokens(p.Text)
	}
	return n, nil
}

func compactJSON(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

func shareGPTRow(text []byte) (sourceRow, error) {
	var r struct {
		Conversations []struct {
			From  string `json:"from"`
			Value string `json:"value"`
		} `json:"conversations"`
	}
	if err := json.Unmarshal(text, &r); err != nil {
		return sourceRow{}, fmt.Errorf("not a JSON object with conversations: %s", jsonProblem(err))
	}
	var msgs []map[string]string
	est, out := 0, 0
	hasUser := false
	turns, err := shareGPTTurns(r.Conversations)
	if err != nil {
		return sourceRow{}, err
	}
turns:
	for i, turn := range r.Conversations {
		switch turn.From {
		case "system":
			if hasUser {
				break turns
			}
			msgs = append(msgs, map[string]string{"role": "system", "content": turn.Value})
			est += EstimateTokens(turn.Value)
		case "human", "user":
			if hasUser {
				break turns // the first human turn is the prompt
			}
			hasUser = true
			msgs = append(msgs, map[string]string{"role": "user", "content": turn.Value})
			est += EstimateTokens(turn.Value)
		case "gpt", "assistant", "chatgpt", "bing", "bard":
			if hasUser {
				out = EstimateTokens(turn.Value)
				break turns
			}
		default:
			return sourceRow{}, fmt.Errorf("conversations[%d].from %q is not human, gpt or system", i, turn.From)
		}
	}
	if !hasUser {
		return sourceRow{}, fmt.Errorf("conversations has no human turn")
	}
	b, _ := json.Marshal(msgs)
	return sourceRow{input: est, output: min(out, maxTraceTokens), messages: b, turns: turns}, nil
}

// shareGPTTurns splits a conversation into its human turns, for sessions:
// each human turn with the system turns before it, its estimate, and the
// estimated length of the reply that follows (0: none). The file's replies
// themselves are not sent: a session sends the model's own.
func shareGPTTurns(conv []struct {
	From  string `json:"from"`
	Value string `json:"value"`
}) ([]sourceTurn, error) {
	var out []sourceTurn
	var pending []byte // system messages waiting for the next human turn
	pendingTokens := 0
	for i, turn := range conv {
		m := func(role string) []byte {
			b, _ := json.Marshal(map[string]string{"role": role, "content": turn.Value})
			return b
		}
		switch turn.From {
		case "system":
			if len(pending) > 0 {
				pending = append(pending, ',')
			}
			pending = append(pending, m("system")...)
			pendingTokens += EstimateTokens(turn.Value)
		case "human", "user":
			msg := pending
			if len(msg) > 0 {
				msg = append(msg, ',')
			}
			msg = append(msg, m("user")...)
			out = append(out, sourceTurn{messages: msg, input: pendingTokens + EstimateTokens(turn.Value)})
			pending, pendingTokens = nil, 0
		case "gpt", "assistant", "chatgpt", "bing", "bard":
			if n := len(out); n > 0 && out[n-1].output == 0 {
				out[n-1].output = min(EstimateTokens(turn.Value), maxTraceTokens)
			}
		default:
			return nil, fmt.Errorf("conversations[%d].from %q is not human, gpt or system", i, turn.From)
		}
	}
	return out, nil
}
