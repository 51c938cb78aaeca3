// Package report reads results files (never a live run) and turns them into
// the numbers people act on: HDR-histogram latency distributions per target,
// tier and overall, availability and goodput, throughput over time, client
// versus server token counts, the SLO verdict, cost from the model catalog's
// tier prices, and run-to-run comparisons with bootstrap intervals.
//
// One streaming pass reads any number of results files (shards) in blocks
// decoded in parallel; memory stays flat in the number of records apart from
// the histograms, per-second series and a bounded plot sample. WriteAll
// writes every output of a run directory — summary.json (schema
// SummarySchema, documented on Summary), requests.csv, targets.csv,
// timeseries.csv, report.txt, report.md, report.html and plots/ — and
// Compare judges a current run against a baseline.
//
// report imports runner (the Result record) and scenarios (only for the
// catalog's prices). Charts are drawn by the report/plot leaf package.
package report
