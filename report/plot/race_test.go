//go:build race

package plot

// raceEnabled: tests under the race detector shrink work that only gets
// slower there (rasterizing plots, generating records), not what races.
const raceEnabled = true
