// Package report reads results files (never a live run) and turns them into
// the numbers people act on: HDR-histogram latency distributions, throughput,
// availability and goodput, the SLO verdict, projected cost per variant, and
// run-to-run comparisons, rendered as text, JSON, CSV, Markdown and HTML.
//
// report imports runner (the Result record) and scenarios (only for the
// catalog's prices). Charts live in the report/plot leaf package.
package report
