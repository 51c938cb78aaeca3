package report

import (
	"math"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Dist summarises one latency distribution, in milliseconds.
type Dist struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

// Percentile returns the named percentile (50, 90, 95, 99, 99.9) or,
// for another value, NaN.
func (d Dist) Percentile(p float64) float64 {
	switch p {
	case 50:
		return d.P50
	case 90:
		return d.P90
	case 95:
		return d.P95
	case 99:
		return d.P99
	case 99.9:
		return d.P999
	}
	return math.NaN()
}

func usToMS(us int64) float64 { return round3(float64(us) / 1000) }

// round3 keeps three decimals: microsecond resolution in milliseconds, and
// stable text in summary.json.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// distOf summarises h; an empty histogram gives a zero Dist with Count 0.
func distOf(h *hdrhistogram.Histogram) Dist {
	n := h.TotalCount()
	if n == 0 {
		return Dist{}
	}
	return Dist{
		Count: n,
		Min:   usToMS(h.Min()),
		Mean:  round3(h.Mean() / 1000),
		P50:   usToMS(h.ValueAtPercentile(50)),
		P90:   usToMS(h.ValueAtPercentile(90)),
		P95:   usToMS(h.ValueAtPercentile(95)),
		P99:   usToMS(h.ValueAtPercentile(99)),
		P999:  usToMS(h.ValueAtPercentile(99.9)),
		Max:   usToMS(h.Max()),
	}
}
