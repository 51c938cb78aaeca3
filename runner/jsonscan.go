package runner

import (
	"errors"
	"unicode/utf8"
)

// jscan is a validating, allocation-free JSON scanner over one event's
// bytes. It reads exactly the members the runner needs and skips the rest
// (still checking their syntax), so decoding a token event costs a pass over
// its bytes and no allocation, where encoding/json would allocate every
// string of the chunk.
type jscan struct {
	b     []byte
	i     int
	depth int
}

// maxDepth matches encoding/json's nesting limit.
const maxDepth = 10000

var (
	errSyntax  = errors.New("invalid JSON")
	errEnd     = errors.New("unexpected end of JSON")
	errTooDeep = errors.New("JSON nested too deeply")
)

func (s *jscan) ws() {
	b, i := s.b, s.i
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	s.i = i
}

// peek returns the next non-space byte without consuming it (0 at the end).
func (s *jscan) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// member advances to the next member of an object whose '{' has been
// consumed and returns its raw key (escapes not decoded) with the value
// next in line; ok is false after the closing '}'. first must be true on the
// first call of each object.
func (s *jscan) member(first *bool) (key []byte, ok bool, err error) {
	c := s.peek()
	if c == '}' {
		s.i++
		return nil, false, nil
	}
	if !*first {
		if c != ',' {
			return nil, false, s.fail()
		}
		s.i++
		c = s.peek()
	}
	*first = false
	if c != '"' {
		return nil, false, s.fail()
	}
	key, _, err = s.str()
	if err != nil {
		return nil, false, err
	}
	if s.peek() != ':' {
		return nil, false, s.fail()
	}
	s.i++
	s.ws()
	return key, true, nil
}

// element advances to the next element of an array whose '[' has been
// consumed; ok is false after the closing ']'.
func (s *jscan) element(first *bool) (ok bool, err error) {
	c := s.peek()
	if c == ']' {
		s.i++
		return false, nil
	}
	if !*first {
		if c != ',' {
			return false, s.fail()
		}
		s.i++
		s.ws()
	}
	*first = false
	return true, nil
}

func (s *jscan) fail() error {
	if s.i >= len(s.b) {
		return errEnd
	}
	return errSyntax
}

// open consumes '{' or '[' (c) and counts the depth.
func (s *jscan) open(c byte) (bool, error) {
	if s.peek() != c {
		return false, nil
	}
	if s.depth++; s.depth > maxDepth {
		return false, errTooDeep
	}
	s.i++
	return true, nil
}

func (s *jscan) close() { s.depth-- }

// object walks an object value, calling member with each key while the
// scanner stands at that key's value, which member must consume. A value of
// another type (null, a number, …) is skipped: found is false. member does
// not escape, so the closures callers pass stay on the stack.
func (s *jscan) object(member func(key []byte) error) (found bool, err error) {
	ok, err := s.open('{')
	if err != nil || !ok {
		if err == nil {
			err = s.skip()
		}
		return false, err
	}
	first := true
	for {
		key, more, err := s.member(&first)
		if err != nil {
			return true, err
		}
		if !more {
			break
		}
		if err := member(key); err != nil {
			return true, err
		}
	}
	s.close()
	return true, nil
}

// array walks an array value, calling element with the scanner at each
// element, which element must consume. Other values are skipped.
func (s *jscan) array(element func() error) (found bool, err error) {
	ok, err := s.open('[')
	if err != nil || !ok {
		if err == nil {
			err = s.skip()
		}
		return false, err
	}
	first := true
	for {
		more, err := s.element(&first)
		if err != nil {
			return true, err
		}
		if !more {
			break
		}
		if err := element(); err != nil {
			return true, err
		}
	}
	s.close()
	return true, nil
}

// null consumes a null literal if one is next.
func (s *jscan) null() bool {
	if s.peek() == 'n' && len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// str consumes a string and returns its raw contents (between the quotes,
// escapes left as they are) and its length in runes once unescaped. Like
// encoding/json, it rejects control characters and bad escapes, counts an
// invalid UTF-8 byte or a lone surrogate as one (replacement) rune, and a
// surrogate pair as one.
func (s *jscan) str() (raw []byte, runes int, err error) {
	if s.peek() != '"' {
		return nil, 0, s.fail()
	}
	// Locals, not *s, in the loop: the compiler keeps them in registers.
	b := s.b
	start := s.i + 1
	i, seg := start, start // seg: start of the current run of unescaped bytes
	wide := false          // the run has a byte ≥ 0x80: count its runes
	for i < len(b) {
		c := b[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			wide = wide || c >= 0x80
			i++
			continue
		}
		switch c {
		case '"':
			runes += runCount(b[seg:i], wide)
			s.i = i + 1
			return b[start:i], runes, nil
		case '\\':
			runes += runCount(b[seg:i], wide)
			wide = false
			s.i = i
			n, err := s.escape()
			if err != nil {
				return nil, 0, err
			}
			runes += n
			i, seg = s.i, s.i
		default: // a control character
			s.i = i
			return nil, 0, errSyntax
		}
	}
	s.i = i
	return nil, 0, errEnd
}

// runCount is the number of runes in a run of unescaped string bytes; an
// ASCII run (not wide) has one per byte.
func runCount(run []byte, wide bool) int {
	if wide {
		return utf8.RuneCount(run)
	}
	return len(run)
}

// escape consumes one escape sequence at s.i (a backslash) and returns how
// many runes it decodes to: 1, or 1 for a \uD8xx\uDCxx surrogate pair.
func (s *jscan) escape() (int, error) {
	if s.i+1 >= len(s.b) {
		return 0, errEnd
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return 1, nil
	case 'u':
		r, err := s.hex4(s.i + 2)
		if err != nil {
			return 0, err
		}
		s.i += 6
		if r >= 0xD800 && r < 0xDC00 && s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
			if r2, err := s.hex4(s.i + 2); err == nil && r2 >= 0xDC00 && r2 < 0xE000 {
				s.i += 6 // a pair is one rune
			}
		}
		return 1, nil
	}
	return 0, errSyntax
}

func (s *jscan) hex4(at int) (rune, error) {
	if at+4 > len(s.b) {
		return 0, errEnd
	}
	var r rune
	for _, c := range s.b[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, errSyntax
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// number consumes a JSON number. It returns its value when it is an
// integer that fits in int64 (no fraction or exponent), else ok is false.
func (s *jscan) number() (v int64, ok bool, err error) {
	s.ws()
	neg := false
	if s.i < len(s.b) && s.b[s.i] == '-' {
		neg = true
		s.i++
	}
	if s.i >= len(s.b) {
		return 0, false, errEnd
	}
	// u accumulates the magnitude; it may reach 2⁶³ for a negative value.
	limit := uint64(1<<63 - 1)
	if neg {
		limit++
	}
	var u uint64
	ok = true
	switch c := s.b[s.i]; {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		// The digits are read through locals (the compiler keeps them in
		// registers, not in *s) and the first eighteen without the overflow
		// check, as they never pass 2⁶³-1: a results line is mostly such
		// numbers.
		b, i := s.b, s.i
		for end := min(len(b), i+18); i < end; i++ {
			d := b[i] - '0'
			if d > 9 {
				break
			}
			u = u*10 + uint64(d)
		}
		for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			d := uint64(b[i] - '0')
			if ok && u > (limit-d)/10 { // u·10 + d would pass the limit
				ok = false
			}
			u = u*10 + d
		}
		s.i = i
	default:
		return 0, false, errSyntax
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		ok = false
		s.i++
		if !s.digits() {
			return 0, false, s.fail()
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		ok = false
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return 0, false, s.fail()
		}
	}
	if !ok {
		return 0, false, nil
	}
	if neg {
		return int64(-u), true, nil // two's complement: also right for 2⁶³
	}
	return int64(u), true, nil
}

func (s *jscan) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// int consumes any value and returns it as an integer when it is one.
func (s *jscan) int() (int64, bool, error) {
	c := s.peek()
	if c == '-' || ('0' <= c && c <= '9') {
		return s.number()
	}
	return 0, false, s.skip()
}

// skip consumes one value of any kind, checking its syntax.
func (s *jscan) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, _, err := s.str()
		return err
	case c == '{':
		if _, err := s.open('{'); err != nil {
			return err
		}
		first := true
		for {
			_, ok, err := s.member(&first)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if err := s.skip(); err != nil {
				return err
			}
		}
		s.close()
		return nil
	case c == '[':
		if _, err := s.open('['); err != nil {
			return err
		}
		first := true
		for {
			ok, err := s.element(&first)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if err := s.skip(); err != nil {
				return err
			}
		}
		s.close()
		return nil
	case c == '-' || ('0' <= c && c <= '9'):
		_, _, err := s.number()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.fail()
}

func (s *jscan) literal(lit string) error {
	if len(s.b)-s.i < len(lit) {
		if string(s.b[s.i:]) == lit[:len(s.b)-s.i] {
			return errEnd
		}
		return errSyntax
	}
	if string(s.b[s.i:s.i+len(lit)]) != lit {
		return errSyntax
	}
	s.i += len(lit)
	return nil
}

// end checks that nothing but white space follows the top-level value.
func (s *jscan) end() error {
	if s.ws(); s.i < len(s.b) {
		return errSyntax
	}
	return nil
}

// keyIs compares a raw key with a plain ASCII name. A key written with
// escapes ("\u0063ontent") is decoded first; that is rare and may allocate.
func keyIs(raw []byte, name string) bool {
	if len(raw) == len(name) {
		return string(raw) == name
	}
	for _, c := range raw {
		if c == '\\' {
			return unescape(raw) == name
		}
	}
	return false
}

// unescape decodes the contents of a valid JSON string (off the hot path:
// error messages, escaped keys).
func unescape(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			r, n := utf8.DecodeRune(raw[i:])
			out = utf8.AppendRune(out, r) // invalid bytes become U+FFFD, as in encoding/json
			i += n
			continue
		}
		if i+1 >= len(raw) {
			break
		}
		switch raw[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			s := jscan{b: raw}
			r, err := s.hex4(i + 2)
			if err != nil {
				return string(out)
			}
			i += 6
			if r >= 0xD800 && r < 0xDC00 {
				if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if r2, err := s.hex4(i + 2); err == nil && r2 >= 0xDC00 && r2 < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						i += 6
						out = utf8.AppendRune(out, r)
						continue
					}
				}
				r = utf8.RuneError
			} else if r >= 0xDC00 && r < 0xE000 {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, raw[i+1])
		}
		i += 2
	}
	return string(out)
}
