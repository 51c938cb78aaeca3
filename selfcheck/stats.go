package selfcheck

import (
	"slices"

	"github.com/seedbench/seedbench/runner"
)

// Dist summarises one sample of errors or lags, all in microseconds.
type Dist struct {
	N   int   `json:"n"`
	Min int64 `json:"min"`
	P50 int64 `json:"p50"`
	P99 int64 `json:"p99"`
	Max int64 `json:"max"`
}

// Summarize sorts xs in place and returns its distribution; a nil Dist
// when xs is empty, so "no sample" is never mistaken for "zero error".
//
// Quantiles use the nearest-rank definition on the sorted sample:
//
//	q(p) = x[⌈p·n⌉ − 1]
//
// which is always a value that was observed (no interpolation between two
// requests' errors) and makes q(0.99) of fewer than 100 values the maximum.
func Summarize(xs []int64) *Dist {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	return &Dist{N: len(xs), Min: xs[0], P50: rank(xs, 50), P99: rank(xs, 99), Max: xs[len(xs)-1]}
}

// rank is the nearest-rank pct-th percentile of the sorted xs:
// index ⌈pct·n/100⌉ − 1, computed in integers so it is exact.
func rank(sorted []int64, pct int) int64 {
	n := len(sorted)
	i := (pct*n+99)/100 - 1
	return sorted[max(i, 0)]
}

// Abs returns |x| for each x, in a new slice.
func Abs(xs []int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		if x < 0 {
			x = -x
		}
		out[i] = x
	}
	return out
}

// TTFTError is the harness's error on one request's time to first token:
//
//	err = measured TTFT − truth TTFT
//	    = (ServeHTTP entered − client sent)                  request side
//	    + (client read the event − server about to write it)  response side
//
// Each side's TTFT is an offset from that side's own start of the request,
// both on this process's monotonic clock, so the difference is exactly the
// time the measurement added: loopback transit, both kernels, both Go
// schedulers and net/http on both ends. It is never negative (up to 1 µs
// of rounding); a negative value means a truth stamped after the bytes
// left. ok is false when the record has no measured or no true TTFT.
func TTFTError(r *runner.Result) (err int64, ok bool) {
	if r.TTFTUS <= 0 || r.TruthTTFTUS <= 0 {
		return 0, false
	}
	return r.TTFTUS - r.TruthTTFTUS, true
}

// ITLErrors appends to dst the harness's error on each inter-token gap of
// one request:
//
//	err[i] = (m[i] − m[i−1]) − (t[i] − t[i−1])   for i ≥ 1
//
// with m the client's event offsets and t the server's flush offsets. The
// two sides' different origins cancel in each difference, so no clock
// offset is needed; the error is signed (a late read of event i−1 makes gap
// i look short). ok is false, and nothing is appended, when the two lists
// disagree on the number of events: the pairing would be a guess.
func ITLErrors(dst []int64, r *runner.Result) (_ []int64, ok bool) {
	m, t := r.EventsUS, r.TruthEventsUS
	if len(m) != len(t) || len(m) == 0 {
		return dst, false
	}
	for i := 1; i < len(m); i++ {
		dst = append(dst, (m[i]-m[i-1])-(t[i]-t[i-1]))
	}
	return dst, true
}
