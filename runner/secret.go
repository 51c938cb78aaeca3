package runner

import (
	"strings"
	"unicode/utf8"
)

// SecretHeader reports whether a request header usually carries a
// credential (Authorization, Cookie, X-Api-Key, X-Auth-Token, …). The
// values of such headers are treated like the API key: sent, never
// recorded, and removed from error messages that echo them.
func SecretHeader(name string) bool {
	n := strings.ToLower(name)
	if n == "cookie" {
		return true
	}
	for _, w := range [...]string{"auth", "key", "token", "secret", "password", "signature", "credential", "session"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secrets lists what must never appear in a record of t: its API key and
// the values of its secret headers.
func (t *Target) secrets() []string {
	var s []string
	if t.APIKey != "" {
		s = append(s, t.APIKey)
	}
	for k, v := range t.Headers {
		if v != "" && SecretHeader(k) {
			s = append(s, v)
		}
	}
	return s
}

// Scrubber returns the scrubber for every string t's server supplies.
func (t *Target) Scrubber() *Scrubber { return NewScrubber(t.secrets()) }

// Scrubber is the one place server-supplied text is made safe to store or
// print: error bodies and messages, SSE snippets, finish_reason, request
// ids, Retry-After, a redirect's Location, anything else kept from a
// response. A gateway may echo the key it was sent (some quote a bad key in
// their 401), whole, cut, or escaped, so Clean
//
//   - scrubs before it cuts: a key that straddles the cut cannot leave its
//     prefix behind;
//   - removes every run of scrubRun (8) or more consecutive characters of a
//     secret, not only the whole secret, so a key the server itself cut is
//     caught too;
//   - looks through the common escaped forms: JSON's \/, \" and \\, \uXXXX
//     (surrogate pairs included), and URL percent-encoding; a run found in
//     the decoded text is removed from the original text it came from.
//
// A removed run becomes "[redacted]".
type Scrubber struct {
	secrets []string
}

// NewScrubber scrubs the given secrets (empty ones are ignored).
func NewScrubber(secrets []string) *Scrubber {
	s := &Scrubber{}
	for _, k := range secrets {
		if k != "" {
			s.secrets = append(s.secrets, k)
		}
	}
	return s
}

// Redacted replaces what a Scrubber removes.
const Redacted = "[redacted]"

// scrubRun is the shortest run of a secret's characters that is removed.
const scrubRun = 8

// scrubWindow bounds the text examined: a longer text is cut to it first
// (its tail would be cut off by the limit anyway, and a key split by this
// pre-cut leaves at most scrubRun-1 characters, past the limit).
const scrubWindow = 16 << 10

// Limits of the strings a Result keeps, in runes, after scrubbing.
const (
	maxMessage    = 512 // Error
	maxFinish     = 64  // an unusual finish_reason
	maxRequestID  = 128 // RequestID
	maxRetryAfter = 64  // RetryAfter
	maxErrorCode  = 64  // ErrorCode, ContentEncoding
)

// Clean returns text without any secret (see Scrubber), cut to at most
// limit runes (plus "…" when cut; limit ≤ 0: no cut). A nil Scrubber only
// cuts.
func (s *Scrubber) Clean(text string, limit int) string {
	if len(text) > scrubWindow {
		text = text[:scrubWindow]
	}
	if s != nil && len(s.secrets) > 0 {
		text = s.scrub(text)
	}
	return cut(text, limit)
}

// clean is Clean for the runner's own use on a nil-able receiver.
func (s *Scrubber) clean(text string, limit int) string { return s.Clean(text, limit) }

// scrub marks every byte of text that belongs to a run of a secret, in the
// raw text or in its decoded view, and replaces each marked stretch.
func (s *Scrubber) scrub(text string) string {
	var marks []bool // lazily, when something matched
	mark := func(from, to int) {
		if marks == nil {
			marks = make([]bool, len(text))
		}
		for i := from; i < to; i++ {
			marks[i] = true
		}
	}
	dec, spans := decodeEscapes(text)
	for _, k := range s.secrets {
		findRuns(text, k, func(i, n int) { mark(i, i+n) })
		if spans != nil {
			findRuns(dec, k, func(i, n int) { mark(spans[i].from, spans[i+n-1].to) })
		}
	}
	if marks == nil {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if !marks[i] {
			j := i
			for j < len(text) && !marks[j] {
				j++
			}
			b.WriteString(text[i:j])
			i = j
			continue
		}
		for i < len(text) && marks[i] {
			i++
		}
		b.WriteString(Redacted)
	}
	return b.String()
}

// findRuns calls found(i, n) for every place in text where n ≥ scrubRun
// consecutive bytes of secret occur (for a secret shorter than scrubRun,
// the whole secret). Overlapping windows are reported separately; the
// caller unions them.
func findRuns(text, secret string, found func(i, n int)) {
	w := min(scrubRun, len(secret))
	for j := 0; j+w <= len(secret); j++ {
		g := secret[j : j+w]
		for off := 0; ; {
			i := strings.Index(text[off:], g)
			if i < 0 {
				break
			}
			found(off+i, w)
			off += i + 1
		}
	}
}

// span is where one decoded byte came from in the original text.
type span struct{ from, to int }

// decodeEscapes returns text with JSON string escapes and URL
// percent-escapes decoded, and for each decoded byte the original bytes it
// came from; nil spans when text has no escape at all.
func decodeEscapes(text string) (string, []span) {
	if !strings.ContainsAny(text, `\%`) {
		return "", nil
	}
	var b []byte
	var spans []span
	emit := func(from, to int, out ...byte) {
		for _, c := range out {
			b = append(b, c)
			spans = append(spans, span{from, to})
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '%' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			emit(i, i+3, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 3
		case c == '\\' && i+1 < len(text):
			switch e := text[i+1]; e {
			case '/', '"', '\\':
				emit(i, i+2, e)
				i += 2
			case 'u':
				r, n := jsonU(text[i:])
				if n == 0 {
					emit(i, i+1, c)
					i++
					continue
				}
				var enc [utf8.UTFMax]byte
				emit(i, i+n, enc[:utf8.EncodeRune(enc[:], r)]...)
				i += n
			default:
				emit(i, i+1, c)
				i++
			}
		default:
			emit(i, i+1, c)
			i++
		}
	}
	return string(b), spans
}

// jsonU decodes a \uXXXX escape (or a surrogate pair of two) at the start
// of s: the rune and the bytes used, or 0 bytes when it is not one.
func jsonU(s string) (rune, int) {
	r, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	if r >= 0xD800 && r < 0xDC00 {
		if r2, ok := hex4(s[6:]); ok && r2 >= 0xDC00 && r2 < 0xE000 {
			return (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000, 12
		}
	}
	return r, 6
}

// hex4 reads `\uXXXX` at the start of s.
func hex4(s string) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		if !isHex(c) {
			return 0, false
		}
		r = r<<4 | rune(unhex(c))
	}
	return r, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// cut shortens text to limit runes, at a rune boundary, marking the cut.
func cut(text string, limit int) string {
	if limit <= 0 || len(text) <= limit {
		return text
	}
	n := 0
	for i := range text {
		if n == limit {
			return text[:i] + "…"
		}
		n++
	}
	return text
}
