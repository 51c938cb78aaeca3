package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// build turns the merged aggregator into a Summary.
func build(ag *aggregator, files []*fileInfo, objs []scenarios.Objective, pricing Pricing, rateOverride float64) *Summary {
	h := files[0].header
	s := &Summary{
		Schema: SummarySchema, Tool: h.Tool, Scenario: h.Scenario, Seed: h.Seed, PlanHash: h.PlanHash,
		Start: h.Start, ShardCount: max(h.ShardCount, 1), TargetRate: h.TargetRate, Warmup: ag.warmup,
		LatencyBasis: LatencyBasis, Complete: true, Targets: []TargetSummary{}, Tiers: []Group{}, Warnings: []string{},
		targets: ag.targets,
	}
	if x, ok := pricing.(interface{ exchange() string }); ok {
		s.Exchange = x.exchange()
	}
	seenShard := map[int]bool{}
	var headers []runner.Header
	for _, fi := range files {
		s.Files = append(s.Files, fi.path)
		for _, hh := range append([]runner.Header{fi.header}, fi.headers...) {
			headers = append(headers, hh)
			if hh.ShardIndex >= 0 && !seenShard[hh.ShardIndex] {
				seenShard[hh.ShardIndex] = true
				s.Shards = append(s.Shards, hh.ShardIndex)
			}
			if hh.PlanHash != h.PlanHash || hh.Seed != h.Seed {
				s.Warnings = append(s.Warnings, fmt.Sprintf("%s: plan %s seed %d differs from %s's plan %s seed %d: these are not shards of one run",
					fi.path, hh.PlanHash, hh.Seed, files[0].path, h.PlanHash, h.Seed))
			}
		}
		if len(fi.footers) == 0 {
			s.Complete = false
			s.Warnings = append(s.Warnings, fi.path+": no footer: the run was cut short (crash or kill); every recorded request is counted")
		}
		for _, f := range fi.footers {
			if f.Interrupted {
				s.Warnings = append(s.Warnings, fi.path+": the run was interrupted before its planned end")
			}
			t := f.Trust
			if s.Trust == nil {
				s.Trust = &t
			} else {
				*s.Trust = runner.WorseTrust(*s.Trust, t)
			}
		}
		s.Warnings = append(s.Warnings, fi.warnings...)
	}
	sort.Ints(s.Shards)
	if s.Trust != nil && s.Trust.Untrustworthy {
		s.Warnings = append(s.Warnings, "the generator marked this run untrustworthy: "+s.Trust.Reason)
	}

	// Finest groups are (target, tier); everything coarser merges them.
	overall := newAcc()
	byTier := map[string]*acc{}
	names := make([]string, 0, len(ag.targets))
	for n := range ag.targets {
		names = append(names, n)
	}
	sort.Strings(names)
	all := map[string]*acc{}
	for _, n := range names {
		t := ag.targets[n]
		a := newAcc()
		for tier, ta := range t.tiers {
			a.merge(ta)
			if byTier[tier] == nil {
				byTier[tier] = newAcc()
			}
			byTier[tier].merge(ta)
		}
		overall.merge(a)
		all[n] = a
	}
	s.overall = overall
	s.all = all

	// The window: first send to last end, over everything issued.
	if overall.firstSent <= overall.lastEnd && overall.lastEnd != math.MinInt64 {
		s.Window.Start = round3(float64(overall.firstSent) / 1e6)
		s.Window.End = round3(float64(overall.lastEnd) / 1e6)
		s.Window.Seconds = round3(s.Window.End - s.Window.Start)
	}
	secs := s.Window.Seconds
	total := overall.requests
	share := func(a *acc) float64 {
		if total == 0 || s.TargetRate == 0 {
			return 0
		}
		return s.TargetRate * float64(a.requests) / float64(total)
	}

	for _, n := range names {
		t := ag.targets[n]
		ts := TargetSummary{Name: n, Model: t.model, All: group(all[n], n, "", secs, share(all[n])), Tiers: []Group{}, TierMismatches: []TierMismatch{}}
		for m := range t.models {
			ts.Models = append(ts.Models, m)
		}
		sort.Strings(ts.Models)
		for _, tier := range sortedTiers(t.tiers) {
			ts.Tiers = append(ts.Tiers, group(t.tiers[tier], n, tier, secs, share(t.tiers[tier])))
		}
		if t.badUsage > 0 {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s: %d requests reported token usage that cannot be believed (%s): kept raw in results.jsonl, left out of cost and throughput",
				n, t.badUsage, t.badUsageExample))
		}
		if pricing != nil {
			rate := share(all[n])
			if rateOverride > 0 && total > 0 {
				rate = rateOverride * float64(all[n].requests) / float64(total)
			}
			if rate == 0 {
				rate = ts.All.Achieved
			}
			ts.Cost = targetCost(t, rate)
			ts.Cost.Context = contextCost(n, t.model, headers, ag.lastUse, pricing, ts.Cost)
			if ts.Cost.Currency != "" {
				s.Currency = ts.Cost.Currency
			}
			if t.unbilled > 0 {
				s.Warnings = append(s.Warnings, fmt.Sprintf("%s: %d successful requests had no server usage and are not in the cost", n, t.unbilled))
			}
			if t.unknown > 0 {
				s.Warnings = append(s.Warnings, fmt.Sprintf("%s: %d requests name a model the price catalog does not know (%s): not costed", n, t.unknown, strings.Join(ts.Models, ", ")))
			}
		}
		keys := make([][2]string, 0, len(t.mismatch))
		for k := range t.mismatch {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
		})
		ts.Quota = quotaSummary(&t.quota, ts.All.ErrorClasses)
		ts.Errors = t.errors.rows()
		ts.TierPlanned = t.tierBilled
		ts.TierInPlan = t.tierBilled
		for _, k := range keys {
			m := t.mismatch[k]
			ts.TierMismatches = append(ts.TierMismatches, TierMismatch{Planned: m.planned, Billed: m.billed, Count: m.count, Examples: m.examples})
			ts.TierInPlan -= m.count
		}
		s.Targets = append(s.Targets, ts)
	}
	for _, tier := range sortedTiers(byTier) {
		s.Tiers = append(s.Tiers, group(byTier[tier], "", tier, secs, share(byTier[tier])))
	}
	s.Overall = group(overall, "", "", secs, s.TargetRate)
	s.Achieved = s.Overall.Achieved

	// Series steps agree once merged; take the coarsest.
	s.step = 1
	for _, t := range ag.targets {
		s.step = max(s.step, t.series.step)
	}
	for _, t := range ag.targets {
		for t.series.step < s.step {
			t.series.coarsen()
		}
	}
	s.Window.SeriesStep = s.step

	if overall.dropped > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%d planned requests were dropped (max_in_flight reached) and never sent: the generator or the endpoint could not keep up", overall.dropped))
	}
	var lateUS int64
	if s.Trust != nil {
		lateUS = s.Trust.LagLimitUS
	}
	// The header's stages are the whole plan's; the files read may be some
	// of its shards.
	planShare := 1.0
	if s.ShardCount > 1 && len(s.Shards) > 0 {
		planShare = float64(len(s.Shards)) / float64(s.ShardCount)
	}
	cut := !s.Complete
	for _, fi := range files {
		for _, f := range fi.footers {
			cut = cut || f.Interrupted
		}
	}
	s.Load = delivered(ag, names, h.Stages, planShare, lateUS, cut)
	s.Sessions = ag.sessions.summary()
	s.SLO = verdict(s, objs)
	s.SLO.Windows = windowChecks(s, windowAccs(ag))
	for _, c := range s.SLO.Windows {
		ch := c.asCheck(windowSource(objs, c))
		if ch.Status = StatusFail; ch.Pass {
			ch.Status = StatusPass
		}
		s.SLO.Checks = append(s.SLO.Checks, ch)
		s.SLO.Pass = s.SLO.Pass && c.Pass
	}
	s.SLO.Burn = burnChecks(s, ag, objs)
	for _, bc := range s.SLO.Burn {
		s.SLO.Checks = append(s.SLO.Checks, bc.asCheck())
		s.SLO.Pass = s.SLO.Pass && bc.Pass
	}
	return s
}

// sortedTiers orders tier names by their size ("32k" < "128k" < "256k"),
// then by name; "" (no tier) last.
func sortedTiers[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := tierSize(out[i]), tierSize(out[j])
		if a != b {
			return a < b
		}
		return out[i] < out[j]
	})
	return out
}

func tierSize(t string) int {
	if t == "" {
		return math.MaxInt
	}
	var n int
	var unit string
	if _, err := fmt.Sscanf(t, "%d%s", &n, &unit); err != nil {
		return math.MaxInt - 1
	}
	switch strings.ToLower(unit) {
	case "k":
		return n * 1000
	case "m":
		return n * 1000000
	}
	return n
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func perSec(n int64, secs float64) float64 {
	if secs <= 0 {
		return 0
	}
	return float64(n) / secs
}

// round6 keeps fractions and rates readable and stable in JSON.
func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func group(a *acc, target, tier string, secs, targetRate float64) Group {
	g := Group{Target: target, Tier: tier, Requests: a.requests, Issued: a.ok + a.failed, OK: a.ok, ZeroCompletion: a.zeroCompletion, Failed: a.failed,
		Dropped: a.dropped, ErrorClasses: map[string]int64{}, GoodRequests: a.good, TargetRate: round6(targetRate),
		Latency: map[string]Dist{}}
	for c, n := range a.classes {
		g.ErrorClasses[c] = n
	}
	g.Availability = round6(ratio(a.ok, g.Issued))
	g.ErrorRate = round6(ratio(a.failed, g.Issued))
	g.Goodput = round6(perSec(a.good, secs))
	g.Throughput = round6(perSec(a.ok, secs))
	g.InputTokensRate = round6(perSec(a.inTok, secs))
	g.OutputTokensRate = round6(perSec(a.outTok, secs))
	// Achieved rate: n sends spread over a span at rate r are (n−1)/r apart,
	// so r = (n−1)/span.
	if g.Issued > 1 && a.lastSent > a.firstSent {
		g.Achieved = round6(float64(g.Issued-1) / (float64(a.lastSent-a.firstSent) / 1e6))
	}
	for m := range numMetrics {
		g.Latency[m.String()] = distOf(a.hist[m])
	}
	g.Tokens = Tokens{
		WithUsage: a.withUsage, WithoutUsage: a.okNoUsage, ServerPrompt: a.srvPrompt, ServerCompletion: a.srvCompletion,
		ServerCached: a.srvCached, ServerReasoning: a.srvReasoning, Compared: a.compared,
		ClientPrompt: a.cmpEstPrompt, ClientCompletion: a.cmpEstComp,
		PromptMismatch:     round6(ratio(a.cmpEstPrompt-a.cmpSrvPrompt, a.cmpSrvPrompt)),
		CompletionMismatch: round6(ratio(a.cmpEstComp-a.cmpSrvComp, a.cmpSrvComp)),
		CachedShare:        round6(ratio(a.srvCached, a.srvPrompt)),
		TokensPerEvent:     round6(ratio(a.eventTokens, a.events)),
		TPOTFromServer:     a.tpotFromServer, TPOTFromClient: a.tpotFromClient,
		Thinking: a.thinking, FinishLength: a.finishLength,
	}
	return g
}

// targetCost sums a target's bill per (model, tier) and projects it at rate
// requests per second.
func targetCost(t *targetAcc, rate float64) *TargetCost {
	c := &TargetCost{Unbilled: t.unbilled, UnknownModel: t.unknown, ProjectedRate: rate, Tiers: []TierCost{}}
	keys := make([][2]string, 0, len(t.cost))
	for k := range t.cost {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return tierSize(keys[i][1]) < tierSize(keys[j][1])
	})
	for _, k := range keys {
		a := t.cost[k]
		p := a.price
		tc := TierCost{Model: a.model, Tier: p.Tier, Requests: a.requests, PromptTokens: a.prompt, CachedTokens: a.cached,
			CompletionTokens: a.completion, InputPrice: p.Input, CacheReadPrice: p.CacheRead, OutputPrice: p.Output,
			CacheSavings: p.CacheSavings(float64(a.cached))}
		bill := p.Split(float64(a.prompt), float64(a.cached), float64(a.completion))
		tc.Input, tc.CacheRead, tc.Output, tc.Total = bill.Input, bill.CacheRead, bill.Output, bill.Total
		tc.Per1K = ratioF(tc.Total*1000, float64(a.requests))
		c.Currency = p.Currency
		c.CacheStoragePrice = max(c.CacheStoragePrice, p.CacheStorage)
		c.Total += tc.Total
		c.CacheSavings += tc.CacheSavings
		c.BilledRequests += a.requests
		c.Tiers = append(c.Tiers, tc)
	}
	c.Per1K = ratioF(c.Total*1000, float64(c.BilledRequests))
	// Projection: the mean cost of a billed request times the rate.
	perReq := ratioF(c.Total, float64(c.BilledRequests))
	c.PerDay = perReq * rate * 86400
	c.PerMonth = c.PerDay * 30
	return c
}

func ratioF(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
