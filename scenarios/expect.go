package scenarios

// Expected values of a plan's requests, computed from the mix alone — no
// request is built. Each class's length distribution is integrated by
// stratified quadrature: its sampler is evaluated at u = (i + ½)/N for
// i < N, which is the same function that draws the run's lengths, so the
// figures describe exactly the distributions the run samples from (fixed
// lengths come out exact).

// quadraturePoints is N above.
const quadraturePoints = 4000

// tierMass is what falls in one tier: the probability of a request landing
// there and the mean tokens of those requests.
type tierMass struct {
	tier   string
	p      float64 // probability over all requests
	prompt float64 // mean prompt tokens of the requests in the tier
	cached float64 // mean cached (prefix) tokens of those requests
}

// expectation is a whole mix's expected request on one model.
type expectation struct {
	tiers  []tierMass // in the model's tier order, empty tiers included
	output float64    // mean max_tokens (independent of the prompt)
	// outputByTier is the mean output of requests in each tier (it differs
	// from output when classes of different output lengths fall in
	// different tiers).
	outputByTier []float64
	prompt       float64 // mean prompt tokens
	// unbudgeted is the share of requests with no thinking budget (neither
	// their class's nor the target's): their completion is bounded only by
	// max_tokens, which does not bound reasoning.
	unbudgeted float64
}

// expect integrates src's mix on model m. A class's completion is its
// thinking budget when it has one, else the target's budget (0: none),
// else its max_tokens: the cap each request sends (see build).
func (src *Source) expect(m *Model, budget int) expectation {
	e := expectation{tiers: make([]tierMass, len(m.Tiers)), outputByTier: make([]float64, len(m.Tiers))}
	for i, t := range m.Tiers {
		e.tiers[i].tier = t.Name
	}
	tierIndex := func(n int) int {
		for i, t := range m.Tiers {
			if n <= t.MaxPromptTokens {
				return i
			}
		}
		return len(m.Tiers) - 1
	}
	if src.sessions != nil || src.file != nil {
		if src.sessions != nil {
			src.sessions.expect(&e, tierIndex)
		} else {
			src.file.expect(&e, tierIndex)
		}
		// Their requests have no class: the target's budget caps all or none.
		if budget > 0 {
			e.output = float64(budget)
			for i := range e.outputByTier {
				e.outputByTier[i] = float64(budget)
			}
		} else {
			e.unbudgeted = 1
		}
		return e
	}
	prev := 0.0
	for _, c := range src.classes {
		w := (c.cum - prev) / src.total
		prev = c.cum
		if w == 0 {
			continue
		}
		meanOut := 0.0
		for i := range quadraturePoints {
			meanOut += float64(c.output.sample((float64(i) + 0.5) / quadraturePoints))
		}
		meanOut /= quadraturePoints
		switch {
		case c.budget > 0:
			meanOut = float64(c.budget)
		case budget > 0:
			meanOut = float64(budget)
		default:
			e.unbudgeted += w
		}
		e.output += w * meanOut
		// Prefix sets of this class, then "no prefix" with what is left.
		type branch struct{ share, tokens float64 }
		var branches []branch
		left := 1.0
		for _, p := range c.prefixes {
			branches = append(branches, branch{p.share, float64(p.tokens)})
			left -= p.share
		}
		if left > 1e-12 {
			branches = append(branches, branch{left, 0})
		}
		for _, b := range branches {
			pw := w * b.share / quadraturePoints
			for i := range quadraturePoints {
				n := c.prompt.sample((float64(i) + 0.5) / quadraturePoints)
				if b.tokens > 0 {
					// The source never lets a prompt be shorter than its prefix
					// plus a little text.
					n = max(n, int(b.tokens)+minBodyTokens)
				}
				t := tierIndex(n)
				e.tiers[t].p += pw
				e.tiers[t].prompt += pw * float64(n)
				e.tiers[t].cached += pw * b.tokens
				e.outputByTier[t] += pw * meanOut
				e.prompt += pw * float64(n)
			}
		}
	}
	for i := range e.tiers {
		if p := e.tiers[i].p; p > 0 {
			e.tiers[i].prompt /= p
			e.tiers[i].cached /= p
			e.outputByTier[i] /= p
		}
	}
	return e
}

// expect averages a file source's rows, each row equally likely (a
// dataset draws rows uniformly; a trace sends each once). Cached tokens
// are not predicted from hash ids: shared blocks are counted by the server.
func (f *fileSource) expect(e *expectation, tierIndex func(int) int) {
	w := 1 / float64(len(f.rows))
	for i := range f.rows {
		r := &f.rows[i]
		out := f.maxTokens(r)
		t := tierIndex(r.input)
		e.tiers[t].p += w
		e.tiers[t].prompt += w * float64(r.input)
		e.outputByTier[t] += w * float64(out)
		e.prompt += w * float64(r.input)
		e.output += w * float64(out)
	}
	for i := range e.tiers {
		if p := e.tiers[i].p; p > 0 {
			e.tiers[i].prompt /= p
			e.outputByTier[i] /= p
		}
	}
}

// classMeans is the mean prompt and output length of one class, without
// prefixes (for "scenarios show").
func (c *sourceClass) means() (prompt, output float64) {
	for i := range quadraturePoints {
		u := (float64(i) + 0.5) / quadraturePoints
		prompt += float64(c.prompt.sample(u))
		output += float64(c.output.sample(u))
	}
	return prompt / quadraturePoints, output / quadraturePoints
}
