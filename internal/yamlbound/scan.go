package yamlbound

import "fmt"

// scanner measures nesting and counts tokens the way a YAML reader would
// see them, without building anything: quoted scalars, comments and block
// scalars are skipped, so brackets in a prompt's text do not count, while
// "[" and "{" where a node may start, every flow indicator inside a flow
// collection, indentation and compact "- " / "? " entries do.
//
// Two context-free measures back it up in case it ever reads a document
// differently from the parser: the running balance of every bracket in the
// file, and the run of "- " entries that starts a line, each limited to
// rawDepthFactor times MaxDepth, where the parser is still cheap.
type scanner struct {
	src       []byte
	i         int
	line, col int
	lim       Limits
	err       *Error

	flow  int   // open flow collections
	block []int // columns (0-based) of the open block nodes, increasing
	nodes int

	bol     bool // at the beginning of a line
	start   bool // a node may start here
	pending int  // column of a "- " or "? " whose entry has not started, or -1
	// literal: inside a block scalar's content, lines indented more than
	// literalParent belong to it.
	literal       bool
	literalParent int
}

// rawDepthFactor: the context-free measures allow this many times MaxDepth.
const rawDepthFactor = 16

func (s *scanner) fail(format string, a ...any) {
	if s.err == nil {
		s.err = &Error{Line: s.line, Col: s.col, Msg: fmt.Sprintf(format, a...)}
	}
}

func (s *scanner) peek(off int) byte {
	if j := s.i + off; j < len(s.src) {
		return s.src[j]
	}
	return 0
}

// advance moves past one byte, keeping line and column.
func (s *scanner) advance() {
	c := s.src[s.i]
	s.i++
	switch {
	case c == '\n':
		s.line, s.col, s.bol = s.line+1, 1, true
	case c&0xC0 != 0x80:
		s.col++
	}
}

func blank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 }

func (s *scanner) node() {
	s.nodes++
	if s.nodes > s.lim.MaxNodes {
		s.fail("more than %d YAML nodes (the cap keeps decoding within a small, fixed memory bound)", s.lim.MaxNodes)
	}
}

func (s *scanner) depth() {
	if d := len(s.block) + s.flow; d > s.lim.MaxDepth {
		s.fail("nested more than %d levels deep (the cap keeps the YAML parser's memory bounded)", s.lim.MaxDepth)
	}
}

func (s *scanner) run() {
	s.pending, s.bol = -1, true
	for s.i < len(s.src) && s.err == nil {
		if s.bol {
			s.bol = false
			s.lineStart()
			continue
		}
		c := s.src[s.i]
		switch {
		case c == '\n':
			s.advance()
		case c == ' ' || c == '\t' || c == '\r':
			s.advance()
		case c == '#' && (s.i == 0 || blank(s.src[s.i-1])):
			s.node()
			s.skipLine()
		case s.start && (c == '"' || c == '\''):
			s.content()
			s.quoted(c)
			s.start = false
		case s.start && s.flow == 0 && (c == '|' || c == '>'):
			s.node()
			s.literalParent = -1
			if s.pending >= 0 {
				s.literalParent, s.pending = s.pending, -1
			} else if len(s.block) > 0 {
				s.literalParent = s.block[len(s.block)-1]
			}
			s.literal = true
			s.skipLine()
		case s.start && (c == '&' || c == '!'):
			s.content()
			s.word()
		case s.start && c == '*':
			s.content()
			s.word()
			s.start = false
		case c == '[' || c == '{':
			if s.flow > 0 || s.start {
				s.content()
				s.flow++
				s.depth()
				s.start = true
			}
			s.advance()
		case c == ']' || c == '}':
			if s.flow > 0 {
				s.node()
				s.flow--
				s.start = false
			}
			s.advance()
		case c == ',' && s.flow > 0:
			s.node()
			s.start = true
			s.advance()
		case c == ':' && (s.flow > 0 || blank(s.peek(1))):
			s.node()
			s.start = true
			s.advance()
		case (c == '-' || c == '?') && s.flow == 0 && s.start && blank(s.peek(1)):
			s.content() // the entry of an entry before it on this line
			s.pending = s.col - 1
			s.advance()
		default:
			if s.start {
				s.content()
			}
			s.start = false
			s.advance()
		}
	}
}

// content notes that a node starts here: a compact entry ("- " or "? "
// followed by its value on the same line) nests one level at this column.
func (s *scanner) content() {
	s.node()
	if s.pending >= 0 && s.flow == 0 {
		s.push(s.col - 1)
	}
	s.pending = -1
}

func (s *scanner) push(col int) {
	if n := len(s.block); n == 0 || s.block[n-1] < col {
		s.block = append(s.block, col)
		s.depth()
	}
}

// lineStart reads a line's indentation and decides what the line is.
func (s *scanner) lineStart() {
	ind := 0
	for s.i < len(s.src) && s.src[s.i] == ' ' {
		s.advance()
		ind++
	}
	c := s.peek(0)
	if c == '\n' || c == '\r' || c == 0 || (c == '\t' && s.literal) {
		s.skipLine()
		return
	}
	if s.literal {
		if ind > s.literalParent {
			s.skipLine()
			return
		}
		s.literal = false
	}
	if c == '#' {
		s.node()
		s.skipLine()
		return
	}
	if s.flow > 0 {
		return // inside a flow collection, indentation means nothing
	}
	if ind == 0 && (c == '%' || (s.hasPrefix("---") || s.hasPrefix("...")) && blank(s.peek(3))) {
		s.block, s.pending = s.block[:0], -1
		s.node()
		if c == '%' {
			s.skipLine()
			return
		}
		for range 3 {
			s.advance()
		}
		s.start = true
		return
	}
	for len(s.block) > 0 && s.block[len(s.block)-1] > ind {
		s.block = s.block[:len(s.block)-1]
	}
	s.push(ind)
	s.pending = -1
	s.start = true
}

func (s *scanner) hasPrefix(p string) bool {
	return len(s.src)-s.i >= len(p) && string(s.src[s.i:s.i+len(p)]) == p
}

// skipLine moves to the start of the next line.
func (s *scanner) skipLine() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		s.advance()
	}
	if s.i < len(s.src) {
		s.advance()
	}
}

// word skips an anchor, alias or tag name.
func (s *scanner) word() {
	for s.i < len(s.src) && !blank(s.src[s.i]) && (s.flow == 0 || !isFlowIndicator(s.src[s.i])) {
		s.advance()
	}
}

func isFlowIndicator(c byte) bool { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}' }

// quoted skips a quoted scalar that may span lines: \ escapes in double
// quotes, ” in single quotes. An unclosed one runs to the end of the input
// (the parser reports it).
func (s *scanner) quoted(q byte) {
	s.advance()
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case q == '"' && c == '\\':
			s.advance()
			if s.i < len(s.src) {
				s.advance()
			}
		case c == q && q == '\'' && s.peek(1) == '\'':
			s.advance()
			s.advance()
		case c == q:
			s.advance()
			s.bol = false
			return
		default:
			s.advance()
		}
	}
}

// rawCheck is the context-free backup: the running balance of every
// bracket in src (floored at zero), and the run of "- " or "? " entries a
// line starts with, each at most rawDepthFactor·MaxDepth.
func rawCheck(src []byte, l Limits) *Error {
	limit := rawDepthFactor * l.MaxDepth
	bal, bol := 0, true
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '[', '{':
			if bal++; bal > limit {
				line, col := position(src, i)
				return &Error{Line: line, Col: col, Msg: fmt.Sprintf("more than %d unclosed brackets (the cap keeps the YAML parser's memory bounded)", limit)}
			}
		case ']', '}':
			bal = max(0, bal-1)
		case '\n':
			bol = true
			continue
		}
		if !bol {
			continue
		}
		bol = false
		run, j := 0, i
		for j < len(src) && src[j] == ' ' {
			j++
		}
		for j+1 < len(src) && (src[j] == '-' || src[j] == '?') && blank(src[j+1]) {
			if run++; run > limit {
				line, col := position(src, j)
				return &Error{Line: line, Col: col, Msg: fmt.Sprintf("more than %d nested list entries on one line (the cap keeps the YAML parser's memory bounded)", limit)}
			}
			for j += 2; j < len(src) && src[j] == ' '; j++ {
			}
		}
	}
	return nil
}
