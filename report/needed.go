package report

import "github.com/seedbench/seedbench/scenarios"

// SamplesNeeded is the fewest requests per target on which objective o can
// be conclusive when every one of them succeeds: a percentile needs
// 1/(1−p) values (p99: 100, p99.9: 1,000); availability ≥ A needs the
// 95 % Wilson interval of n successes of n to lie above A (99 %: 381),
// error rate ≤ E that of 0 failures of n to lie below E (1 %: 381). A
// mean, a max and the other objectives need one. A scenario sized below it
// can only ever report its objective inconclusive.
func SamplesNeeded(o scenarios.Objective) int64 {
	switch {
	case o.IsLatency():
		if o.IsMean() || o.IsMax() {
			return 1
		}
		return minSamples(o.Percentile())
	case o.Metric == "availability":
		return smallestN(func(n int64) bool { return conclusiveShare(n, n, o.Ratio) })
	case o.Metric == "error_rate":
		return smallestN(func(n int64) bool { return conclusiveShare(0, n, o.Ratio) })
	}
	return 1
}

// conclusiveShare is judge's rule: a share of k in n is conclusive unless
// its 95 % interval holds the bound strictly inside.
func conclusiveShare(k, n int64, bound float64) bool {
	lo, hi := wilson(k, n)
	return !(lo < bound && bound < hi)
}

// smallestN is the least n ≥ 1 for which ok holds (ok grows with n), or
// the bound searched when none does (an availability objective of 100 %
// is conclusive at any n; one that no n reaches is capped, not looped on).
func smallestN(ok func(int64) bool) int64 {
	const limit = 1 << 40
	lo, hi := int64(1), int64(1)
	for !ok(hi) {
		if hi >= limit {
			return limit
		}
		lo, hi = hi+1, hi*2
	}
	for lo < hi { // the least n in [lo, hi] with ok(n)
		mid := lo + (hi-lo)/2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi
}
