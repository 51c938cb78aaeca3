//go:build race

package scenarios

// raceEnabled: the race detector slows the decoder tenfold; the
// allocation-bound tests measure the same totals without it.
const raceEnabled = true
