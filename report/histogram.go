package report

import hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

// One histogram geometry everywhere — 1 µs to 1 h at 3 significant figures —
// so that histograms from shards and files merge exactly.
const (
	histMinUS   = 1
	histMaxUS   = 3600 * 1000 * 1000
	histSigFigs = 3
)

func newHist() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMinUS, histMaxUS, histSigFigs)
}

// record clamps v into the histogram's range: a 0 µs value (sub-microsecond)
// counts as 1 µs rather than being lost.
func record(h *hdrhistogram.Histogram, us int64) {
	if us < histMinUS {
		us = histMinUS
	}
	if us > histMaxUS {
		us = histMaxUS
	}
	_ = h.RecordValue(us)
}
