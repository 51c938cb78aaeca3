package runner

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The one histogram geometry of the project — 1 µs to 1 h at 3 significant
// figures — used by the live figures here and by every distribution of the
// report, so that histograms from workers, shards and files merge exactly:
// a percentile of merged histograms equals the percentile of all the values
// within the histogram's 0.1% precision.
const (
	HistogramMaxUS   = 3600 * 1000 * 1000
	histogramSigFigs = 3
)

// NewHistogram is an empty histogram of microseconds in the one geometry.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, HistogramMaxUS, histogramSigFigs)
}

// RecordMicros records us into h, clamped into [0, 1 h]: a negative value
// (a clock step seen as a negative duration) counts as 0 and anything
// beyond an hour as an hour, so no value is lost from the count.
func RecordMicros(h *hdrhistogram.Histogram, us int64) {
	_ = h.RecordValue(min(max(us, 0), HistogramMaxUS))
}
