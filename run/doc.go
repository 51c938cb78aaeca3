// Package run runs one benchmark end to end: it turns a scenario into a plan,
// resolves targets and their keys, starts the built-in mock when a target
// names no endpoint, calibrates the token estimate when asked, writes the
// results header, drives the runner, closes the file with its footer and
// writes the report. It returns an Outcome that says how the run went, so
// the command line, the capacity search (probe by probe) and tests judge a
// run from data instead of from what was printed.
//
// Stopping is by context only: Execute takes one context whose end stops
// issuing new requests and one whose end cancels the requests in flight.
// Signals belong to the caller.
package run
