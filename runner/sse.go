package runner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// sseReader splits a text/event-stream body into the data of its events.
//
// It follows the SSE rules the endpoints use: LF or CRLF line endings, lines
// starting with ':' are comments, "field: value" with one optional space
// after the colon, event/id/retry and unknown fields ignored, several data
// lines joined with '\n', an event ends at a blank line. A line may be far
// longer than the read buffer (one event can exceed 64 KiB: a long tool
// call, a padded event); maxEvent bounds it so a broken server cannot make
// the client buffer without limit.
//
// Each event is stamped with the time its first data line arrived: the time
// of the body Read that delivered the end of that line, taken right after
// Read returned and before anything was parsed (see stampReader). Events that
// arrived in one read share its stamp, which is the truth: that is when the
// process got them.
type sseReader struct {
	st   *stampReader
	br   *bufio.Reader
	data []byte // the current event's data, reused
	long []byte // a line longer than br's buffer, reused
	bom  bool   // the first line has been checked for a BOM
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

// reset reuses the reader for another body.
func (s *sseReader) reset(st *stampReader) {
	s.st = st
	s.br.Reset(st)
	s.data = s.data[:0]
	s.long = s.long[:0]
	s.bom = false
}

// line returns the next line without its ending and the stamp of the read
// that completed it. At the end of the body it returns io.EOF, or, when the
// body stops in the middle of a line, that partial line and errPartialLine.
func (s *sseReader) line() ([]byte, time.Time, error) {
	b, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(s.long) > maxEvent {
				return nil, time.Time{}, errEventTooLarge
			}
			b, err = s.br.ReadSlice('\n')
			s.long = append(s.long, b...)
		}
		b = s.long
	}
	at := s.st.at
	if err != nil {
		if err == io.EOF {
			if len(b) > 0 {
				return b, at, errPartialLine
			}
			return nil, at, io.EOF
		}
		return nil, at, err
	}
	b = b[:len(b)-1]
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if !s.bom {
		s.bom = true
		b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	}
	return b, at, nil
}

// next reads up to the end of the next event that has data and returns that
// data (valid until the next call) with its stamp. A pending event at the
// end of the body is returned (a last event without its blank line is still
// an event); then io.EOF. A body cut in the middle of a line returns
// io.ErrUnexpectedEOF, except a last "data: [DONE]" without its newline,
// which is accepted.
func (s *sseReader) next() ([]byte, time.Time, error) {
	s.data = s.data[:0]
	have := false
	var stamp time.Time
	for {
		b, at, err := s.line()
		if err == errPartialLine {
			if v, ok := dataValue(b); ok && !have && bytes.Equal(v, doneMarker) {
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
			continue
		}
		v, ok := dataValue(b)
		if !ok {
			continue // a comment, or event:, id:, retry:, an unknown field
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
	}
}

// dataValue returns the value of a "data" line.
func dataValue(line []byte) ([]byte, bool) {
	const field = "data"
	if len(line) < len(field) || string(line[:len(field)]) != field {
		return nil, false
	}
	rest := line[len(field):]
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
