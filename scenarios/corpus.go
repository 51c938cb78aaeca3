package scenarios

import "sync"

// The corpus is a pre-built text of about 2¹⁹ estimated tokens (~3 MB)
// that prompts are sliced from. Building a 256K-token prompt is then one or
// two memmoves, with no tokenizer pass and no per-word work: the slicing is
// by unit index, and every unit is exactly one estimated token (see
// EstimateTokens), so "n tokens from unit s" is text[off[s]:off[s+n]].
//
// The text is common English words in sentences and paragraphs, generated
// once from a fixed seed (the same on every machine), and stored already
// escaped for a JSON string (paragraph breaks as \n\n), so it is appended
// to request bodies as is.

// corpusUnits is the number of units; a prompt longer than that wraps
// around to the start.
const corpusUnits = 1 << 19

type corpus struct {
	text []byte  // JSON-string-safe
	off  []int32 // off[i] is where unit i starts; off[corpusUnits] = len(text)
}

var theCorpus = sync.OnceValue(buildCorpus)

func buildCorpus() *corpus {
	c := &corpus{text: make([]byte, 0, corpusUnits*6), off: make([]int32, 0, corpusUnits+1)}
	r := newStream(0x5eedc0de, 0, 0)
	unit := func(s ...string) {
		c.off = append(c.off, int32(len(c.text)))
		for _, p := range s {
			c.text = append(c.text, p...)
		}
	}
	// Leave room for the final "." so that the seam, where a long prompt
	// wraps from the last unit to the first, reads as a sentence end.
	full := func() bool { return len(c.off) >= corpusUnits-1 }
	paragraphStart := true
	for !full() {
		// A paragraph of 3–7 sentences, each of 6–20 words, an occasional comma.
		sentences := 3 + r.intn(5)
		for s := 0; s < sentences && !full(); s++ {
			words := 6 + r.intn(15)
			for w := 0; w < words && !full(); w++ {
				word := vocabulary[r.intn(len(vocabulary))]
				switch {
				case w == 0 && paragraphStart:
					unit(capitalize(word))
					paragraphStart = false
				case w == 0:
					unit(" ", capitalize(word))
				default:
					unit(" ", word)
				}
				if w < words-1 && r.intn(12) == 0 && !full() {
					unit(",")
				}
			}
			if !full() {
				unit(".")
			}
		}
		if !full() {
			unit(`\n\n`)
			paragraphStart = true
		}
	}
	unit(".")
	c.off = append(c.off, int32(len(c.text)))
	return c
}

// appendUnits appends n units starting at unit start, wrapping around.
func (c *corpus) appendUnits(dst []byte, start, n int) []byte {
	start %= corpusUnits
	for n > 0 {
		k := min(n, corpusUnits-start)
		dst = append(dst, c.text[c.off[start]:c.off[start+k]]...)
		n -= k
		start = 0
	}
	return dst
}

// bytesFor is the length appendUnits(nil, start, n) would have.
func (c *corpus) bytesFor(start, n int) int {
	start %= corpusUnits
	total := 0
	for n > 0 {
		k := min(n, corpusUnits-start)
		total += int(c.off[start+k] - c.off[start])
		n -= k
		start = 0
	}
	return total
}

func capitalize(w string) string {
	if w == "" || w[0] < 'a' || w[0] > 'z' {
		return w
	}
	return string(w[0]-'a'+'A') + w[1:]
}
