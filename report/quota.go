package report

import (
	"sort"

	"github.com/seedbench/seedbench/runner"
)

// QuotaSummary is a target's standing against its endpoint's quota:
// throttled requests kept apart from latency failures (a plan above its
// quota is a different problem from a slow endpoint), and the headroom the
// x-ratelimit-* headers showed (the least left of each per-minute limit).
type QuotaSummary struct {
	// Throttled counts failures of a throttling class (quota_rpm,
	// quota_tpm, overloaded, http_429), by class.
	Throttled        int64            `json:"throttled"`
	ThrottledClasses map[string]int64 `json:"throttled_classes,omitempty"`
	// Responses is how many responses carried quota headers.
	Responses            int64 `json:"responses_with_headers"`
	LimitRequests        int64 `json:"limit_requests,omitempty"`
	MinRemainingRequests int64 `json:"min_remaining_requests"`
	LimitTokens          int64 `json:"limit_tokens,omitempty"`
	MinRemainingTokens   int64 `json:"min_remaining_tokens"`
	// Headroom is the same over time: the run cut into at most
	// maxHeadroomPoints spans of whole quotaBucket widths, by send time.
	Headroom []QuotaPoint `json:"headroom,omitempty"`
}

// QuotaPoint is one span of a target's quota headroom: the least left of
// each limit among the responses sent in it, and how many requests of the
// span were throttled.
type QuotaPoint struct {
	StartS               float64 `json:"start_s"` // from the run's start
	Seconds              float64 `json:"seconds"`
	Responses            int64   `json:"responses_with_headers"`
	MinRemainingRequests int64   `json:"min_remaining_requests"`
	MinRemainingTokens   int64   `json:"min_remaining_tokens"`
	Throttled            int64   `json:"throttled"`
}

// quotaBucket is the finest span of the headroom series: a sixth of the
// per-minute window the limits count in.
const quotaBucket = 10e6 // µs

// maxHeadroomPoints bounds the series a summary carries (a day-long soak
// would otherwise list 8,640 spans).
const maxHeadroomPoints = 12

// quotaAcc gathers the quota headers of a target's responses.
type quotaAcc struct {
	responses                      int64
	limReq, minReq, limTok, minTok int64
	// spans are the headroom series by quotaBucket of send time.
	spans map[int64]*quotaSpan
}

// quotaSpan is one bucket of the series.
type quotaSpan struct {
	responses, minReq, minTok, throttled int64
}

func (a *quotaSpan) merge(o *quotaSpan) {
	switch {
	case o.responses == 0:
	case a.responses == 0:
		a.minReq, a.minTok = o.minReq, o.minTok
	default:
		a.minReq, a.minTok = min(a.minReq, o.minReq), min(a.minTok, o.minTok)
	}
	a.responses += o.responses
	a.throttled += o.throttled
}

func (q *quotaAcc) add(r *runner.Result) {
	headers := r.RLLimitRequests != 0 || r.RLLimitTokens != 0
	throttled := runner.Throttled(r.ErrorClass)
	if headers || throttled {
		if q.spans == nil {
			q.spans = map[int64]*quotaSpan{}
		}
		b := r.SentUS / quotaBucket
		sp := q.spans[b]
		if sp == nil {
			sp = &quotaSpan{}
			q.spans[b] = sp
		}
		one := quotaSpan{minReq: r.RLRemainingRequests, minTok: r.RLRemainingTokens}
		if headers {
			one.responses = 1
		}
		if throttled {
			one.throttled = 1
		}
		sp.merge(&one)
	}
	if !headers {
		return
	}
	if q.responses == 0 {
		q.minReq, q.minTok = r.RLRemainingRequests, r.RLRemainingTokens
	}
	q.responses++
	q.limReq, q.limTok = max(q.limReq, r.RLLimitRequests), max(q.limTok, r.RLLimitTokens)
	q.minReq, q.minTok = min(q.minReq, r.RLRemainingRequests), min(q.minTok, r.RLRemainingTokens)
}

func (q *quotaAcc) merge(o *quotaAcc) {
	for b, osp := range o.spans {
		if q.spans == nil {
			q.spans = map[int64]*quotaSpan{}
		}
		if sp := q.spans[b]; sp != nil {
			sp.merge(osp)
		} else {
			c := *osp
			q.spans[b] = &c
		}
	}
	if o.responses == 0 {
		return
	}
	if q.responses == 0 {
		spans := q.spans
		*q = *o
		q.spans = spans
		return
	}
	q.responses += o.responses
	q.limReq, q.limTok = max(q.limReq, o.limReq), max(q.limTok, o.limTok)
	q.minReq, q.minTok = min(q.minReq, o.minReq), min(q.minTok, o.minTok)
}

// quotaSummary is nil when the target was neither throttled nor sent quota
// headers.
func quotaSummary(q *quotaAcc, classes map[string]int64) *QuotaSummary {
	s := &QuotaSummary{Responses: q.responses, LimitRequests: q.limReq, MinRemainingRequests: q.minReq, LimitTokens: q.limTok, MinRemainingTokens: q.minTok}
	for c, n := range classes {
		if runner.Throttled(c) {
			if s.ThrottledClasses == nil {
				s.ThrottledClasses = map[string]int64{}
			}
			s.ThrottledClasses[c] += n
			s.Throttled += n
		}
	}
	if s.Throttled == 0 && s.Responses == 0 {
		return nil
	}
	s.Headroom = q.series()
	return s
}

// series is the headroom over time: the buckets from the first to the last
// one seen, merged evenly into at most maxHeadroomPoints spans; nil without
// quota headers (nothing to say how much was left) or for a single span
// (the least-left figures say it all).
func (q *quotaAcc) series() []QuotaPoint {
	if q.responses == 0 || len(q.spans) < 2 {
		return nil
	}
	keys := make([]int64, 0, len(q.spans))
	for b := range q.spans {
		keys = append(keys, b)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	first, last := keys[0], keys[len(keys)-1]
	n := last - first + 1
	per := (n + maxHeadroomPoints - 1) / maxHeadroomPoints // buckets per point
	var out []QuotaPoint
	for lo := first; lo <= last; lo += per {
		var acc quotaSpan
		for b := lo; b < lo+per && b <= last; b++ {
			if sp := q.spans[b]; sp != nil {
				acc.merge(sp)
			}
		}
		hi := min(lo+per, last+1)
		out = append(out, QuotaPoint{StartS: float64(lo*quotaBucket) / 1e6, Seconds: float64((hi-lo)*quotaBucket) / 1e6, Responses: acc.responses,
			MinRemainingRequests: acc.minReq, MinRemainingTokens: acc.minTok, Throttled: acc.throttled})
	}
	return out
}
