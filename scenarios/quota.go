package scenarios

import "fmt"

// Quota is a hosted endpoint's per-minute quota: requests (RPM) and tokens
// (TPM). Zero means not declared. Gateways count a request's tokens against
// TPM up front as its prompt plus its output cap (max_tokens, or
// max_completion_tokens), which is what the plan is compared with.
type Quota struct {
	RPM int `yaml:"rpm" json:"rpm,omitempty"`
	TPM int `yaml:"tpm" json:"tpm,omitempty"`
}

// IsZero reports an undeclared quota.
func (q Quota) IsZero() bool { return q == Quota{} }

// PeakRate is the highest offered rate of the plan's open-loop stages
// (warmup included, which counts against a quota like the rest), from their
// parameters: a constant, Poisson or gamma rate; a ramp's higher end; a
// sine's crest. Closed-loop stages have none: their rate is the server's.
func (p *Plan) PeakRate() float64 {
	var peak float64
	for _, st := range p.Scenario.Load.Stages {
		_, r, _ := stageRates(st)
		peak = max(peak, r)
	}
	return peak
}

// QuotaWarnings compares each target's share of the plan at its peak rate
// with its declared quota. Every prompt goes to each target in turn, so a
// target receives rate / targets requests per second:
//
//	rpm = peak · 60 / targets
//	tpm = rpm · (mean prompt + mean output cap)
func (p *Plan) QuotaWarnings() []string {
	s := p.Scenario
	peak := p.PeakRate()
	if peak == 0 || len(s.Targets) == 0 {
		return nil
	}
	rpm := peak * 60 / float64(len(s.Targets))
	var out []string
	for i, t := range s.Targets {
		q := t.Quota
		if q.IsZero() {
			continue
		}
		if q.RPM > 0 && rpm > float64(q.RPM) {
			out = append(out, fmt.Sprintf("targets[%d].quota: the plan peaks at %.0f requests per minute to %s, above its quota of %d rpm: expect quota_rpm throttling",
				i, rpm, t.Name, q.RPM))
		}
		if q.TPM > 0 {
			// The output cap a request sends: its thinking budget, else max_tokens.
			e := p.Source.expect(p.Source.targets[i].model, p.Source.targets[i].budget)
			tpm := rpm * (e.prompt + e.output)
			if tpm > float64(q.TPM) {
				out = append(out, fmt.Sprintf("targets[%d].quota: the plan peaks at %.0f tokens per minute to %s (prompt + output cap), above its quota of %d tpm: expect quota_tpm throttling",
					i, tpm, t.Name, q.TPM))
			}
		}
	}
	return out
}
