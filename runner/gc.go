package runner

import (
	"os"
	"runtime/debug"
)

// runGCPercent is the garbage collector's target while a run is in
// progress. A load run allocates briskly (a few KiB per request, tens of MiB
// a second at high rates) over a small live heap, so at Go's default of 100
// the collector runs several times a second; each cycle takes a quarter of
// the cores for its marking and makes allocating goroutines assist, which
// costs CPU and delays the goroutines stamping arrivals. At 400 it runs a
// fifth as often, for at most five times the live heap (a few MiB for
// ordinary runs, the open streams' buffers at thousands of streams).
const runGCPercent = 400

// tuneGC sets runGCPercent for the duration of a run and returns the
// function that restores the previous setting. A GOGC chosen in the
// environment is left alone: the user decided.
func tuneGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(runGCPercent)
	return func() { debug.SetGCPercent(old) }
}
