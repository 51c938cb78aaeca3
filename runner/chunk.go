package runner

import "errors"

// chunk is what the runner reads from one chat.completion.chunk: whether
// its deltas carry tokens and how many characters, the finish reason, usage,
// an error, and the mock's ground truth. Strings are not copied: the slices
// point into the event's bytes and are valid until the next event.
type chunk struct {
	// Characters (runes, once unescaped) summed over the choices: content,
	// reasoning text (see reasoningFields), and tool calls' function name +
	// arguments.
	content, reasoning, tools int
	// toolCalls counts choices whose delta has a non-empty tool_calls array
	// (the first tool-call event often carries only a name and id).
	toolCalls int
	// text is the raw (still escaped) content of the first choice that
	// carried any: a session keeps it as the answer (see answerBuf).
	text []byte
	// call is the raw id, function name and argument fragment of the
	// first tool call of the first choice that carried one: a session
	// keeps it to send the call back with the tool's result.
	call     toolFragment
	finish   []byte // raw last non-null finish_reason
	hasUsage bool
	usage    Usage
	hasError bool
	errRaw   []byte // raw error message (a string value, or error.message)
	hasTruth bool
	truth    truth
}

// truth is the mock's ground-truth extension (see mockserver's package doc):
// its own stamps, in µs from when its handler was entered.
type truth struct {
	headersUS, ttftUS int64
	events            []int64 // appended to; reused across a request
}

// tokenBearing reports whether the event carries any token: non-empty
// content or reasoning, or a tool call. A role-only chunk, an empty delta, a
// finish chunk and the usage chunk never do.
func (c *chunk) tokenBearing() bool {
	return c.content > 0 || c.reasoning > 0 || c.toolCalls > 0
}

func (c *chunk) chars() int { return c.content + c.reasoning + c.tools }

var errNotObject = errors.New("event data is not a JSON object")

// scanChunk decodes data into c without allocating (except for the truth's
// event list). Duplicate keys follow "last one wins", like decoding into a
// map; values of an unexpected type are ignored; invalid JSON is an error.
func scanChunk(data []byte, c *chunk) error {
	events := c.truth.events[:0]
	*c = chunk{}
	c.truth.events = events
	s := jscan{b: data}
	if ok, err := s.open('{'); err != nil || !ok {
		if err == nil {
			err = errNotObject
			if s.peek() == 0 {
				err = errEnd
			}
		}
		return err
	}
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch {
		case keyIs(key, "choices"):
			err = c.choices(&s)
		case keyIs(key, "usage"):
			err = c.usageValue(&s)
		case keyIs(key, "error"):
			err = c.errorValue(&s)
		case keyIs(key, "seedbench_truth"):
			err = c.truthValue(&s)
		default:
			err = s.skip()
		}
		if err != nil {
			return err
		}
	}
	s.close()
	return s.end()
}

// choices reads the choices array (a later "choices" replaces an earlier one).
func (c *chunk) choices(s *jscan) error {
	c.content, c.reasoning, c.tools, c.toolCalls, c.finish, c.text = 0, 0, 0, 0, nil, nil
	c.call = toolFragment{}
	_, err := s.array(func() error { return c.choice(s) })
	return err
}

func (c *chunk) choice(s *jscan) error {
	var d delta
	var finish []byte
	found, err := s.object(func(key []byte) (err error) {
		switch {
		case keyIs(key, "delta"):
			d = delta{}
			err = d.read(s)
		case keyIs(key, "finish_reason"):
			finish = nil
			if s.peek() == '"' {
				finish, _, err = s.str()
			} else {
				err = s.skip()
			}
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil || !found {
		return err
	}
	c.content += d.content
	if c.text == nil && d.content > 0 {
		c.text = d.text
	}
	c.reasoning += d.reasoning
	c.tools += d.tools
	if d.toolCalls {
		if c.toolCalls == 0 {
			c.call = d.call
		}
		c.toolCalls++
	}
	if finish != nil {
		c.finish = finish
	}
	return nil
}

// delta is one choice's delta.
type delta struct {
	content, reasoning, tools int
	text                      []byte // raw content
	call                      toolFragment
	toolCalls                 bool
}

// Reasoning (thinking) text comes under several names, and some servers send
// the same text under two of them in one delta, so a delta's reasoning is the
// longest of its spellings, never their sum:
//
//   - reasoning_content: DeepSeek, SGLang, llama.cpp, LM Studio, xAI,
//     Moonshot, Volcano Engine Ark (Seed), vLLM before the rename (it still
//     sends both names for compatibility);
//   - reasoning: vLLM after the rename, OpenRouter, Ollama's /v1, Groq;
//   - reasoning_details: OpenRouter's structured form, an array whose
//     elements carry "text" (reasoning.text) or "summary"
//     (reasoning.summary); encrypted elements carry no readable text and
//     count nothing.
//
// reasoningFields lists them for the README's metric definitions (a test
// keeps the two in step).
var reasoningFields = [...]string{"reasoning_content", "reasoning", "reasoning_details"}

func (d *delta) read(s *jscan) error {
	var rc, r, rd int
	_, err := s.object(func(key []byte) (err error) {
		switch {
		case keyIs(key, "content"):
			d.text, d.content = nil, 0
			if s.peek() == '"' {
				d.text, d.content, err = s.str()
			} else {
				err = s.skip()
			}
		case keyIs(key, "reasoning_content"):
			rc, err = s.strRunes()
		case keyIs(key, "reasoning"):
			r, err = s.strRunes()
		case keyIs(key, "reasoning_details"):
			rd, err = reasoningDetails(s)
		case keyIs(key, "tool_calls"):
			d.call = toolFragment{}
			d.tools, d.toolCalls, err = toolCalls(s, &d.call)
		default:
			err = s.skip()
		}
		return err
	})
	d.reasoning = max(rc, r, rd)
	return err
}

// reasoningDetails reads OpenRouter's reasoning_details array: the runes of
// each element's "text" and "summary" strings.
func reasoningDetails(s *jscan) (n int, err error) {
	_, err = s.array(func() error {
		var text, summary int // a duplicate key: the last one wins
		_, err := s.object(func(key []byte) (err error) {
			switch {
			case keyIs(key, "text"):
				text, err = s.strRunes()
			case keyIs(key, "summary"):
				summary, err = s.strRunes()
			default:
				err = s.skip()
			}
			return err
		})
		n += text + summary
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// strRunes reads a string's rune count; any other value counts 0.
func (s *jscan) strRunes() (int, error) {
	if s.peek() != '"' {
		return 0, s.skip()
	}
	_, n, err := s.str()
	return n, err
}

// toolFragment is what one event says of a tool call, raw (escaped) and
// pointing into the event: the id and name come with the first fragment,
// the arguments in pieces.
type toolFragment struct {
	id, name, args []byte
}

// toolCalls reads a tool_calls array: whether it has elements, and the
// runes of each call's function name and arguments; first gets the first
// element's raw fields.
func toolCalls(s *jscan, first *toolFragment) (chars int, any bool, err error) {
	_, err = s.array(func() error {
		var f *toolFragment
		if !any {
			f = first
		}
		any = true
		n, err := toolCall(s, f)
		chars += n
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return chars, any, nil
}

// toolCall reads one call; f, when set, gets its raw id, name, arguments.
func toolCall(s *jscan, f *toolFragment) (n int, err error) {
	var scratch toolFragment
	if f == nil {
		f = &scratch
	}
	_, err = s.object(func(key []byte) (err error) {
		switch {
		case keyIs(key, "function"):
			n, err = function(s, f) // last "function" wins
		case keyIs(key, "id") && s.peek() == '"':
			f.id, _, err = s.str()
		case keyIs(key, "id"):
			f.id, err = nil, s.skip()
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func function(s *jscan, f *toolFragment) (int, error) {
	var name, args int
	_, err := s.object(func(key []byte) (err error) {
		switch {
		case keyIs(key, "name") && s.peek() == '"':
			f.name, name, err = s.str()
		case keyIs(key, "name"):
			f.name, name, err = nil, 0, s.skip()
		case keyIs(key, "arguments") && s.peek() == '"':
			f.args, args, err = s.str()
		case keyIs(key, "arguments"):
			f.args, args, err = nil, 0, s.skip()
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return name + args, nil
}

// usageValue reads the usage object (null: no usage).
func (c *chunk) usageValue(s *jscan) error {
	c.hasUsage, c.usage = false, Usage{}
	u := &c.usage
	found, err := s.object(func(key []byte) (err error) {
		switch {
		case keyIs(key, "prompt_tokens"):
			err = intField(s, &u.PromptTokens)
		case keyIs(key, "completion_tokens"):
			err = intField(s, &u.CompletionTokens)
		case keyIs(key, "prompt_tokens_details"):
			u.CachedTokens = 0
			err = details(s, "cached_tokens", &u.CachedTokens)
		case keyIs(key, "completion_tokens_details"):
			u.ReasoningTokens = 0
			err = details(s, "reasoning_tokens", &u.ReasoningTokens)
		default:
			err = s.skip()
		}
		return err
	})
	c.hasUsage = found
	return err
}

// intField reads an integer that fits in an int; anything else sets 0.
func intField(s *jscan, dst *int) error {
	v, ok, err := s.int()
	*dst = 0
	if ok && v == int64(int(v)) {
		*dst = int(v)
	}
	return err
}

// details reads {"name": n, ...} into dst.
func details(s *jscan, name string, dst *int) error {
	_, err := s.object(func(key []byte) error {
		if keyIs(key, name) {
			return intField(s, dst)
		}
		return s.skip()
	})
	return err
}

// errorValue reads an error member: any non-null value is an error; its
// message is the string itself or the object's "message".
func (c *chunk) errorValue(s *jscan) error {
	c.hasError, c.errRaw = false, nil
	if s.null() {
		return nil
	}
	c.hasError = true
	switch s.peek() {
	case '"':
		raw, _, err := s.str()
		c.errRaw = raw
		return err
	case '{':
	default:
		return s.skip()
	}
	_, err := s.object(func(key []byte) (err error) {
		if !keyIs(key, "message") {
			return s.skip()
		}
		c.errRaw = nil
		if s.peek() == '"' {
			c.errRaw, _, err = s.str()
			return err
		}
		return s.skip()
	})
	return err
}

// truthValue reads the mock's seedbench_truth object.
func (c *chunk) truthValue(s *jscan) error {
	t := &c.truth
	t.headersUS, t.ttftUS, t.events = 0, 0, t.events[:0]
	found, err := s.object(func(key []byte) (err error) {
		switch {
		case keyIs(key, "headers_us"):
			t.headersUS, _, err = s.int()
		case keyIs(key, "ttft_us"):
			t.ttftUS, _, err = s.int()
		case keyIs(key, "events_us"):
			t.events, err = intArray(s, t.events[:0])
		default:
			err = s.skip()
		}
		return err
	})
	c.hasTruth = found
	return err
}

// intArray appends an array's integer elements to dst (others count 0).
func intArray(s *jscan, dst []int64) ([]int64, error) {
	_, err := s.array(func() error {
		v, _, err := s.int()
		dst = append(dst, v)
		return err
	})
	return dst, err
}
