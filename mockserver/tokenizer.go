package mockserver

import "unicode/utf8"

const runeError = utf8.RuneError

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// Tokenizer rules. They are deliberately simple, deterministic and not the
// same as any client-side estimate (a real server's tokenizer never agrees
// with the client's guess either; that is what calibration measures):
//
//   - a run of ASCII letters of length L, with at most one space in front
//     of it, is ⌈L/5⌉ tokens;
//   - a run of ASCII digits of length L is ⌈L/3⌉ tokens;
//   - a run of whitespace is one token (a single space before a word or
//     number is part of that word instead);
//   - every other ASCII byte is one token;
//   - every non-ASCII rune (CJK, emoji, …) is one token.
//
// countTokens walks the text once without allocating.
func countTokens(s string) int {
	n := 0
	var t tokenWalker
	t.walk(s, func(int) { n++ })
	return n
}

// tokenWalker finds token boundaries. emit is called once per token with
// the byte offset just past the unit that produced it (several tokens of one
// long word report the same offset).
type tokenWalker struct{}

func (tokenWalker) walk(s string, emit func(end int)) {
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' && i+1 < len(s) && isLetter(s[i+1]):
			j := i + 1
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			emitN(emit, (j-i-1+4)/5, j)
			i = j
		case c == ' ' && i+1 < len(s) && isDigit(s[i+1]):
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			emitN(emit, (j-i-1+2)/3, j)
			i = j
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			emitN(emit, (j-i+4)/5, j)
			i = j
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			emitN(emit, (j-i+2)/3, j)
			i = j
		case isSpace(c):
			j := i
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			// Leave a lone space in front of a word or number to it.
			if j < len(s) && j-i > 1 && s[j-1] == ' ' && (isLetter(s[j]) || isDigit(s[j])) {
				j--
			}
			if j == i { // cannot happen: a single space before a word is handled above
				j++
			}
			emit(j)
			i = j
		case c < utf8.RuneSelf:
			i++
			emit(i)
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			emit(i)
		}
	}
}

func emitN(emit func(int), n, end int) {
	for range n {
		emit(end)
	}
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isSpace(c byte) bool  { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
