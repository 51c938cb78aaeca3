package runner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// sseReader splits a text/event-stream body into its events, following the
// WHATWG HTML "Server-sent events" parsing rules (§9.2.6, "Interpreting an
// event stream"):
//
//   - lines end with CRLF, LF or a lone CR (a CRLF split across two reads
//     is one line ending, never an empty line);
//   - one leading byte-order mark is ignored;
//   - a line starting with ':' is a comment;
//   - "field: value" splits at the first colon and drops one space after
//     it; a line without a colon is a field with an empty value;
//   - "data" appends its value and '\n' to the data buffer, "event" sets the
//     event type, "id", "retry" and unknown fields do not change the data;
//   - a blank line dispatches the event when the data buffer is not empty
//     (minus its last '\n'), then resets the data and the event type.
//
// Two deliberate leniencies at the end of the body, because a load test
// must say how a stream ended rather than silently lose its last event: a
// pending event whose last line ended but whose blank line never came is
// still returned (the spec discards it), and a last line cut before its
// line ending fails the stream as truncated, except "data: [DONE]" alone.
// The reference reader in sse_ref_test.go is the spec as written; FuzzSSE
// compares the two with exactly these leniencies.
//
// Bytes are not decoded to UTF-8 code points: every delimiter is ASCII, so
// the line structure is the same, and the JSON scanner validates values.
//
// A line may be far longer than the read buffer (one event can exceed 64
// KiB: a long tool call, a padded event); maxEvent bounds one event, and
// the run's eventBudget bounds what all streams buffer together.
//
// Each event is stamped with the time its first data line arrived: the time
// of the body Read that delivered the end of that line, taken right after
// Read returned and before anything was parsed (see stampReader). Events that
// arrived in one read share its stamp, which is the truth: that is when the
// process got them.
type sseReader struct {
	st     *stampReader
	br     *bufio.Reader
	data   []byte // the current event's data, reused
	long   []byte // a line longer than br's buffer, reused
	event  []byte // the current event's type (the "event" field), reused
	bom    bool   // the first line has been checked for a BOM
	skipLF bool   // the last line ended with CR: a LF right after it belongs to it
	budget *eventBudget
	held   int64 // bytes reserved from budget for data and long
}

// sseBufSize is the read buffer per stream (2 KiB: ten token events; a
// burst beyond it is read in several calls): small, because thousands of
// streams may be open at once; longer lines spill into sseReader.long.
const sseBufSize = 2 << 10

// maxEvent is the largest event data accepted (16 MiB).
const maxEvent = 16 << 20

var (
	errEventTooLarge = fmt.Errorf("an SSE event is larger than %d MiB", maxEvent>>20)
	errPartialLine   = errors.New("body ended in the middle of a line")
)

func newSSEReader(st *stampReader) *sseReader { return newSSEReaderSize(st, sseBufSize) }

// newSSEReaderSize lets tests use a tiny buffer to exercise long lines.
func newSSEReaderSize(st *stampReader, size int) *sseReader {
	return &sseReader{st: st, br: bufio.NewReaderSize(st, size)}
}

// reset reuses the reader for another body: it reads src, whose bytes st
// stamps (src is st itself, or a decompressor reading from st), and draws
// on budget (nil: none).
func (s *sseReader) reset(src io.Reader, st *stampReader, budget *eventBudget) {
	s.release()
	s.st = st
	s.br.Reset(src)
	s.data = s.data[:0]
	s.long = s.long[:0]
	s.event = s.event[:0]
	s.bom = false
	s.skipLF = false
	s.budget = budget
}

// release returns what the reader holds to its budget.
func (s *sseReader) release() {
	if s.budget != nil && s.held > 0 {
		s.budget.release(s.held)
	}
	s.held = 0
}

// reserve accounts for the capacity of the reader's growing buffers: one
// atomic operation each time they outgrow what is already reserved (rounded
// up to budgetStep), so an ordinary stream touches the budget once.
func (s *sseReader) reserve() error {
	if s.budget == nil {
		return nil
	}
	need := int64(cap(s.data) + cap(s.long))
	if need <= s.held {
		return nil
	}
	step := (need - s.held + budgetStep - 1) / budgetStep * budgetStep
	if !s.budget.take(step) {
		return s.budget.exceeded(s.held)
	}
	s.held += step
	return nil
}

// isError reports whether the event just returned by next is an
// "event: error".
func (s *sseReader) isError() bool { return string(s.event) == "error" }

// line returns the next line without its ending and the stamp of the read
// that completed it. At the end of the body it returns io.EOF, or, when the
// body stops in the middle of a line, that partial line and errPartialLine.
// The line is valid until the next call.
func (s *sseReader) line() ([]byte, time.Time, error) {
	s.long = s.long[:0]
	for {
		n := s.br.Buffered()
		buf := s.peek(n)
		if s.skipLF && n > 0 {
			s.skipLF = false
			if buf[0] == '\n' {
				_, _ = s.br.Discard(1)
				continue
			}
		}
		if i := lineEnd(buf); i >= 0 {
			b := buf[:i]
			if len(s.long) > 0 {
				s.long = append(s.long, b...)
				b = s.long
				if err := s.reserve(); err != nil {
					return nil, s.st.at, err
				}
			}
			skip := i + 1
			if buf[i] == '\r' {
				if i+1 < n {
					if buf[i+1] == '\n' {
						skip++
					}
				} else {
					s.skipLF = true // the LF, if any, is in the next read
				}
			}
			// b stays valid: Discard within the buffer does not refill it.
			_, _ = s.br.Discard(skip)
			return s.firstLine(b), s.st.at, nil
		}
		if n > 0 && (n == s.br.Size() || len(s.long) > 0) {
			// A line longer than the buffer: carry on in long.
			if len(s.long)+n > maxEvent {
				return nil, s.st.at, errEventTooLarge
			}
			s.long = append(s.long, buf...)
			_, _ = s.br.Discard(n)
			if err := s.reserve(); err != nil {
				return nil, s.st.at, err
			}
			continue
		}
		// Read once more, keeping what is buffered (bufio slides it).
		if _, err := s.br.Peek(n + 1); err != nil && s.br.Buffered() == n {
			at := s.st.at
			if err != io.EOF {
				return nil, at, err
			}
			s.long = append(s.long, s.peek(n)...) // re-peek: a fill may have slid the buffer
			_, _ = s.br.Discard(n)
			if b := s.firstLine(s.long); len(b) > 0 {
				return b, at, errPartialLine
			}
			return nil, at, io.EOF // nothing, or only a byte-order mark
		}
	}
}

// peek returns the n buffered bytes (n ≤ Buffered, so no read happens).
func (s *sseReader) peek(n int) []byte {
	b, _ := s.br.Peek(n)
	return b
}

// firstLine drops a byte-order mark at the very start of the stream.
func (s *sseReader) firstLine(b []byte) []byte {
	if !s.bom {
		s.bom = true
		b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	}
	return b
}

// lineEnd is the index of the first CR or LF in b, or -1.
func lineEnd(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		i = len(b)
	}
	if j := bytes.IndexByte(b[:i], '\r'); j >= 0 {
		return j
	}
	if i == len(b) {
		return -1
	}
	return i
}

// next reads up to the end of the next event that has data and returns that
// data (valid until the next call) with its stamp; isError then says whether
// it was an "event: error". A pending event at the end of the body is
// returned (a last event without its blank line is still an event); then
// io.EOF. A body cut in the middle of a line returns io.ErrUnexpectedEOF,
// except a last "data: [DONE]" without its line ending, which is accepted.
func (s *sseReader) next() ([]byte, time.Time, error) {
	s.data = s.data[:0]
	s.event = s.event[:0]
	have := false
	var stamp time.Time
	for {
		b, at, err := s.line()
		if err == errPartialLine {
			if v, ok := dataValue(b); ok && !have && bytes.Equal(v, doneMarker) {
				s.event = s.event[:0]
				return doneMarker, at, nil
			}
			return nil, at, io.ErrUnexpectedEOF
		}
		if err != nil {
			if err == io.EOF && have {
				return s.data, stamp, nil
			}
			return nil, at, err
		}
		if len(b) == 0 {
			if have {
				return s.data, stamp, nil
			}
			s.event = s.event[:0] // a blank line with no data resets the type
			continue
		}
		if v, ok := fieldValue(b, "event"); ok {
			s.event = append(s.event[:0], v...)
			continue
		}
		v, ok := dataValue(b)
		if !ok {
			continue // a comment, or id:, retry:, an unknown field
		}
		if !have {
			have, stamp = true, at
		} else {
			s.data = append(s.data, '\n')
		}
		if len(s.data)+len(v) > maxEvent {
			return nil, at, errEventTooLarge
		}
		s.data = append(s.data, v...)
		if err := s.reserve(); err != nil {
			return nil, at, err
		}
	}
}

// dataValue returns the value of a "data" line.
func dataValue(line []byte) ([]byte, bool) { return fieldValue(line, "data") }

// fieldValue returns the value of line when its field is name: the text
// after the first colon minus one leading space, or empty when the line is
// the name alone.
func fieldValue(line []byte, name string) ([]byte, bool) {
	if len(line) < len(name) || string(line[:len(name)]) != name {
		return nil, false
	}
	rest := line[len(name):]
	switch {
	case len(rest) == 0:
		return rest, true // "data" alone: an empty data line
	case rest[0] != ':':
		return nil, false // "database: …" is another field
	}
	rest = rest[1:]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return rest, true
}

var doneMarker = []byte("[DONE]")

// stampReader wraps a response body and notes when each Read that returned
// data came back: the arrival time of those bytes in this process. It also
// publishes the offset of the latest arrival for the idle watchdog.
type stampReader struct {
	r    io.Reader
	at   time.Time
	wd   *watchdog // nil: no idle watchdog
	sent time.Time
}

func (r *stampReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.at = time.Now()
		if r.wd != nil {
			r.wd.activity(r.at.Sub(r.sent))
		}
	}
	return n, err
}
