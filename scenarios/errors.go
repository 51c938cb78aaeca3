package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one thing wrong with a scenario or catalog file, located at the
// line and column of the offending value:
//
//	scenario.yaml:14:7: load.stages[0].rate: "fast" is not a rate (try "20/s" or "1200/m")
//
// Line is 0 when the problem has no place in the file (for example an
// override given on the command line); the position is then left out.
type Error struct {
	File      string
	Line, Col int
	Path      string // field path: load.stages[0].rate
	Msg       string // what is wrong (what would be right)
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in one file, in file order. Decoding and
// validation keep going after the first problem so a user fixes them all in
// one pass.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// sorted orders by position, then path, and drops exact duplicates.
func (l ErrorList) sorted() ErrorList {
	out := slices.Clone(l)
	slices.SortStableFunc(out, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return slices.CompactFunc(out, func(a, b *Error) bool { return *a == *b })
}

// err returns l as an error, or nil when it is empty.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return l.sorted()
}
