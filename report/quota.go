package report

import "github.com/seedbench/seedbench/runner"

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
}

// quotaAcc gathers the quota headers of a target's responses.
type quotaAcc struct {
	responses                      int64
	limReq, minReq, limTok, minTok int64
}

func (q *quotaAcc) add(r *runner.Result) {
	if r.RLLimitRequests == 0 && r.RLLimitTokens == 0 {
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
	if o.responses == 0 {
		return
	}
	if q.responses == 0 {
		*q = *o
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
	return s
}
