package runner

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

const testKey = "sk-HOSTILE/SENTINEL+0123456789abcdef"

// leaks reports the first run of scrubRun characters of key found in s, raw
// or decoded.
func leaks(s, key string) string {
	dec, _ := decodeEscapes(s)
	for i := 0; i+scrubRun <= len(key); i++ {
		if w := key[i : i+scrubRun]; strings.Contains(s, w) || strings.Contains(dec, w) {
			return w
		}
	}
	return ""
}

// jsonEscape writes every character of s as \uXXXX and / as \/.
func jsonEscape(s string, all bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/':
			b.WriteString(`\/`)
		case all:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// percentAll percent-encodes every byte of s.
func percentAll(s string) string {
	var b strings.Builder
	for i := range len(s) {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func TestScrub(t *testing.T) {
	sc := NewScrubber([]string{testKey, "", "short"})
	pad := strings.Repeat("p", 505)
	for _, tc := range []struct {
		name, in string
		limit    int
		want     string // "" = only check that nothing leaks
	}{
		// the whole key, anywhere
		{"whole", "bad key " + testKey + " given", 0, "bad key [redacted] given"},
		// a prefix the server itself cut: 8 characters or more go
		{"prefix", "key sk-HOSTILE/SE… is invalid", 0, "key [redacted]… is invalid"},
		{"suffix", "…456789abcdef rejected", 0, "…[redacted] rejected"},
		// 7 characters are not a run
		{"seven", "sk-HOST", 0, "sk-HOST"},
		// scrubbed before the cut: a key straddling the limit leaves nothing
		{"at the cut", pad + testKey + " tail", 512, ""},
		// JSON escapes: \/ and \uXXXX, and URL encoding, even mixed
		{"json slash", `{"key":"` + jsonEscape(testKey, false) + `"}`, 0, `{"key":"[redacted]"}`},
		{"json unicode", `"` + jsonEscape(testKey, true) + `"`, 0, `"[redacted]"`},
		{"url", "?key=" + url.QueryEscape(testKey) + "&x=1", 0, "?key=[redacted]&x=1"},
		{"url all", "k=" + percentAll(testKey[:10]) + "x", 0, "k=[redacted]x"},
		// a secret shorter than a run goes whole
		{"short secret", "a short b", 0, "a [redacted] b"},
		// nothing to do
		{"clean", "upstream overloaded", 0, "upstream overloaded"},
		// cut at a rune boundary
		{"runes", "ééééé", 3, "ééé…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sc.Clean(tc.in, tc.limit)
			if tc.want != "" && got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if w := leaks(got, testKey); w != "" {
				t.Errorf("%q leaks %q", got, w)
			}
		})
	}
}

// FuzzScrub: whatever surrounds it and however it is escaped, no run of
// scrubRun characters of a key survives Clean, at any limit.
func FuzzScrub(f *testing.F) {
	f.Add("bad key ", " given", uint8(0), uint8(40), uint8(0), uint16(0))
	f.Add(`{"m":"`, `"}`, uint8(3), uint8(20), uint8(1), uint16(30))
	f.Add("%", "u00", uint8(5), uint8(30), uint8(2), uint16(9))
	f.Fuzz(func(t *testing.T, before, after string, from, n, enc uint8, limit uint16) {
		i := int(from) % len(testKey)
		j := min(i+scrubRun+int(n)%len(testKey), len(testKey))
		if j-i < scrubRun {
			return
		}
		k := testKey[i:j]
		switch enc % 4 {
		case 1:
			k = jsonEscape(k, false)
		case 2:
			k = jsonEscape(k, true)
		case 3:
			k = url.QueryEscape(k)
		}
		out := NewScrubber([]string{testKey}).Clean(before+k+after, int(limit))
		if w := leaks(out, testKey); w != "" && leaks(before+after, testKey) == "" {
			t.Fatalf("%q leaks %q", out, w)
		}
	})
}

func ExampleScrubber_Clean() {
	sc := NewScrubber([]string{"sk-live-0123456789abcdef"})
	fmt.Println(sc.Clean(`invalid key "sk-live-01234567…"`, 0))
	fmt.Println(sc.Clean(`{"error":"key sk-live-0123456789abcdef\/x"}`, 20))
	// Output:
	// invalid key "[redacted]…"
	// {"error":"key [redac…
}
