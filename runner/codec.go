package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// ResultsWriter appends records to a results file from one goroutine, through
// a buffered writer flushed at least every FlushEvery, so that a crash or
// Ctrl-C leaves a valid JSONL prefix. Write never blocks on disk.
type ResultsWriter struct {
	f       *os.File
	enc     *lineEncoder
	in      chan any
	done    chan struct{}
	mu      sync.Mutex // guards err
	err     error
	written int64
}

// FlushEvery bounds how long a finished request may sit in memory unwritten.
const FlushEvery = time.Second

// CreateResults creates path, writes the header line and starts the writer.
func CreateResults(path string, h Header) (*ResultsWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	w := &ResultsWriter{f: f, enc: newLineEncoder(f), in: make(chan any, 4096), done: make(chan struct{})}
	h.Type = "header"
	if err := w.enc.encode(h); err != nil {
		f.Close()
		return nil, err
	}
	if err := w.enc.flush(); err != nil {
		f.Close()
		return nil, err
	}
	go w.loop()
	return w, nil
}

// Write queues one result. Safe for concurrent use.
func (w *ResultsWriter) Write(r *Result) {
	r.Type = "result"
	w.in <- r
}

// Close writes the footer, flushes, syncs and closes the file.
func (w *ResultsWriter) Close(f Footer) error {
	f.Type = "footer"
	w.in <- f
	close(w.in)
	<-w.done
	if err := w.f.Sync(); err != nil && w.Err() == nil {
		w.setErr(err)
	}
	if err := w.f.Close(); err != nil && w.Err() == nil {
		w.setErr(err)
	}
	return w.Err()
}

// Written is the number of result lines written so far.
func (w *ResultsWriter) Written() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written
}

// Err is the first write error, if any.
func (w *ResultsWriter) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *ResultsWriter) setErr(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}

func (w *ResultsWriter) loop() {
	defer close(w.done)
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case v, ok := <-w.in:
			if !ok {
				if err := w.enc.flush(); err != nil {
					w.setErr(err)
				}
				return
			}
			if err := w.enc.encode(v); err != nil {
				w.setErr(err)
				continue
			}
			if _, isResult := v.(*Result); isResult {
				w.mu.Lock()
				w.written++
				w.mu.Unlock()
			}
		case <-t.C:
			if err := w.enc.flush(); err != nil {
				w.setErr(err)
			}
		}
	}
}

// lineEncoder writes records as JSON lines through a buffer. json.Marshal
// never emits a raw newline, so a line is always exactly one record.
type lineEncoder struct{ bw *bufio.Writer }

func newLineEncoder(w io.Writer) *lineEncoder {
	return &lineEncoder{bw: bufio.NewWriterSize(w, 256<<10)}
}

func (e *lineEncoder) encode(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = e.bw.Write(b)
	return err
}

func (e *lineEncoder) flush() error { return e.bw.Flush() }

// Reader decodes a results file one record at a time, so arbitrarily large
// files are read in constant memory.
type Reader struct {
	br   *bufio.Reader
	name string
	line int
	// Header is the file's first line.
	Header Header
	// Footer is set once the footer line has been read (nil for a cut file).
	Footer *Footer
	// Warnings collects what was skipped, e.g. a partial last line.
	Warnings []string
}

// ErrNotResults is returned when a file does not start with a header line.
var ErrNotResults = errors.New("not a seedbench results file (no header line)")

// NewReader reads the header of a results file. name is used in messages.
func NewReader(r io.Reader, name string) (*Reader, error) {
	rd := &Reader{br: bufio.NewReaderSize(r, 64<<10), name: name}
	line, err := rd.readLine()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty file: %w", name, ErrNotResults)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var probe struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(line, &probe) != nil || probe.Type != "header" {
		return nil, fmt.Errorf("%s:1: %w", name, ErrNotResults)
	}
	if err := json.Unmarshal(line, &rd.Header); err != nil {
		return nil, fmt.Errorf("%s:1: bad header: %v", name, err)
	}
	return rd, nil
}

// Next decodes the next result into r (reused by the caller to avoid
// allocation). It returns io.EOF at the end. A last line without its newline
// (a write cut by a crash) that does not parse is skipped with a warning; a
// malformed line elsewhere is an error naming file:line.
func (rd *Reader) Next(r *Result) error {
	for {
		line, err := rd.readLine()
		if err != nil {
			return err
		}
		complete := len(line) > 0 && line[len(line)-1] == '\n'
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(line, &probe); err != nil {
			if !complete {
				rd.Warnings = append(rd.Warnings, fmt.Sprintf("%s:%d: partial last line skipped (the run was cut short)", rd.name, rd.line))
				return io.EOF
			}
			return fmt.Errorf("%s:%d: not a JSON record: %v", rd.name, rd.line, err)
		}
		switch probe.Type {
		case "result":
			*r = Result{}
			if err := json.Unmarshal(line, r); err != nil {
				return fmt.Errorf("%s:%d: bad result record: %v", rd.name, rd.line, err)
			}
			return nil
		case "footer":
			var f Footer
			if err := json.Unmarshal(line, &f); err != nil {
				return fmt.Errorf("%s:%d: bad footer: %v", rd.name, rd.line, err)
			}
			rd.Footer = &f
		default:
			return fmt.Errorf("%s:%d: unknown record type %q", rd.name, rd.line, probe.Type)
		}
	}
}

// readLine returns the next line including its '\n' when present; lines of
// any length are supported (a record with thousands of event offsets).
func (rd *Reader) readLine() ([]byte, error) {
	line, err := rd.br.ReadBytes('\n')
	if len(line) > 0 {
		rd.line++
		return line, nil
	}
	return nil, err
}
