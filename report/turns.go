package report

import (
	"math"
	"slices"
	"sort"

	"github.com/seedbench/seedbench/runner"
)

// Multi-turn sessions: a conversation grows turn by turn, and with it the
// prompt, its price tier and the cached share. The report shows, per
// target, each turn index's TTFT, cost and cached share; the turn at which
// conversations first crossed into each price tier; and conversation
// totals. Records of one session may be read by different workers (and
// come from different files only if shards were cut wrongly: a session
// never straddles shards), so everything here merges.

// turnAcc sums one (target, turn index).
type turnAcc struct {
	requests, ok, failed, dropped int64
	ttft                          logHist
	usage                         int64 // ok turns with server usage
	prompt, cached, completion    int64
	billed                        int64
	cost                          float64
	tiers                         map[string]int64 // billed tier → turns
}

// convAcc is one conversation (target, session).
type convAcc struct {
	turns, failed int
	last          int    // highest turn index recorded
	lastTier      string // the billed tier of that turn
	prompt        int64
	cached        int64
	completion    int64
	cost          float64
	first, end    int64          // first send, last end (µs)
	reached       map[string]int // billed tier → first turn billed in it
}

type convKey struct {
	target  string
	session int64
}

// sessionsAcc is the aggregator's part for sessions; nil until a record
// with a turn index is read.
type sessionsAcc struct {
	turns map[string][]*turnAcc // target → by turn index − 1
	convs map[convKey]*convAcc
}

func newSessionsAcc() *sessionsAcc {
	return &sessionsAcc{turns: map[string][]*turnAcc{}, convs: map[convKey]*convAcc{}}
}

// addTurn folds in a record of a session's turn (a record with Turn > 0),
// with its bill.
func (ag *aggregator) addTurn(r *runner.Result, bill billing) {
	if r.Turn <= 0 || r.Warmup {
		return
	}
	if ag.sessions == nil {
		ag.sessions = newSessionsAcc()
	}
	sa := ag.sessions
	rows := sa.turns[r.Target]
	for len(rows) < r.Turn {
		rows = append(rows, &turnAcc{tiers: map[string]int64{}})
	}
	sa.turns[r.Target] = rows
	ta := rows[r.Turn-1]
	ta.requests++
	switch {
	case r.Status == runner.StatusDropped:
		ta.dropped++
		return
	case r.Status != runner.StatusOK:
		ta.failed++
	default:
		ta.ok++
		if r.TTFTUS > 0 {
			ta.ttft.record(r.TTFTUS)
		}
	}
	key := convKey{r.Target, r.Session}
	c := sa.convs[key]
	if c == nil {
		c = &convAcc{first: math.MaxInt64, end: math.MinInt64, reached: map[string]int{}}
		sa.convs[key] = c
	}
	c.turns++
	if r.Status != runner.StatusOK {
		c.failed++
	}
	c.first = min(c.first, r.SentUS)
	c.end = max(c.end, r.SentUS+r.E2EUS)
	if r.Turn > c.last {
		c.last, c.lastTier = r.Turn, bill.tier
	}
	if u := r.Usage; u != nil && r.UsageInvalid == "" {
		cached := int64(min(max(u.CachedTokens, 0), u.PromptTokens))
		if r.Status == runner.StatusOK {
			ta.usage++
			ta.prompt += int64(u.PromptTokens)
			ta.cached += cached
			ta.completion += int64(u.CompletionTokens)
		}
		c.prompt += int64(u.PromptTokens)
		c.cached += cached
		c.completion += int64(u.CompletionTokens)
	}
	if bill.billed {
		ta.billed++
		ta.cost += bill.cost
		ta.tiers[bill.tier]++
		c.cost += bill.cost
		if t, ok := c.reached[bill.tier]; !ok || r.Turn < t {
			c.reached[bill.tier] = r.Turn
		}
	}
}

func (sa *sessionsAcc) merge(o *sessionsAcc) {
	for target, orows := range o.turns {
		rows := sa.turns[target]
		for len(rows) < len(orows) {
			rows = append(rows, &turnAcc{tiers: map[string]int64{}})
		}
		for i, ot := range orows {
			t := rows[i]
			t.requests += ot.requests
			t.ok += ot.ok
			t.failed += ot.failed
			t.dropped += ot.dropped
			t.ttft.merge(&ot.ttft)
			t.usage += ot.usage
			t.prompt += ot.prompt
			t.cached += ot.cached
			t.completion += ot.completion
			t.billed += ot.billed
			t.cost += ot.cost
			for k, v := range ot.tiers {
				t.tiers[k] += v
			}
		}
		sa.turns[target] = rows
	}
	for k, oc := range o.convs {
		c := sa.convs[k]
		if c == nil {
			sa.convs[k] = oc
			continue
		}
		c.turns += oc.turns
		c.failed += oc.failed
		if oc.last > c.last {
			c.last, c.lastTier = oc.last, oc.lastTier
		}
		c.prompt += oc.prompt
		c.cached += oc.cached
		c.completion += oc.completion
		c.cost += oc.cost
		c.first = min(c.first, oc.first)
		c.end = max(c.end, oc.end)
		for tier, t := range oc.reached {
			if have, ok := c.reached[tier]; !ok || t < have {
				c.reached[tier] = t
			}
		}
	}
}

// Sessions is the per-turn view of a run of multi-turn sessions, per
// target (absent when the run had none).
type Sessions struct {
	Targets []SessionTarget `json:"targets"`
}

// SessionTarget is one target's sessions.
type SessionTarget struct {
	Target        string             `json:"target"`
	Turns         []TurnRow          `json:"turns"`
	Crossings     []TierCrossing     `json:"tier_crossings"`
	Conversations ConversationTotals `json:"conversations"`
}

// TurnRow is every session's turn number Turn together. Latency is of the
// successful turns; tokens and cost of those with server usage.
type TurnRow struct {
	Turn     int   `json:"turn"`
	Requests int64 `json:"requests"`
	OK       int64 `json:"ok"`
	Failed   int64 `json:"failed"`
	Dropped  int64 `json:"dropped"`
	// TTFT percentiles in ms (within 2.5%: a log histogram); nil when no
	// turn of this index succeeded.
	TTFTP50MS *float64 `json:"ttft_p50_ms"`
	TTFTP90MS *float64 `json:"ttft_p90_ms"`
	// PromptMean is the mean server prompt tokens; CachedShare is cached ÷
	// prompt tokens over the turns with usage.
	PromptMean     float64 `json:"prompt_tokens_mean"`
	CompletionMean float64 `json:"completion_tokens_mean"`
	CachedShare    float64 `json:"cached_share"`
	// CostMean is the mean bill of the billed turns, Cost their sum.
	CostMean float64 `json:"cost_mean"`
	Cost     float64 `json:"cost"`
	// Tiers counts the turns billed in each tier.
	Tiers []TierCount `json:"billed_tiers"`
}

// TierCount is a count of turns or conversations in one price tier.
type TierCount struct {
	Tier  string `json:"tier"`
	Count int64  `json:"count"`
}

// TierCrossing says when conversations first had a turn billed in Tier:
// how many did, and at which turn (the first, the median, the last of those
// turn numbers over the conversations).
type TierCrossing struct {
	Tier          string  `json:"tier"`
	Conversations int64   `json:"conversations"`
	FirstTurn     int     `json:"first_turn"`
	MedianTurn    float64 `json:"median_turn"`
	LastTurn      int     `json:"last_turn"`
}

// ConversationTotals sums the conversations: Ended counts those whose
// every recorded turn succeeded (a failed turn ends a conversation early).
// Means are per conversation; the duration is from its first send to its
// last answer's end.
type ConversationTotals struct {
	Conversations   int64   `json:"conversations"`
	Ended           int64   `json:"ended_without_error"`
	TurnsMean       float64 `json:"turns_mean"`
	PromptTokens    int64   `json:"prompt_tokens"`
	CachedTokens    int64   `json:"cached_tokens"`
	CompletionToken int64   `json:"completion_tokens"`
	Cost            float64 `json:"cost"`
	CostMean        float64 `json:"cost_mean"`
	DurationP50S    float64 `json:"duration_p50_s"`
	DurationMaxS    float64 `json:"duration_max_s"`
	// LastTiers counts conversations by the tier their last turn was
	// billed in.
	LastTiers []TierCount `json:"last_turn_tiers"`
}

// summary builds the per-turn view; nil without sessions.
func (sa *sessionsAcc) summary() *Sessions {
	if sa == nil {
		return nil
	}
	out := &Sessions{Targets: []SessionTarget{}}
	targets := make([]string, 0, len(sa.turns))
	for t := range sa.turns {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	for _, name := range targets {
		st := SessionTarget{Target: name, Turns: []TurnRow{}, Crossings: []TierCrossing{}}
		for i, ta := range sa.turns[name] {
			row := TurnRow{Turn: i + 1, Requests: ta.requests, OK: ta.ok, Failed: ta.failed, Dropped: ta.dropped, Tiers: tierCounts(ta.tiers)}
			if ta.ttft.n > 0 {
				p50, p90 := round3(ta.ttft.quantile(0.5)/1000), round3(ta.ttft.quantile(0.9)/1000)
				row.TTFTP50MS, row.TTFTP90MS = &p50, &p90
			}
			if ta.usage > 0 {
				row.PromptMean = round3(float64(ta.prompt) / float64(ta.usage))
				row.CompletionMean = round3(float64(ta.completion) / float64(ta.usage))
			}
			if ta.prompt > 0 {
				row.CachedShare = round6(float64(ta.cached) / float64(ta.prompt))
			}
			if ta.billed > 0 {
				row.Cost = round9(ta.cost)
				row.CostMean = round9(ta.cost / float64(ta.billed))
			}
			st.Turns = append(st.Turns, row)
		}
		reached := map[string][]int{}
		last := map[string]int64{}
		ct := &st.Conversations
		var durations []float64
		for k, c := range sa.convs {
			if k.target != name {
				continue
			}
			ct.Conversations++
			if c.failed == 0 {
				ct.Ended++
			}
			ct.TurnsMean += float64(c.turns)
			ct.PromptTokens += c.prompt
			ct.CachedTokens += c.cached
			ct.CompletionToken += c.completion
			ct.Cost += c.cost
			if c.end >= c.first {
				durations = append(durations, float64(c.end-c.first)/1e6)
			}
			if c.lastTier != "" {
				last[c.lastTier]++
			}
			for tier, t := range c.reached {
				reached[tier] = append(reached[tier], t)
			}
		}
		if n := float64(ct.Conversations); n > 0 {
			ct.TurnsMean = round3(ct.TurnsMean / n)
			ct.CostMean = round9(ct.Cost / n)
			ct.Cost = round9(ct.Cost)
		}
		if len(durations) > 0 {
			slices.Sort(durations)
			ct.DurationP50S = round3(median(durations))
			ct.DurationMaxS = round3(durations[len(durations)-1])
		}
		ct.LastTiers = tierCounts(last)
		for _, tier := range sortedTiers(reached) {
			ts := reached[tier]
			slices.Sort(ts)
			fs := make([]float64, len(ts))
			for i, t := range ts {
				fs[i] = float64(t)
			}
			st.Crossings = append(st.Crossings, TierCrossing{Tier: tier, Conversations: int64(len(ts)),
				FirstTurn: ts[0], MedianTurn: median(fs), LastTurn: ts[len(ts)-1]})
		}
		out.Targets = append(out.Targets, st)
	}
	return out
}

func tierCounts(m map[string]int64) []TierCount {
	out := []TierCount{}
	for _, t := range sortedTiers(m) {
		out = append(out, TierCount{Tier: t, Count: m[t]})
	}
	return out
}

// round9 keeps money at a billionth: a short turn costs millionths.
func round9(v float64) float64 { return math.Round(v*1e9) / 1e9 }

// median of sorted values.
func median(xs []float64) float64 {
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
