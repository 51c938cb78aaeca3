package mockserver

import (
	"math"
	"time"
)

// Demand is the mean request a profile's capacity is computed for, in the
// server's own counts (usage.prompt_tokens includes the chat template).
type Demand struct {
	PromptTokens int
	CachedTokens int
	// MaxTokens caps the answer as the request's max_tokens does (0: the
	// profile's DefaultMaxTokens).
	MaxTokens int
	// Thinking and ReasoningEffort say whether and how long it thinks.
	Thinking        bool
	ReasoningEffort string
}

// ServiceTime is the mean time one request holds a serving slot when every
// slot is busy, at TimeScale 1:
//
//	S = prefill + (E − 1)·n·ITL·(1 + LoadFactor)
//
// with prefill = TTFTBase + PrefillPerToken·uncached +
// PrefillPerCachedToken·cached, E = ⌈R/n⌉ + ⌈C/n⌉ token events of
// n = TokensPerEvent tokens, R and C the mean reasoning and answer lengths
// (each a clamped lognormal cut at its cap, integrated numerically), and
// the decode slowdown at full occupancy (inFlight = MaxInFlight). The slot
// is released when the last token is written, so the last gap is not
// waited. Jitter has mean 1 and does not move the mean.
func (p Profile) ServiceTime(d Demand) time.Duration {
	uncached := max(d.PromptTokens-d.CachedTokens, 0)
	prefill := float64(p.TTFTBase) + float64(uncached)*float64(p.PrefillPerToken) + float64(d.CachedTokens)*float64(p.PrefillPerCachedToken)
	answerCap := p.DefaultMaxTokens
	if d.MaxTokens > 0 {
		answerCap = d.MaxTokens
	}
	n := float64(p.TokensPerEvent)
	events := math.Ceil(p.OutputTokens.mean(1, answerCap) / n)
	if d.Thinking {
		events += math.Ceil(p.ReasoningTokens.mean(effortScale(d.ReasoningEffort), 0) / n)
	}
	decode := math.Max(events-1, 0) * n * float64(p.ITL) * (1 + p.LoadFactor)
	return time.Duration(prefill + decode)
}

// Capacity is the highest arrival rate, in requests per second at
// TimeScale 1, the profile sustains for demand d: with every slot busy it
// completes MaxInFlight / S requests per second (S = ServiceTime), so at any
// higher rate the queue grows without bound (TTFT grows probe over probe,
// then 429 once MaxQueue is full). RPM and TPM buckets, when set, cap it
// further at RPM/60 and TPM/60 over the tokens a request is charged.
// At a time scale s the rate is Capacity/s.
func (p Profile) Capacity(d Demand) float64 {
	s := p.ServiceTime(d).Seconds()
	if s <= 0 {
		return math.Inf(1)
	}
	c := float64(p.MaxInFlight) / s
	if p.RPM > 0 {
		c = math.Min(c, float64(p.RPM)/60)
	}
	if p.TPM > 0 {
		answerCap := p.DefaultMaxTokens
		if d.MaxTokens > 0 {
			answerCap = d.MaxTokens
		}
		c = math.Min(c, float64(p.TPM)/60/float64(d.PromptTokens+answerCap))
	}
	return c
}

// mean is E[min(draw, cap)] of the length's draw (cap 0: no cap): the
// lognormal Mean·exp(σZ − σ²/2), rounded and clamped as draw does,
// integrated over Z by the trapezoid rule on ±8σ.
func (l Length) mean(scale float64, cap int) float64 {
	one := func(x float64) float64 {
		n := math.Round(x)
		if n < float64(l.Min) {
			n = float64(l.Min)
		}
		if l.Max > 0 && n > float64(l.Max) {
			n = float64(l.Max)
		}
		n = math.Max(n, 1)
		if cap > 0 {
			n = math.Min(n, float64(cap))
		}
		return n
	}
	m := float64(l.Mean) * scale
	if l.Spread == 0 {
		return one(m)
	}
	const steps = 4000
	s := l.Spread
	sum, h := 0.0, 16.0/steps
	for i := 0; i <= steps; i++ {
		z := -8 + float64(i)*h
		w := math.Exp(-z*z/2) / math.Sqrt(2*math.Pi)
		if i == 0 || i == steps {
			w /= 2
		}
		sum += w * one(m*math.Exp(s*z-s*s/2))
	}
	return sum * h
}
