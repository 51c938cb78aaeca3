package report

import "math"

// series is one target's activity over time, in buckets of step seconds
// from the run's start: sends, completions, tokens, and a coarse TTFT
// distribution per bucket for p50/p99 over time.
//
// Memory is bounded whatever the run's length: when a run outgrows
// maxSeriesBuckets, adjacent buckets merge and the step doubles (1 s, 2 s,
// 4 s …). The step is a function of the latest offset seen, so workers and
// shards that each saw part of a run agree after merging.
type series struct {
	step    int64 // seconds per bucket, a power of two
	buckets []bucket
}

const maxSeriesBuckets = 3600 // one hour at 1 s

type bucket struct {
	planned int64 // open-loop requests the plan timed in the bucket (by plan time; sent or dropped)
	sent    int64 // requests sent in the bucket (by send time)
	dropped int64
	ok      int64 // requests that completed successfully in the bucket (by end time)
	failed  int64 // requests that failed in the bucket (by end time)
	good    int64 // ok requests within every per-request objective (by end time)
	inTok   int64 // prompt tokens of requests completed in the bucket
	outTok  int64 // completion tokens of requests completed in the bucket
	ttft    *logHist
}

func newSeries() *series { return &series{step: 1} }

// at returns the bucket holding offset us, growing (and if need be
// coarsening) the series.
func (s *series) at(us int64) *bucket {
	if us < 0 {
		us = 0
	}
	sec := us / 1_000_000
	for sec/s.step >= maxSeriesBuckets {
		s.coarsen()
	}
	i := int(sec / s.step)
	for len(s.buckets) <= i {
		s.buckets = append(s.buckets, bucket{})
	}
	return &s.buckets[i]
}

// coarsen merges pairs of buckets and doubles the step.
func (s *series) coarsen() {
	n := (len(s.buckets) + 1) / 2
	for i := range n {
		b := s.buckets[2*i]
		if 2*i+1 < len(s.buckets) {
			b.add(&s.buckets[2*i+1])
		}
		s.buckets[i] = b
	}
	clear(s.buckets[n:])
	s.buckets = s.buckets[:n]
	s.step *= 2
}

func (b *bucket) add(o *bucket) {
	b.planned += o.planned
	b.sent += o.sent
	b.dropped += o.dropped
	b.ok += o.ok
	b.failed += o.failed
	b.good += o.good
	b.inTok += o.inTok
	b.outTok += o.outTok
	if o.ttft != nil {
		if b.ttft == nil {
			b.ttft = &logHist{}
		}
		b.ttft.merge(o.ttft)
	}
}

// merge adds o into s, bringing both to the coarser step first.
func (s *series) merge(o *series) {
	oc := &series{step: o.step, buckets: append([]bucket(nil), o.buckets...)}
	for oc.step < s.step {
		oc.coarsen()
	}
	for s.step < oc.step {
		s.coarsen()
	}
	for len(s.buckets) < len(oc.buckets) {
		s.buckets = append(s.buckets, bucket{})
	}
	for i := range oc.buckets {
		s.buckets[i].add(&oc.buckets[i])
	}
}

// logHist is a small fixed-size histogram for the per-bucket TTFT: bins 5%
// wide from 1 µs to over an hour (≈450 counters), plenty for a p99-over-time
// line and 100× smaller than an HDR histogram.
type logHist struct {
	n      int64
	counts [logBins]uint32
}

const (
	logGrowth = 1.05
	logBins   = 452
)

var logScale = 1 / math.Log(logGrowth)

func (h *logHist) record(us int64) {
	if us < 1 {
		us = 1
	}
	i := int(math.Log(float64(us)) * logScale)
	if i >= logBins {
		i = logBins - 1
	}
	h.counts[i]++
	h.n++
}

func (h *logHist) merge(o *logHist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile returns the q-quantile (0..1) in µs: the geometric middle of the
// bin holding it, so within 2.5%.
func (h *logHist) quantile(q float64) float64 {
	if h == nil || h.n == 0 {
		return math.NaN()
	}
	return h.valueAt(int64(math.Ceil(q * float64(h.n))))
}

// valueAt is the rank-th smallest value (1-based, clamped to 1..n) in µs,
// as the middle of its bin.
func (h *logHist) valueAt(rank int64) float64 {
	rank = max(rank, 1)
	var seen int64
	for i, c := range h.counts {
		seen += int64(c)
		if seen >= rank {
			return binMiddle(i)
		}
	}
	return math.Pow(logGrowth, logBins)
}

// countAtMost is how many values lie in bins whose middle is at most us.
func (h *logHist) countAtMost(us float64) int64 {
	var n int64
	for i, c := range h.counts {
		if binMiddle(i) > us {
			break
		}
		n += int64(c)
	}
	return n
}

func binMiddle(i int) float64 { return math.Pow(logGrowth, float64(i)+0.5) }
