package report

import (
	"math"
	"net/http"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// acc accumulates one group of records (a target's tier, or after merging a
// target, a tier across targets, or everything). Records are added only to
// the finest groups, (target, planned tier); the coarser ones are merged
// from them at the end, which histograms do exactly.
type acc struct {
	hist [numMetrics]*hdrhistogram.Histogram

	requests int64 // measured records: ok + failed + dropped
	ok       int64
	failed   int64
	dropped  int64
	classes  map[string]int64
	good     int64 // ok and within every per-request objective

	firstSent, lastSent int64 // over issued requests, µs from the run's start
	firstEnd, lastEnd   int64

	// Tokens with provenance. srv* are the server's usage over requests that
	// have it; in/out are the best-known counts (server, else the client's
	// estimate) that throughput uses.
	withUsage       int64
	srvPrompt       int64
	srvCompletion   int64
	srvCached       int64
	srvReasoning    int64
	compared        int64 // ok requests with both server usage and client estimates
	cmpSrvPrompt    int64
	cmpSrvComp      int64
	cmpEstPrompt    int64
	cmpEstComp      int64
	okNoUsage       int64
	inTok, outTok   int64
	events          int64 // token-bearing events of ok requests with server usage
	eventTokens     int64 // their completion tokens
	tpotFromServer  int64
	tpotFromClient  int64
	thinking        int64 // ok requests that reasoned before answering
	finishLength    int64 // ok requests cut at max_tokens
	zeroCompletion  int64 // ok requests that finished without a completion token
	incompleteUsage int64
}

func newAcc() *acc {
	a := &acc{classes: map[string]int64{}, firstSent: math.MaxInt64, firstEnd: math.MaxInt64, lastSent: math.MinInt64, lastEnd: math.MinInt64}
	for i := range a.hist {
		a.hist[i] = runner.NewHistogram()
	}
	return a
}

func (a *acc) merge(o *acc) {
	for i := range a.hist {
		a.hist[i].Merge(o.hist[i])
	}
	a.requests += o.requests
	a.ok += o.ok
	a.failed += o.failed
	a.dropped += o.dropped
	for c, n := range o.classes {
		a.classes[c] += n
	}
	a.good += o.good
	a.firstSent = min(a.firstSent, o.firstSent)
	a.lastSent = max(a.lastSent, o.lastSent)
	a.firstEnd = min(a.firstEnd, o.firstEnd)
	a.lastEnd = max(a.lastEnd, o.lastEnd)
	a.withUsage += o.withUsage
	a.srvPrompt += o.srvPrompt
	a.srvCompletion += o.srvCompletion
	a.srvCached += o.srvCached
	a.srvReasoning += o.srvReasoning
	a.compared += o.compared
	a.cmpSrvPrompt += o.cmpSrvPrompt
	a.cmpSrvComp += o.cmpSrvComp
	a.cmpEstPrompt += o.cmpEstPrompt
	a.cmpEstComp += o.cmpEstComp
	a.okNoUsage += o.okNoUsage
	a.inTok += o.inTok
	a.outTok += o.outTok
	a.events += o.events
	a.eventTokens += o.eventTokens
	a.tpotFromServer += o.tpotFromServer
	a.tpotFromClient += o.tpotFromClient
	a.thinking += o.thinking
	a.finishLength += o.finishLength
	a.zeroCompletion += o.zeroCompletion
	a.incompleteUsage += o.incompleteUsage
}

// targetAcc is everything kept about one target.
type targetAcc struct {
	name, model string
	tiers       map[string]*acc // by planned tier ("" when the plan named none)
	limits      [numMetrics]int64
	series      *series
	sample      *sampler
	cost        map[[2]string]*costAcc // by (model, billed tier)
	mismatch    map[[2]string]*mismatchAcc
	tierBilled  int64 // billed requests that had a planned tier (the mismatch line's denominator)
	quota       quotaAcc
	unbilled    int64 // requests that got a response but no server usage: not costed
	unknown     int64 // requests to a model the catalog does not know
	// badUsage counts records whose server usage the runner marked invalid
	// (runner.Result.UsageInvalid): kept raw in the results, left out of
	// cost and throughput here, warned about with one example reason.
	badUsage        int64
	badUsageExample string
	errors          errorTable // failed and dropped requests by class, status and code
	models          map[string]bool
	stages          []*stageAcc // by stage index: load delivered
	windows         *windowAcc  // the target's windowed objectives; nil when none
	burn            *BurnCounts // sent and failed by send time, for burn rates; nil without an objective with an error budget
}

// aggregator accumulates records; each worker owns one and they merge.
type aggregator struct {
	pricing    Pricing
	limits     func(target string) [numMetrics]int64
	sampleSize int
	targets    map[string]*targetAcc
	// windowed gives a target's objectives, for the windowed ones among
	// them (nil: none).
	windowed func(target string) []scenarios.Objective
	order    []string // first-seen order, for stable output before sorting
	warmup   int64
	records  int64
	stages   []runner.StageInfo // the plan's stages, from the header
	sessions *sessionsAcc       // multi-turn sessions (turns.go); nil without
	// lastUse is when each (target, prefix group) was last served, the send
	// offset (µs) of its last answered request, warmup included: a context
	// cache's TTL restarts there (contextcost.go).
	lastUse map[prefixUse]int64
}

func newAggregator(p Pricing, limits func(string) [numMetrics]int64) *aggregator {
	return &aggregator{pricing: p, limits: limits, sampleSize: 2000, targets: map[string]*targetAcc{}}
}

func (ag *aggregator) target(name, model string) *targetAcc {
	t := ag.targets[name]
	if t == nil {
		t = &targetAcc{name: name, model: model, tiers: map[string]*acc{}, series: newSeries(),
			sample: newSampler(ag.sampleSize), cost: map[[2]string]*costAcc{}, mismatch: map[[2]string]*mismatchAcc{},
			models: map[string]bool{}, errors: errorTable{}}
		if ag.limits != nil {
			t.limits = ag.limits(name)
		}
		if ag.windowed != nil {
			t.windows = newWindowAcc(ag.windowed(name))
			for _, o := range ag.windowed(name) {
				if o.ErrorBudget() > 0 && t.burn == nil {
					t.burn = NewBurnCounts()
				}
			}
		}
		ag.targets[name] = t
		ag.order = append(ag.order, name)
	}
	if model != "" && !t.models[model] {
		t.models[model] = true
	}
	return t
}

// billing is what add learned about a record's bill, for the per-request CSV.
type billing struct {
	tier   string
	cost   float64
	billed bool
}

// add folds one record in. It must not keep r: the caller reuses it.
func (ag *aggregator) add(r *runner.Result) billing {
	ag.records++
	if r.Prefix > 0 && r.HTTPStatus == http.StatusOK {
		ag.used(r)
	}
	if r.Warmup {
		ag.warmup++
		return billing{}
	}
	t := ag.target(r.Target, r.Model)
	a := t.tiers[r.Tier]
	if a == nil {
		a = newAcc()
		t.tiers[r.Tier] = a
	}
	a.requests++
	ag.countStage(t, r)
	if r.Status == runner.StatusDropped {
		a.dropped++
		a.classes[runner.ClassDropped]++
		t.errors.add(r)
		b := t.series.at(r.IntendedUS)
		b.dropped++
		b.planned++
		return billing{}
	}

	if r.Usage != nil && r.UsageInvalid != "" {
		t.badUsage++
		if t.badUsageExample == "" {
			t.badUsageExample = r.UsageInvalid
		}
		c := *r // r is the caller's, reused: count it as a record without usage
		c.Usage = nil
		r = &c
	}

	// Issued: sent and either succeeded or failed.
	if t.windows != nil {
		t.windows.add(r)
	}
	if t.burn != nil {
		var failed int64
		if !r.OK() {
			failed = 1
		}
		t.burn.Add(r.SentUS, 1, failed)
	}
	a.firstSent = min(a.firstSent, r.SentUS)
	a.lastSent = max(a.lastSent, r.SentUS)
	end := r.SentUS + r.E2EUS
	a.firstEnd = min(a.firstEnd, end)
	a.lastEnd = max(a.lastEnd, end)
	t.series.at(r.SentUS).sent++
	if r.IntendedUS >= 0 { // the plan's rate over time: every planned request is sent or dropped
		t.series.at(r.IntendedUS).planned++
	}
	t.quota.add(r)
	if r.IntendedUS >= 0 { // closed-loop requests have no plan time, hence no lag
		runner.RecordMicros(a.hist[Lag], r.LagUS)
	}

	var bill billing
	if r.Usage != nil {
		bill = t.bill(ag.pricing, r)
	} else if r.Status == runner.StatusOK {
		t.unbilled++
	}

	if r.Status != runner.StatusOK {
		a.failed++
		c := r.ErrorClass
		if c == "" {
			c = runner.ClassOther
		}
		a.classes[c]++
		t.errors.add(r)
		t.series.at(end).failed++
		return bill
	}

	a.ok++
	if r.ZeroCompletion {
		a.zeroCompletion++
	}
	var v [numMetrics]int64 // this request's figures, for goodput
	if r.TTFBUS > 0 {
		v[TTFB] = r.TTFBUS
		runner.RecordMicros(a.hist[TTFB], r.TTFBUS)
	}
	if r.TTFTUS > 0 {
		v[TTFT] = r.TTFTUS
		runner.RecordMicros(a.hist[TTFT], r.TTFTUS)
	}
	if r.TTFATUS > 0 {
		v[TTFAT] = r.TTFATUS
		runner.RecordMicros(a.hist[TTFAT], r.TTFATUS)
		if r.TTFATUS > r.TTFTUS {
			a.thinking++
		}
	}
	for i := 1; i < len(r.EventsUS); i++ {
		runner.RecordMicros(a.hist[ITL], r.EventsUS[i]-r.EventsUS[i-1])
	}
	v[E2E] = r.E2EUS
	runner.RecordMicros(a.hist[E2E], r.E2EUS)
	v[Corrected] = r.E2EUS + correctionOf(r)
	runner.RecordMicros(a.hist[Corrected], v[Corrected])

	// TPOT = (E2E − TTFT) / (completion_tokens − 1), server count preferred.
	if tpot, fromServer, ok := tpotOf(r); ok {
		v[TPOT] = tpot
		runner.RecordMicros(a.hist[TPOT], tpot)
		if fromServer {
			a.tpotFromServer++
		} else {
			a.tpotFromClient++
		}
	}
	// Throughput counts the best-known tokens: the server's, else the
	// client's estimate.
	prompt, completion := r.EstPromptTokens, r.EstCompletionTokens
	if r.Usage != nil {
		prompt, completion = r.Usage.PromptTokens, r.Usage.CompletionTokens
	}
	if r.Finish == "length" {
		a.finishLength++
	}

	if r.Usage != nil {
		u := r.Usage
		a.withUsage++
		a.srvPrompt += int64(u.PromptTokens)
		a.srvCompletion += int64(u.CompletionTokens)
		a.srvCached += int64(u.CachedTokens)
		a.srvReasoning += int64(u.ReasoningTokens)
		if r.EstPromptTokens > 0 && r.EstCompletionTokens > 0 {
			a.compared++
			a.cmpSrvPrompt += int64(u.PromptTokens)
			a.cmpSrvComp += int64(u.CompletionTokens)
			a.cmpEstPrompt += int64(r.EstPromptTokens)
			a.cmpEstComp += int64(r.EstCompletionTokens)
		}
		if len(r.EventsUS) > 0 {
			a.events += int64(len(r.EventsUS))
			a.eventTokens += int64(u.CompletionTokens)
		}
	} else {
		a.okNoUsage++
	}
	a.inTok += int64(prompt)
	a.outTok += int64(completion)

	good := true
	for _, m := range goodputMetrics {
		if lim := t.limits[m]; lim > 0 && v[m] > lim {
			good = false
		}
	}
	b := t.series.at(end)
	b.ok++
	b.inTok += int64(prompt)
	b.outTok += int64(completion)
	if good {
		a.good++
		b.good++
	}
	if r.TTFTUS > 0 {
		sb := t.series.at(r.SentUS)
		if sb.ttft == nil {
			sb.ttft = &logHist{}
		}
		sb.ttft.record(r.TTFTUS)
		t.sample.add(point{hash: mix64(uint64(r.K)), k: r.K, prompt: prompt, ttftUS: r.TTFTUS, tier: r.Tier})
	}
	return bill
}

// bill adds a request with server usage to the target's cost sums.
func (t *targetAcc) bill(p Pricing, r *runner.Result) billing {
	if p == nil {
		return billing{}
	}
	u := r.Usage
	price, ok := p.Bill(r.Model, u.PromptTokens)
	if !ok {
		t.unknown++
		return billing{}
	}
	key := [2]string{r.Model, price.Tier}
	c := t.cost[key]
	if c == nil {
		c = &costAcc{price: price, model: r.Model}
		t.cost[key] = c
	}
	// The catalog's rule: cached tokens are a part of the prompt.
	cached := min(max(u.CachedTokens, 0), u.PromptTokens)
	c.requests++
	c.prompt += int64(u.PromptTokens)
	c.cached += int64(cached)
	c.completion += int64(u.CompletionTokens)
	if r.Tier != "" {
		t.tierBilled++
	}
	if r.Tier != "" && r.Tier != price.Tier {
		mk := [2]string{r.Tier, price.Tier}
		m := t.mismatch[mk]
		if m == nil {
			m = &mismatchAcc{planned: r.Tier, billed: price.Tier}
			t.mismatch[mk] = m
		}
		m.add(r.K)
	}
	return billing{tier: price.Tier, billed: true,
		cost: price.Cost(int64(u.PromptTokens), int64(cached), int64(u.CompletionTokens))}
}

// merge folds another worker's aggregator into ag.
func (ag *aggregator) merge(o *aggregator) {
	ag.warmup += o.warmup
	ag.records += o.records
	for k, v := range o.lastUse {
		if ag.lastUse == nil {
			ag.lastUse = map[prefixUse]int64{}
		}
		if old, ok := ag.lastUse[k]; !ok || v > old {
			ag.lastUse[k] = v
		}
	}
	if o.sessions != nil {
		if ag.sessions == nil {
			ag.sessions = newSessionsAcc()
		}
		ag.sessions.merge(o.sessions)
	}
	for _, name := range o.order {
		ot := o.targets[name]
		t := ag.target(name, ot.model)
		for m := range ot.models {
			t.models[m] = true
		}
		for tier, oa := range ot.tiers {
			if a := t.tiers[tier]; a != nil {
				a.merge(oa)
			} else {
				t.tiers[tier] = oa
			}
		}
		t.series.merge(ot.series)
		if ot.windows != nil {
			if t.windows == nil {
				t.windows = ot.windows
			} else {
				t.windows.merge(ot.windows)
			}
		}
		if ot.burn != nil {
			if t.burn == nil {
				t.burn = ot.burn
			} else {
				t.burn.merge(ot.burn)
			}
		}
		t.sample.merge(ot.sample)
		for k, oc := range ot.cost {
			if c := t.cost[k]; c != nil {
				c.merge(oc)
			} else {
				t.cost[k] = oc
			}
		}
		for k, om := range ot.mismatch {
			if m := t.mismatch[k]; m != nil {
				m.merge(om)
			} else {
				t.mismatch[k] = om
			}
		}
		t.unbilled += ot.unbilled
		t.unknown += ot.unknown
		t.errors.merge(ot.errors)
		t.badUsage += ot.badUsage
		if t.badUsageExample == "" {
			t.badUsageExample = ot.badUsageExample
		}
		t.tierBilled += ot.tierBilled
		for i, os := range ot.stages {
			for len(t.stages) <= i {
				t.stages = append(t.stages, newStageAcc())
			}
			t.stages[i].merge(os)
		}
		t.quota.merge(&ot.quota)
	}
}
