//go:build race

package mockserver

// raceEnabled: tests under the race detector send fewer requests where the
// count only adds time, not coverage.
const raceEnabled = true
