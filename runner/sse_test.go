package runner

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// sseEvent is what the runner takes from one event.
type sseEvent struct {
	Error bool // an "event: error"
	Data  string
}

// readEvents runs the SSE reader over input, fed in pieces of at most chunk
// bytes through a buffer of bufSize, and returns the events and how the
// body ended ("eof", "unexpected", or another error).
func readEvents(input []byte, chunk, bufSize int) ([]sseEvent, string) {
	var r io.Reader = bytes.NewReader(input)
	if chunk > 0 {
		r = &pieceReader{b: input, n: chunk}
	}
	st := &stampReader{r: r}
	sr := newSSEReaderSize(st, bufSize)
	var events []sseEvent
	for range len(input) + 2 {
		data, _, err := sr.next()
		switch {
		case err == nil:
			events = append(events, sseEvent{Error: sr.isError(), Data: string(data)})
			continue
		case errors.Is(err, io.EOF):
			return events, "eof"
		case errors.Is(err, io.ErrUnexpectedEOF):
			return events, "unexpected"
		default:
			return events, err.Error()
		}
	}
	return events, "did not end"
}

// pieceReader returns at most n bytes per Read.
type pieceReader struct {
	b []byte
	n int
}

func (p *pieceReader) Read(b []byte) (int, error) {
	if len(p.b) == 0 {
		return 0, io.EOF
	}
	k := copy(b[:min(len(b), p.n)], p.b)
	p.b = p.b[k:]
	return k, nil
}

func TestSSEReader(t *testing.T) {
	long := strings.Repeat("x", 100<<10)
	for _, tc := range []struct {
		name, in string
		want     []string
		end      string
	}{
		// the common case
		{"simple", "data: a\n\ndata: [DONE]\n\n", []string{"a", "[DONE]"}, "eof"},
		// CRLF endings
		{"crlf", "data: a\r\n\r\ndata: b\r\n\r\n", []string{"a", "b"}, "eof"},
		// comments and other fields are skipped; only one space is removed
		{"fields", ": keep-alive\nevent: message\nid: 7\nretry: 10\ndata:  two spaces\n\n", []string{" two spaces"}, "eof"},
		// multi-line data is joined with \n
		{"multiline", "data: a\ndata: b\n\n", []string{"a\nb"}, "eof"},
		// "data" alone is an empty data line
		{"bare data", "data\n\n", []string{""}, "eof"},
		// a field that merely starts with "data" is another field
		{"database", "database: x\n\ndata: y\n\n", []string{"y"}, "eof"},
		// no space after the colon
		{"nospace", "data:z\n\n", []string{"z"}, "eof"},
		// blank lines between events do nothing
		{"blanks", "\n\n\ndata: a\n\n\n", []string{"a"}, "eof"},
		// a line far longer than the buffer
		{"long line", "data: " + long + "\n\n", []string{long}, "eof"},
		// a last event without its blank line still counts
		{"no final blank", "data: a\n", []string{"a"}, "eof"},
		// cut in the middle of a line: truncated
		{"cut", "data: a\n\ndata: {\"cho", []string{"a"}, "unexpected"},
		// [DONE] without its newline is accepted
		{"done no newline", "data: a\n\ndata: [DONE]", []string{"a", "[DONE]"}, "eof"},
		// a byte-order mark before the first line is ignored
		{"bom", "\xEF\xBB\xBFdata: a\n\n", []string{"a"}, "eof"},
		// empty body
		{"empty", "", nil, "eof"},
		// lone CR line endings (valid SSE)
		{"cr", "data: a\r\rdata: b\rdata: c\r\r", []string{"a", "b\nc"}, "eof"},
		// mixed endings; a CR then LF is one ending, even split across reads
		{"mixed", "data: a\r\n\ndata: b\n\rdata: c\r\n\r\n", []string{"a", "b", "c"}, "eof"},
		// a last line ended by CR is complete
		{"final cr", "data: a\r", []string{"a"}, "eof"},
		// a CR inside what looks like one line splits it: the rest is another field
		{"cr splits", "data: a\rb: c\n\n", []string{"a"}, "eof"},
		// event: error marks its event, whatever the payload; the type resets after it
		{"error event", "event: error\ndata: {\"message\": \"upstream overloaded\"}\n\ndata: b\n\n", []string{"error→{\"message\": \"upstream overloaded\"}", "b"}, "eof"},
		{"error text", "event: error\r\ndata: overloaded\r\n\r\n", []string{"error→overloaded"}, "eof"},
		// an event type without data dispatches nothing and is forgotten at the blank line
		{"error no data", "event: error\n\ndata: b\n\n", []string{"b"}, "eof"},
		// the last event field wins
		{"event twice", "event: error\nevent: message\ndata: b\n\n", []string{"b"}, "eof"},
	} {
		for _, chunk := range []int{0, 1, 7} {
			t.Run(fmt.Sprintf("%s/chunk%d", tc.name, chunk), func(t *testing.T) {
				got, end := readEvents([]byte(tc.in), chunk, 16)
				if fmt.Sprintf("%q", show(got)) != fmt.Sprintf("%q", tc.want) || end != tc.end {
					t.Errorf("got %q, %s; want %q, %s", show(got), end, tc.want, tc.end)
				}
				// the table agrees with the standard as the reference reads it
				ref, refEnd := expectRunner(specParse([]byte(tc.in)))
				if fmt.Sprintf("%q", show(ref)) != fmt.Sprintf("%q", tc.want) || refEnd != tc.end {
					t.Errorf("reference: %q, %s", show(ref), refEnd)
				}
			})
		}
	}
}

// show renders events for the table: an error event's data after "error→".
func show(events []sseEvent) []string {
	var out []string
	for _, e := range events {
		if e.Error {
			out = append(out, "error→"+e.Data)
		} else {
			out = append(out, e.Data)
		}
	}
	return out
}

// TestSSETooLarge: an endless line is cut at maxEvent, not buffered forever.
func TestSSETooLarge(t *testing.T) {
	r := io.MultiReader(strings.NewReader("data: "), iotest.OneByteReader(io.LimitReader(zeros{}, maxEvent+1<<20)))
	sr := newSSEReader(&stampReader{r: r})
	if _, _, err := sr.next(); !errors.Is(err, errEventTooLarge) {
		t.Fatalf("err %v, want errEventTooLarge", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// FuzzSSE holds the reader to the WHATWG rules (specParse, the reference
// parser in sse_ref_test.go, plus the reader's two documented end-of-body
// leniencies) on any input, whatever the read sizes and buffer size.
func FuzzSSE(f *testing.F) {
	for _, s := range []string{"data: a\n\n", "data: a\r\ndata: b\r\n\r\n", ": c\nevent: x\ndata:y\n", "data: [DONE]", "data: {\"x\n",
		"\xEF\xBB\xBFdata: q\n\n", "data: a\rdata: b\r\r", "event: error\ndata: x\n\nevent: error\n\ndata: y\n\n", "data: a\r", "id: 1\x00\nretry: 1x\ndata\n\n"} {
		f.Add([]byte(s), uint8(3), uint8(16))
	}
	f.Fuzz(func(t *testing.T, in []byte, chunk, buf uint8) {
		want, wantEnd := expectRunner(specParse(in))
		got, end := readEvents(in, int(chunk%64)+1, int(buf)+16)
		if fmt.Sprintf("%q", show(got)) != fmt.Sprintf("%q", show(want)) || end != wantEnd {
			t.Fatalf("input %q:\n got %q, %s\nwant %q, %s", in, show(got), end, show(want), wantEnd)
		}
	})
}
