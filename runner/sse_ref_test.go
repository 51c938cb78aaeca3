package runner

import (
	"bytes"
	"strings"
)

// This file is a reference event-stream parser written straight from the
// WHATWG HTML Living Standard, §9.2.6 "Interpreting an event stream", step
// by step and without regard for speed, so FuzzSSE can hold the runner's
// streaming reader to the standard. The spec's names are kept.

// specEvent is one dispatched event: its type (the event type buffer, or
// "message"), its data and the last event ID at dispatch.
type specEvent struct {
	Type, Data, LastEventID string
}

// specResult is what the parser saw: the dispatched events, and what was
// left when the stream ended, which the spec discards ("any pending data
// must be discarded") but the runner judges: the data and event type
// buffers, and a last line that had no line ending.
type specResult struct {
	Events      []specEvent
	PendingData string // the data buffer at the end (with its trailing LF)
	PendingType string // the event type buffer at the end
	Partial     string // text after the last line ending ("" if none)
	Retry       string // the last valid retry value
}

// specParse interprets in as an event stream.
func specParse(in []byte) specResult {
	// "The stream must then be parsed by reading everything line by line
	// ..." after UTF-8 decoding, which strips one leading BOM. Bytes stand
	// for code points here: every delimiter is ASCII (see sseReader).
	in = bytes.TrimPrefix(in, []byte("\xEF\xBB\xBF"))
	var (
		r                       specResult
		data, eventType, lastID string
		lastEventIDBuffer       string
		reconnectionTime        string
		lines, partial          = specLines(string(in))
	)
	dispatch := func() {
		// 1. Set the last event ID string of the event source to the value
		// of the last event ID buffer.
		lastID = lastEventIDBuffer
		// 2. If the data buffer is an empty string, set the data buffer and
		// the event type buffer to the empty string and return.
		if data == "" {
			data, eventType = "", ""
			return
		}
		// 3. If the data buffer's last character is a U+000A LINE FEED (LF)
		// character, then remove the last character from the data buffer.
		d := strings.TrimSuffix(data, "\n")
		// 4–5. The event's type is the event type buffer, or "message" when
		// it is empty.
		typ := eventType
		if typ == "" {
			typ = "message"
		}
		r.Events = append(r.Events, specEvent{Type: typ, Data: d, LastEventID: lastID})
		// 6. Set the data buffer and the event type buffer to the empty string.
		data, eventType = "", ""
	}
	processField := func(field, value string) {
		switch field {
		case "event":
			// Set the event type buffer to the field value.
			eventType = value
		case "data":
			// Append the field value to the data buffer, then append a
			// single U+000A LINE FEED (LF) character to the data buffer.
			data += value + "\n"
		case "id":
			// If the field value does not contain U+0000 NULL, then set the
			// last event ID buffer to the field value. Otherwise, ignore.
			if !strings.Contains(value, "\x00") {
				lastEventIDBuffer = value
			}
		case "retry":
			// If the field value consists of only ASCII digits, then
			// interpret it as an integer in base ten and set the event
			// stream's reconnection time. Otherwise, ignore the field.
			if value != "" && strings.Trim(value, "0123456789") == "" {
				reconnectionTime = value
			}
		default:
			// Otherwise: the field is ignored.
		}
	}
	for _, line := range lines {
		switch {
		case line == "":
			// If the line is empty (a blank line): dispatch the event.
			dispatch()
		case line[0] == ':':
			// If the line starts with a U+003A COLON character (:): ignore.
		case strings.Contains(line, ":"):
			// Collect the characters on the line before the first colon,
			// and let field be that string; after it, value. If value
			// starts with a U+0020 SPACE character, remove it.
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			processField(field, value)
		default:
			// Otherwise, the string is not empty but does not contain a
			// colon: the whole line is the field name, the value is empty.
			processField(line, "")
		}
	}
	// "Once the end of the file is reached, any pending data must be
	// discarded." It is returned for the caller to judge.
	r.PendingData, r.PendingType, r.Partial, r.Retry = data, eventType, partial, reconnectionTime
	return r
}

// specLines splits a stream at its line endings: "a U+000D CARRIAGE RETURN
// U+000A LINE FEED (CRLF) character pair, a single U+000A LINE FEED (LF)
// character not preceded by a U+000D CARRIAGE RETURN (CR) character, and a
// single U+000D CARRIAGE RETURN (CR) character not followed by a U+000A LINE
// FEED (LF) character". Text after the last line ending is not a line.
func specLines(s string) (lines []string, partial string) {
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			lines = append(lines, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			start = i + 1
		case '\n':
			lines = append(lines, s[start:i])
			start = i + 1
		}
	}
	return lines, s[start:]
}

// specField splits one line the way the spec's line rules do.
func specField(line string) (field, value string) {
	if field, value, found := strings.Cut(line, ":"); found {
		return field, strings.TrimPrefix(value, " ")
	}
	return line, ""
}

// expectRunner turns the spec's reading into what the runner's reader must
// return: the dispatched events, then its two end-of-body leniencies (see
// sseReader): a pending event whose last line ended is still returned, and a
// last line without its ending is "unexpected" unless it is "data: [DONE]"
// with nothing pending.
func expectRunner(r specResult) ([]sseEvent, string) {
	var out []sseEvent
	for _, e := range r.Events {
		out = append(out, sseEvent{Error: e.Type == "error", Data: e.Data})
	}
	if r.Partial != "" {
		if f, v := specField(r.Partial); f == "data" && v == "[DONE]" && r.PendingData == "" {
			return append(out, sseEvent{Data: "[DONE]"}), "eof"
		}
		return out, "unexpected"
	}
	if r.PendingData != "" {
		out = append(out, sseEvent{Error: r.PendingType == "error", Data: strings.TrimSuffix(r.PendingData, "\n")})
	}
	return out, "eof"
}
