package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Check statuses: a third verdict beside pass and fail.
const (
	StatusPass         = "pass"
	StatusFail         = "fail"
	StatusInconclusive = "inconclusive" // too few samples to tell
)

// Judgement is what a report's verdict means for whoever acts on it (the
// command line turns it into an exit code).
type Judgement int

const (
	// Passed: trusted, and every check passed.
	Passed Judgement = iota
	// Failed: a check failed (an SLO or the load delivered).
	Failed
	// Inconclusive: no check failed, but some had too few samples to pass.
	Inconclusive
	// Untrusted: the generator marked the run untrustworthy; its figures
	// do not describe the endpoint, whatever the checks say.
	Untrusted
)

// Judge returns the run's judgement and one line saying why: for a failed
// load-delivered check, what was asked and what was delivered.
func (s *Summary) Judge() (Judgement, string) {
	if s.Trust != nil && s.Trust.Untrustworthy {
		return Untrusted, "UNTRUSTWORTHY: " + s.Trust.Reason
	}
	var failed, inconclusive []Check
	for _, c := range s.SLO.Checks {
		switch c.Status {
		case StatusFail:
			failed = append(failed, c)
		case StatusInconclusive:
			inconclusive = append(inconclusive, c)
		}
	}
	if len(failed) > 0 {
		var load []string
		for _, c := range failed {
			if c.Objective == "dropped" || c.Objective == "achieved_rate" {
				load = append(load, fmt.Sprintf("%s: %s, measured %s (%s)", c.Target, c.Text, checkValue(c, c.Measured), c.Basis))
			}
		}
		if len(load) > 0 {
			return Failed, "load not delivered: " + strings.Join(load, "; ")
		}
		return Failed, fmt.Sprintf("SLO failed: %d of %d checks (first: %s %s, measured %s)", len(failed), len(s.SLO.Checks),
			failed[0].Target, failed[0].Text, checkValue(failed[0], failed[0].Measured))
	}
	if len(inconclusive) > 0 {
		c := inconclusive[0]
		return Inconclusive, fmt.Sprintf("SLO inconclusive: %d of %d checks had too few samples (first: %s %s: %s)",
			len(inconclusive), len(s.SLO.Checks), c.Target, c.Text, c.Basis)
	}
	return Passed, ""
}

// Headline is the first line of every format: the trust problem first,
// then the SLO verdict.
func (s *Summary) Headline() string {
	if j, why := s.Judge(); j == Untrusted {
		return why
	}
	return s.sloHeadline()
}

// sloHeadline is the SLO verdict alone: "SLO PASS (8 checks)".
func (s *Summary) sloHeadline() string {
	n := len(s.SLO.Checks)
	switch {
	case countStatus(s, StatusFail) > 0:
		return fmt.Sprintf("SLO FAIL (%d of %d checks failed)", countStatus(s, StatusFail), n)
	case countStatus(s, StatusInconclusive) > 0:
		return fmt.Sprintf("SLO INCONCLUSIVE (%d of %d checks had too few samples)", countStatus(s, StatusInconclusive), n)
	}
	if n == 0 {
		return "no SLO objectives"
	}
	return fmt.Sprintf("SLO PASS (%d checks)", n)
}

func countStatus(s *Summary, status string) int {
	n := 0
	for _, c := range s.SLO.Checks {
		if c.Status == status {
			n++
		}
	}
	return n
}

// minSamples is the smallest count of values a percentile means anything
// from: the p-th percentile of fewer than 1/(1−p) values is the maximum
// (p99 needs 100, p99.9 needs 1,000). A mean or max needs one.
func minSamples(percentile float64) int64 {
	if percentile <= 0 || percentile >= 100 {
		return 1
	}
	return int64(math.Ceil(1/(1-percentile/100) - 1e-9))
}

// wilson is the 95 % Wilson score interval of a share k/n:
//
//	centre = (p + z²/2n) / (1 + z²/n)
//	half   = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n),   z = 1.96
//
// It stays inside [0, 1] and is honest at 0 and n, where the normal
// approximation collapses to a point.
func wilson(k, n int64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	const z = 1.959963984540054
	p, nf := float64(k)/float64(n), float64(n)
	d := 1 + z*z/nf
	c := (p + z*z/(2*nf)) / d
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / d
	return math.Max(0, c-h), math.Min(1, c+h)
}

// Differences lists what makes two runs not comparable — a different
// scenario, plan (for the same seed), target set or model — and notes what
// differs but still compares (the seed: the same workload drawn again).
func Differences(base, cur *Summary) (diffs, notes []string) {
	if base.Scenario != cur.Scenario {
		diffs = append(diffs, fmt.Sprintf("scenario %q vs %q", base.Scenario, cur.Scenario))
	}
	if base.Seed != cur.Seed {
		notes = append(notes, fmt.Sprintf("seed %d vs %d: the same scenario drawn with another seed", base.Seed, cur.Seed))
	} else if base.PlanHash != "" && cur.PlanHash != "" && base.PlanHash != cur.PlanHash && base.Scenario == cur.Scenario {
		diffs = append(diffs, fmt.Sprintf("plan %s vs %s (same scenario name and seed: the scenario was changed)", base.PlanHash, cur.PlanHash))
	}
	models := func(s *Summary) map[string]string {
		m := map[string]string{}
		for _, t := range s.Targets {
			m[t.Name] = t.Model
		}
		return m
	}
	bm, cm := models(base), models(cur)
	for name, model := range bm {
		switch other, ok := cm[name]; {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("target %s only in the baseline", name))
		case other != model:
			diffs = append(diffs, fmt.Sprintf("target %s: model %s vs %s", name, model, other))
		}
	}
	for name := range cm {
		if _, ok := bm[name]; !ok {
			diffs = append(diffs, fmt.Sprintf("target %s only in the current run", name))
		}
	}
	slices.Sort(diffs)
	return diffs, notes
}
