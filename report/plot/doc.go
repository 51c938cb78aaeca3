// Package plot draws the report's charts with gonum/plot, as PNG and SVG:
// the TTFT histogram, the latency percentile distribution, TTFT against
// prompt length with the price tiers' boundaries, throughput and TTFT over
// time, and cost per 1K requests by tier. It takes plain numbers, knows
// nothing of results files, and is the only package of this module that
// imports gonum, so the heavy dependency stays in a leaf.
//
// Every chart says what it shows in its title and axis labels, with units,
// and gives each variant the same colour in every chart.
package plot
