package yamlbound

import (
	"fmt"
	"io"
	"os"
)

// Limits bound one YAML document.
type Limits struct {
	// MaxBytes is the largest input accepted.
	MaxBytes int
	// MaxDepth is the deepest nesting accepted, block and flow together.
	MaxDepth int
	// MaxNodes bounds the nodes of the document, counted before parsing
	// (a generous over-count of its tokens) and again after parsing with
	// every alias expanded.
	MaxNodes int
}

// Default are the limits for scenario, catalog and mock config files.
//
// Within them the scenario decoder allocates less than 100 MiB in total
// whatever the content (TestParseAllocationBound in scenarios measures the
// worst inputs we know: a file of one long string, a file of as many nodes
// as allowed, nesting at the limit, aliases expanded to the limit). The
// built-in scenarios are under 2 KB, 10 levels and 400 nodes.
var Default = Limits{MaxBytes: 1 << 20, MaxDepth: 64, MaxNodes: 50_000}

// Error is a refusal at a place in the input (1-based line and column).
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// ReadFile reads path, refusing a file larger than max bytes without
// reading more than max+1 of them. The refusal names the file's size (when
// the file system knows it) and the cap, at the position of the first byte
// past the cap.
func ReadFile(path string, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > max {
		return nil, tooLarge(b, max, size)
	}
	return b, nil
}

// Check refuses src if it is larger than l.MaxBytes, nests deeper than
// l.MaxDepth or holds more than l.MaxNodes tokens. It reads src once,
// allocates nothing that grows with it, and errs on the side of counting
// too much: a refused document might in fact be one level or a few nodes
// smaller, an accepted one never bigger.
func Check(src []byte, l Limits) *Error {
	if len(src) > l.MaxBytes {
		return tooLarge(src, l.MaxBytes, int64(len(src)))
	}
	s := scanner{src: src, lim: l, line: 1, col: 1}
	if s.run(); s.err != nil {
		return s.err
	}
	return rawCheck(src, l)
}

func tooLarge(b []byte, max int, size int64) *Error {
	line, col := position(b, max)
	what := "larger than"
	if size >= 0 {
		what = fmt.Sprintf("%d bytes (%s), over", size, human(size))
	}
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf("the file is %s the %s (%d bytes) cap on YAML input", what, human(int64(max)), max)}
}

// position is the 1-based line and column of byte offset off.
func position(b []byte, off int) (line, col int) {
	line, col = 1, 1
	for _, c := range b[:min(off, len(b))] {
		switch {
		case c == '\n':
			line, col = line+1, 1
		case c&0xC0 != 0x80: // not a UTF-8 continuation byte
			col++
		}
	}
	return line, col
}

func human(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
