package mockserver

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCountTokens(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"hello", 1},                // 5 letters: ⌈5/5⌉
		{"hellos", 2},               // 6 letters: ⌈6/5⌉
		{" hello", 1},               // the leading space joins the word
		{"hello world", 2},          // "hello" + " world"
		{"hello  world", 3},         // a run of two spaces: one space token, " world"
		{"12345", 2},                // digits: ⌈5/3⌉
		{"a,b", 3},                  // punctuation is a token of its own
		{"\n\n\t", 1},               // one whitespace run
		{"你好世界", 4},                 // one token per non-ASCII rune
		{"naïve", 3},                // "na" + "ï" + "ve"
		{"x\xffy", 3},               // an invalid byte counts as one token
		{"The quick brown fox.", 5}, // The, quick, brown, fox, "."
	}
	for _, tt := range tests {
		if got := countTokens(tt.in); got != tt.want {
			t.Errorf("countTokens(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// TestVocabIsOneTokenEach: the stream writer counts one token per piece, so
// every vocabulary piece must be exactly one token and need no escaping.
func TestVocabIsOneTokenEach(t *testing.T) {
	for _, v := range [][]string{answerVocab[:], reasoningVocab[:]} {
		for _, p := range v {
			if n := countTokens(p); n != 1 {
				t.Errorf("piece %q is %d tokens", p, n)
			}
			if q := string(appendJSONString(nil, p)); q != `"`+p+`"` {
				t.Errorf("piece %q needs escaping: %s", p, q)
			}
		}
	}
}

// TestTokenizerDiffersFromCharsOver4 documents that the server count is
// not the common client estimate (len/4), which calibration has to absorb.
func TestTokenizerDiffersFromCharsOver4(t *testing.T) {
	s := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 100)
	server, client := countTokens(s), len(s)/4
	if server == client {
		t.Fatalf("server and client estimate agree (%d); the mock would hide calibration errors", server)
	}
}

func FuzzCountTokens(f *testing.F) {
	for _, s := range []string{"", "hello world", " 123 abc", "你好, world!\n\n", "x\xff\xfey", "  a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		n := 0
		tokenWalker{}.walk(s, func(end int) {
			if end < last || end > len(s) {
				t.Fatalf("token end %d after %d (len %d)", end, last, len(s))
			}
			last = end
			n++
		})
		if len(s) > 0 && last != len(s) {
			t.Fatalf("walk stopped at %d of %d", last, len(s))
		}
		if n > len(s) {
			t.Fatalf("%d tokens for %d bytes", n, len(s))
		}
		if n < utf8.RuneCountInString(s)/5 {
			t.Fatalf("%d tokens for %d runes: fewer than one per five", n, utf8.RuneCountInString(s))
		}
		if got := countTokens(s); got != n {
			t.Fatalf("countTokens %d, walk %d", got, n)
		}
	})
}
