// Package synth writes deterministic, synthetic results files — what a run
// of seedbench would record, without running anything — for the report's
// golden tests, its million-record benchmark and the compare tests. The same
// Config always yields the same bytes.
package synth
