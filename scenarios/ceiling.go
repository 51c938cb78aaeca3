package scenarios

import (
	"fmt"
	"math"
	"strconv"
)

// The plan ceiling. A plan over either figure is refused at validation
// (exit 2), before anything is built or sent, unless the scenario sets
// load.max_requests: then the user has said how many requests the run may
// send, and that cap bounds it instead.
//
// Both are far beyond what one load generator of the kind this tool runs
// on (a few cores, a local disk) can carry, so a refused plan could never
// have run as written:
//
//   - MaxPlannedRate: each request costs the generator several
//     microseconds of CPU at the very least (a connection's turn, an HTTP
//     request, a stream read and a record), so a million a second needs
//     more cores than such a machine has; above it nearly every request
//     would be dropped. Shards (--workers, Kubernetes) split a larger rate.
//   - MaxPlannedRequests: each request leaves a record of about 650 bytes
//     in results.jsonl plus a row in requests.csv; 100 million of them are
//     over 65 GB of results for one run, and the report reads them all.
const (
	MaxPlannedRate     = 1_000_000   // requests per second, at any instant
	MaxPlannedRequests = 100_000_000 // over the whole plan, warmup included
)

// validateCeiling refuses a plan over the ceiling. Counts are estimated from
// the stages' rates and durations (the integral of the rate), which costs
// nothing whatever the plan's size; a plan close to the ceiling may differ
// from the estimate by a few requests, never by a factor.
func (s *Scenario) validateCeiling(d *decoder) {
	l := s.Load
	if l.MaxRequests > 0 {
		return
	}
	var total float64
	for i, st := range l.Stages {
		p := fmt.Sprintf("load.stages[%d]", i)
		mean, peak, field := stageRates(st)
		if peak > MaxPlannedRate {
			d.fail(p+"."+field, "%s is over the ceiling of %s a plan may ask for (no single load generator can send that many; split it over shards, or set load.max_requests to run it anyway)",
				FormatRate(peak), FormatRate(MaxPlannedRate))
		}
		if st.Duration.D <= 0 {
			continue // not given, or not a duration: validation says which
		}
		n := mean * st.Duration.D.Seconds()
		if i == 0 {
			n += mean * l.Warmup.D.Seconds() // 0 when not given or not parsing
		}
		if st.MaxRequests > 0 {
			n = math.Min(n, float64(st.MaxRequests))
		}
		total += n
	}
	if total > MaxPlannedRequests {
		d.fail("load.stages", "the plan is about %s requests, over the ceiling of %s a plan may hold (about 650 bytes of results each); set load.max_requests to run it anyway",
			groupDigits(total), groupDigits(MaxPlannedRequests))
	}
}

// groupDigits writes a count with thousands separators: 2,000,000,000.
func groupDigits(x float64) string {
	s := strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
