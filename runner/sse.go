package runner

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// sseReader splits an SSE byte stream into events. It accepts LF and CRLF
// line endings, ':' comments, event:/id:/retry: fields (ignored) and multi-line
// data (joined with '\n'), and lines longer than its buffer (one event may
// exceed 64 KiB). It returns data in a buffer it reuses, so the caller must
// finish with one event before asking for the next.
type sseReader struct {
	br   *bufio.Reader
	data []byte
	long []byte
}

func newSSEReader(r io.Reader) *sseReader {
	return &sseReader{br: bufio.NewReaderSize(r, 32<<10), data: make([]byte, 0, 4096)}
}

// errNoEvent is returned by next when the body ends between events.
var errNoEvent = io.EOF

// line returns the next line without its line ending. onFirstByte is called
// once, when the line's first byte has been read, so the caller's clock stamp
// is taken before anything is parsed.
func (s *sseReader) line() ([]byte, error) {
	b, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = s.br.ReadSlice('\n')
			s.long = append(s.long, b...)
		}
		b = s.long
	}
	if err != nil {
		if err == io.EOF && len(b) > 0 {
			// A last line without newline: a truncated body. Report it as
			// unexpected EOF so the caller does not take it as an event.
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	b = b[:len(b)-1]
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, nil
}

// next reads up to the end of the next event that carries data and returns
// its data. stamp is called when the event's first data line has been read.
func (s *sseReader) next(stamp func()) ([]byte, error) {
	s.data = s.data[:0]
	have := false
	for {
		b, err := s.line()
		if err != nil {
			if have && errors.Is(err, io.EOF) {
				return s.data, nil
			}
			return nil, err
		}
		if len(b) == 0 {
			if have {
				return s.data, nil
			}
			continue
		}
		if b[0] == ':' {
			continue
		}
		field, value := b, []byte(nil)
		if i := bytes.IndexByte(b, ':'); i >= 0 {
			field, value = b[:i], b[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		if string(field) != "data" {
			continue
		}
		if !have {
			stamp()
			have = true
		} else {
			s.data = append(s.data, '\n')
		}
		s.data = append(s.data, value...)
	}
}
