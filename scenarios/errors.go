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

// beside keeps l's first n errors (the decoder's) and those after them
// (validation's) that cannot be echoes of them. A validation error echoes
// a field that did not decode when it is about something inside that
// field, about a field that holds it (a weight that is not a number
// leaves the mix's weights summing to 0), or about the sibling its name
// is a near miss of (a misspelt "rat:" leaves "rate" missing). Problems
// elsewhere in the file are kept.
func (l ErrorList) beside(n int) ErrorList {
	out := l[:n:n]
	for _, e := range l[n:] {
		if !slices.ContainsFunc(l[:n], e.echoes) {
			out = append(out, e)
		}
	}
	return out
}

// echoes reports whether validation error e may only follow from decoding
// error d.
func (e *Error) echoes(d *Error) bool {
	switch {
	case within(e.Path, d.Path):
		return true
	case e.Path != "" && within(d.Path, e.Path):
		return true
	}
	parent := parentPath(d.Path)
	if parentPath(e.Path) != parent {
		return false
	}
	_, near := Nearest(lastName(d.Path, parent), []string{lastName(e.Path, parent)})
	return near
}

// lastName is path's last element, parent being its parent path.
func lastName(path, parent string) string {
	return strings.TrimLeft(path[len(parent):], ".")
}

// within reports whether the field path p is q or inside it
// (load.stages[0].rate is within load.stages[0] and load.stages).
func within(p, q string) bool {
	if !strings.HasPrefix(p, q) {
		return false
	}
	return len(p) == len(q) || q == "" || p[len(q)] == '.' || p[len(q)] == '['
}

// err returns l as an error, or nil when it is empty.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return l.sorted()
}
