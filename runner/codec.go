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

// ResultsWriter appends records to a results file so that a crash or
// Ctrl-C leaves a valid JSONL prefix: Write encodes the record into a memory
// buffer (appendResult: no reflection, no allocation) and one goroutine
// hands the buffer to the file at least every FlushEvery, or as soon as it
// holds writeChunk bytes. Write never waits for the disk, only, when the
// disk has fallen maxPending bytes behind, for it to catch up (the memory a
// stuck disk may cost is bounded). Encoding in the caller and handing over
// whole buffers costs one lock per record and one wake-up per chunk, where
// a channel send per record woke the writer for every request.
type ResultsWriter struct {
	f      ResultsFile
	kick   chan struct{} // capacity 1: a chunk is ready, or Close
	done   chan struct{}
	failed chan struct{} // closed at the first error

	mu       sync.Mutex
	caughtUp sync.Cond // signalled when the loop takes the pending buffer
	pending  []byte    // encoded records not yet handed to the file
	lines    int64     // result lines in pending
	closing  bool
	err      error
	written  int64
}

// FlushEvery bounds how long a finished request may sit in memory unwritten.
const FlushEvery = time.Second

// writeChunk is how much pending data wakes the writer before FlushEvery;
// maxPending is how far behind the disk may fall before Write waits.
const (
	writeChunk = 256 << 10
	maxPending = 64 << 20
)

// ResultsFile is where a ResultsWriter writes: an *os.File, or in tests a
// file that fails.
type ResultsFile interface {
	io.Writer
	Sync() error
	Close() error
}

// CreateResults creates path, writes the header line and starts the writer.
func CreateResults(path string, h Header) (*ResultsWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return NewResultsWriter(f, h)
}

// NewResultsWriter writes the header line to f and starts the writer; f is
// closed by Close (or here, if the header cannot be written).
func NewResultsWriter(f ResultsFile, h Header) (*ResultsWriter, error) {
	w := &ResultsWriter{f: f, kick: make(chan struct{}, 1), done: make(chan struct{}), failed: make(chan struct{})}
	w.caughtUp.L = &w.mu
	h.Type = "header"
	line, err := json.Marshal(h)
	if err == nil {
		_, err = f.Write(append(line, '\n'))
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	go w.loop()
	return w, nil
}

// Write queues one result. Safe for concurrent use.
func (w *ResultsWriter) Write(r *Result) {
	r.Type = "result"
	w.mu.Lock()
	for len(w.pending) >= maxPending && w.err == nil {
		w.caughtUp.Wait()
	}
	var err error
	n := len(w.pending)
	if w.pending, err = encodeResult(w.pending, r); err != nil {
		w.pending = w.pending[:n]
		w.failLocked(err)
	} else {
		w.lines++
	}
	full := len(w.pending) >= writeChunk
	w.mu.Unlock()
	if full {
		w.wake()
	}
}

func (w *ResultsWriter) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Close writes the footer, flushes, syncs and closes the file. Write must
// not be called after Close.
func (w *ResultsWriter) Close(f Footer) error {
	f.Type = "footer"
	line, err := json.Marshal(f)
	w.mu.Lock()
	if err != nil {
		w.failLocked(err)
	} else {
		w.pending = append(append(w.pending, line...), '\n')
	}
	w.closing = true
	w.mu.Unlock()
	w.wake()
	<-w.done
	if err := w.f.Sync(); err != nil && w.Err() == nil {
		w.setErr(err)
	}
	if err := w.f.Close(); err != nil && w.Err() == nil {
		w.setErr(err)
	}
	return w.Err()
}

// Written is the number of result lines handed to the file so far.
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

// Failed is closed at the first error: from then on nothing more can be
// recorded, so a run stops issuing (nothing is sent that cannot be kept).
func (w *ResultsWriter) Failed() <-chan struct{} { return w.failed }

func (w *ResultsWriter) setErr(err error) {
	w.mu.Lock()
	w.failLocked(err)
	w.caughtUp.Broadcast()
	w.mu.Unlock()
}

func (w *ResultsWriter) failLocked(err error) {
	if w.err == nil {
		w.err = err
		close(w.failed)
	}
}

// loop hands the pending buffer to the file on every kick and tick,
// swapping it for the one just written so a steady run reuses two buffers.
func (w *ResultsWriter) loop() {
	defer close(w.done)
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	var spare []byte
	for {
		select {
		case <-w.kick:
		case <-t.C:
		}
		w.mu.Lock()
		buf, lines, closing := w.pending, w.lines, w.closing
		w.pending, w.lines = spare[:0], 0
		w.caughtUp.Broadcast()
		w.mu.Unlock()
		if len(buf) > 0 {
			if n, err := w.f.Write(buf); err != nil {
				// The whole lines of a short write are in the file.
				w.mu.Lock()
				w.written += int64(bytes.Count(buf[:n], []byte{'\n'}))
				w.mu.Unlock()
				w.setErr(err)
			} else {
				w.mu.Lock()
				w.written += lines
				w.mu.Unlock()
			}
		}
		if cap(buf) <= 2*writeChunk {
			spare = buf
		} else {
			spare = nil // a burst's buffer is not kept for the rest of the run
		}
		if closing {
			return
		}
	}
}

// lineEncoder writes records as JSON lines through a buffer (merge's
// output). json.Marshal never emits a raw newline, so a line is always
// exactly one record; results go through appendResult.
type lineEncoder struct {
	bw  *bufio.Writer
	buf []byte
}

func newLineEncoder(w io.Writer) *lineEncoder {
	return &lineEncoder{bw: bufio.NewWriterSize(w, 256<<10)}
}

func (e *lineEncoder) encode(v any) error {
	var err error
	if r, ok := v.(*Result); ok {
		e.buf, err = encodeResult(e.buf[:0], r)
	} else {
		var b []byte
		b, err = json.Marshal(v)
		e.buf = append(append(e.buf[:0], b...), '\n')
	}
	if err != nil {
		return err
	}
	_, err = e.bw.Write(e.buf)
	return err
}

func (e *lineEncoder) flush() error { return e.bw.Flush() }

// Reader decodes a results file one record at a time, so arbitrarily large
// files are read in constant memory.
type Reader struct {
	br   *bufio.Reader
	dec  *RecordDecoder
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
	rd := &Reader{br: bufio.NewReaderSize(r, 64<<10), dec: NewRecordDecoder(), name: name}
	line, err := rd.readLine()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if rd.Header, err = ParseHeader(name, line); err != nil {
		return nil, err
	}
	return rd, nil
}

// ParseHeader decodes a results file's first line; name is the file, for
// messages. Every reader of results files (this Reader, the report's
// parallel blocks, merge) takes the header through it.
func ParseHeader(name string, line []byte) (Header, error) {
	var h Header
	if len(bytes.TrimSpace(line)) == 0 {
		return h, fmt.Errorf("%s: empty file: %w", name, ErrNotResults)
	}
	if recordType(line) != "header" {
		return h, fmt.Errorf("%s:1: %w", name, ErrNotResults)
	}
	if err := json.Unmarshal(line, &h); err != nil {
		return h, fmt.Errorf("%s:1: bad header: %v", name, err)
	}
	return h, nil
}

// PartialLastLine is the warning for a last line without its newline that
// does not parse: a write cut short by a crash or SIGKILL, skipped.
func PartialLastLine(name string, line int) string {
	return fmt.Sprintf("%s:%d: partial last line skipped (the run was cut short)", name, line)
}

// recordType is a line's "type" field, "" when the line is not a JSON
// object or has none.
func recordType(line []byte) string {
	var probe struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(line, &probe) != nil {
		return ""
	}
	return probe.Type
}

// Next decodes the next result into r (reused by the caller to avoid
// allocation: r's slices keep their capacity from call to call, so copy
// them to keep them past the next call). It returns io.EOF at the end. A last line without its newline
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
		// Results are nearly every line: decode straight into r, and look
		// closer only at a line that is not one (the footer, or a fault).
		// The caller owns r, so its usage must not point into the decoder.
		if rd.dec.Decode(line, r) == nil && r.Type == "result" {
			if r.Usage != nil {
				u := *r.Usage
				r.Usage = &u
			}
			return nil
		}
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(line, &probe); err != nil {
			if !complete {
				rd.Warnings = append(rd.Warnings, PartialLastLine(rd.name, rd.line))
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
