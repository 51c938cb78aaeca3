package scenarios

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/seedbench/seedbench/runner"
)

// Source builds request k of a plan. It implements runner.RequestSource:
// Request is a pure function of (scenario, seed, k), safe to call from many
// goroutines at once.
//
// Targets share one workload. Requests are taken in pairs of len(targets):
// pair j = k / len(targets) draws one class, prompt length, output length,
// prefix group and corpus position, and each target gets that same
// request once, so every variant sees the same prompts at the same rate.
// Within a pair, the target order rotates with j, so a shard count equal
// to the target count does not pin each shard to one target.
type Source struct {
	seed    uint64
	nonce   uint64
	cal     Calibration
	corpus  *corpus
	targets []sourceTarget
	classes []sourceClass
	total   float64 // sum of class weights
	// prefix groups, numbered from 1 in runner.Request.Prefix: group g
	// is prefixStart[g-1] / prefixUnits[g-1] of the corpus.
	prefixStart []int
	prefixUnits []int
	// prefixContext[g-1]: group g is cached through the Context API; its
	// requests carry a context_id instead of the prefix (contextcache.go).
	prefixContext []bool
	contexts      []ContextGroup
	contextIDs    map[[2]int]string // (target, group) → context id
	// file, when set, serves every request from a dataset or trace.
	file *fileSource
	// sessions, when set, serves request k as a session's turn as planned
	// (see SessionSource.planned).
	sessions *SessionSource
}

type sourceTarget struct {
	head []byte // `{"model":…,"stream":true,…` without the closing brace
	// probeHead is head with thinking disabled: calibration probes ask for
	// one token, and a thinking model would reason first.
	probeHead []byte
	model     *Model
	budget    int    // max_completion_tokens, 0 for none
	name      string // the model id sent
}

type sourceClass struct {
	name     string
	cum      float64 // cumulative weight up to and including this class
	prompt   *sampler
	output   *sampler
	budget   int // max_completion_tokens, 0 for the target's
	prefixes []sourcePrefix
}

// sourcePrefix: share of the class's requests use groups first..first+n-1.
type sourcePrefix struct {
	share  float64
	first  int
	groups int
	tokens int
}

// saltTokens is the estimate of a salt: "Request" (1) + " " and 12
// letters (2) + "." (1).
const saltTokens = 4

func newSource(s *Scenario, res *resolution, seed int64) (*Source, error) {
	src := &Source{seed: uint64(seed), cal: s.Tokenizer, corpus: theCorpus()}
	for i, t := range s.Targets {
		head, err := bodyHead(t)
		if err != nil {
			return nil, fmt.Errorf("targets[%d]: %v", i, err)
		}
		probe, err := bodyHead(probeTarget(t))
		if err != nil {
			return nil, fmt.Errorf("targets[%d]: %v", i, err)
		}
		src.targets = append(src.targets, sourceTarget{head: head, probeHead: probe, model: res.models[i], budget: t.MaxCompletionTokens, name: t.Model})
	}
	// Prefix groups get global numbers in the order of the prefix sets.
	type set struct {
		first  int
		ps     PrefixSet
		shares float64
	}
	var sets []set
	next := 1
	for i, ps := range s.Prefix {
		sets = append(sets, set{first: next, ps: ps, shares: ps.Share.Fraction})
		for g := range ps.Groups {
			r := newStream(src.seed, uint64(i)<<32|uint64(g), tagPrefix)
			src.prefixStart = append(src.prefixStart, r.intn(corpusUnits))
			src.prefixUnits = append(src.prefixUnits, max(1, int(float64(ps.Tokens)/src.cal.ratio()+0.5)))
			viaAPI := ps.ContextMode() == PrefixContextAPI
			src.prefixContext = append(src.prefixContext, viaAPI)
			if viaAPI {
				src.contexts = append(src.contexts, ContextGroup{Set: ps.Name, Group: next + g, Tokens: ps.Tokens, TTL: ps.ContextTTL()})
			}
		}
		next += ps.Groups
	}
	if !s.Source.IsZero() {
		return src, src.attachFile(s, res)
	}
	d := newDecoder("", nil)
	for i, c := range s.Mix {
		cp, ok := planClass(d, fmt.Sprintf("mix[%d]", i), c, res)
		if !ok {
			return nil, d.errs.err()
		}
		src.total += c.Weight
		sc := sourceClass{name: c.Name, cum: src.total, prompt: cp.prompt, output: cp.output, budget: c.MaxCompletionTokens}
		for _, st := range sets {
			if len(st.ps.Classes) == 0 || slices.Contains(st.ps.Classes, c.Name) {
				sc.prefixes = append(sc.prefixes, sourcePrefix{share: st.shares, first: st.first, groups: st.ps.Groups, tokens: st.ps.Tokens})
			}
		}
		src.classes = append(src.classes, sc)
	}
	return src, nil
}

// bodyHead renders the fixed part of a target's request body: model,
// streaming with usage, thinking, reasoning effort and extra fields, in
// sorted key order after the first three.
func bodyHead(t Target) ([]byte, error) {
	b := []byte(`{"model":`)
	m, _ := json.Marshal(t.Model)
	b = append(b, m...)
	b = append(b, `,"stream":true,"stream_options":{"include_usage":true}`...)
	extra := map[string]any{}
	for k, v := range t.ExtraBody {
		extra[k] = v
	}
	if t.Thinking != "" {
		extra["thinking"] = map[string]string{"type": t.Thinking}
	}
	if t.ReasoningEffort != "" {
		extra["reasoning_effort"] = t.ReasoningEffort
	}
	for _, k := range sortedKeys(extra) {
		v, err := json.Marshal(extra[k])
		if err != nil {
			return nil, fmt.Errorf("extra_body.%s: %v", k, err)
		}
		kb, _ := json.Marshal(k)
		b = append(b, ',')
		b = append(b, kb...)
		b = append(b, ':')
		b = append(b, v...)
	}
	return b, nil
}

// SetNonce mixes a run-specific value into every salt. Salts keep a
// prompt from matching a cached prefix, but two runs of one (scenario,
// seed) would otherwise send identical prompts, and a real server's prefix
// cache would remember the first run. The nonce changes only salts (the
// plan's hash and every length stay the same); shards of one run must use
// the same nonce (their shared start time, for example).
func (src *Source) SetNonce(nonce uint64) { src.nonce = nonce }

// shape is what request pair j draws.
type shape struct {
	class  int
	prompt int // target prompt tokens, server count
	output int // max_tokens
	prefix int // global prefix group, 0 for none
	start  int // corpus unit the text starts at
}

func (src *Source) shape(j int64) shape {
	r := newStream(src.seed, uint64(j), tagShape)
	var sh shape
	u := r.float() * src.total
	sh.class = len(src.classes) - 1
	for i, c := range src.classes {
		if u < c.cum {
			sh.class = i
			break
		}
	}
	c := &src.classes[sh.class]
	sh.prompt = c.prompt.sample(r.float())
	sh.output = c.output.sample(r.float())
	up := r.float()
	ug := r.float()
	for _, p := range c.prefixes {
		if up < p.share {
			sh.prefix = p.first + min(int(ug*float64(p.groups)), p.groups-1)
			break
		}
		up -= p.share
	}
	sh.start = r.intn(corpusUnits)
	return sh
}

// Request implements runner.RequestSource.
func (src *Source) Request(k int64) runner.Request { return src.build(k, true) }

// Describe implements runner.Describer: request k without its body.
func (src *Source) Describe(k int64) runner.Request { return src.build(k, false) }

// build makes request k, with its body or (for tests and summaries that
// only need the record fields) without.
func (src *Source) build(k int64, withBody bool) runner.Request {
	if src.sessions != nil {
		return src.sessions.planned(k, withBody)
	}
	if src.file != nil {
		return src.buildFromFile(k, withBody)
	}
	n := int64(len(src.targets))
	j := k / n
	ti := int((k%n + j) % n)
	sh := src.shape(j)
	t := &src.targets[ti]

	// Lengths in estimated tokens (units): the prompt's target count in
	// server tokens, less the chat-template overhead, divided by the ratio.
	total := src.cal.FromServer(sh.prompt)
	prefixUnits := 0
	if sh.prefix > 0 {
		prefixUnits = src.prefixUnits[sh.prefix-1]
	}
	body := max(total-prefixUnits-saltTokens, minBodyTokens-saltTokens)
	est := prefixUnits + saltTokens + body
	r := runner.Request{
		K:               k,
		Target:          ti,
		Class:           src.classes[sh.class].name,
		Tier:            t.model.TierFor(sh.prompt).Name,
		Prefix:          sh.prefix,
		EstPromptTokens: src.cal.ToServer(est),
		MaxTokens:       sh.output,
		ContextAPI:      sh.prefix > 0 && src.prefixContext[sh.prefix-1],
	}
	// The thinking budget replaces max_tokens (the service ignores
	// max_tokens beside it); the record keeps the cap that was sent.
	budget := src.classes[sh.class].budget
	if budget == 0 {
		budget = t.budget
	}
	if budget > 0 {
		r.MaxTokens = budget
	}
	if !withBody {
		return r
	}

	c := src.corpus
	size := len(t.head) + 160 + c.bytesFor(sh.start, body)
	if sh.prefix > 0 && !r.ContextAPI {
		size += c.bytesFor(src.prefixStart[sh.prefix-1], prefixUnits)
	}
	b := make([]byte, 0, size)
	b = append(b, t.head...)
	if budget > 0 {
		b = append(b, `,"max_completion_tokens":`...)
		b = strconv.AppendInt(b, int64(budget), 10)
	} else {
		b = append(b, `,"max_tokens":`...)
		b = strconv.AppendInt(b, int64(sh.output), 10)
	}
	if r.ContextAPI {
		// The prefix is the context's: the request names it and sends
		// only what follows.
		b = append(b, `,"context_id":"`...)
		b = append(b, src.contextID(ti, sh.prefix)...)
		b = append(b, '"')
	}
	b = append(b, `,"messages":[`...)
	if sh.prefix > 0 && !r.ContextAPI {
		b = append(b, `{"role":"system","content":"`...)
		b = c.appendUnits(b, src.prefixStart[sh.prefix-1], prefixUnits)
		b = append(b, `"},`...)
	}
	b = append(b, `{"role":"user","content":"`...)
	b = src.appendSalt(b, k)
	b = c.appendUnits(b, sh.start, body)
	b = append(b, `"}]}`...)
	r.Body = b
	return r
}

// appendSalt writes "Request " and 12 letters from (seed, k, nonce) and a
// full stop: unique per request (26¹² ≈ 10¹⁷ values) and at the very start
// of the user's text, so no two requests share a prefix beyond their
// prefix group.
func (src *Source) appendSalt(b []byte, k int64) []byte {
	r := newStream(src.seed^src.nonce, uint64(k), tagSalt)
	b = append(b, "Request "...)
	x := r.next()
	for range 12 {
		b = append(b, byte('a'+x%26))
		x /= 26
	}
	return append(b, '.')
}

// Targets is the number of targets requests are spread over.
func (src *Source) Targets() int { return len(src.targets) }

// ProbeRequests returns requests for calibrating the token estimate against
// target ti: three prompts of about 500, 2,000 and 8,000 estimated tokens,
// each salted, without prefix, asking for one output token. Send them,
// pair each EstPromptTokens with the usage.prompt_tokens that comes back,
// and pass the pairs to Recalibrate. Their K is negative so they can never
// be mistaken for planned requests.
func (src *Source) ProbeRequests(ti int) []runner.Request {
	t := &src.targets[ti]
	var out []runner.Request
	for i, units := range []int{500, 2000, 8000} {
		k := -int64(i + 1)
		r := newStream(src.seed^src.nonce, uint64(ti), tagProbe+uint64(i))
		start := r.intn(corpusUnits)
		b := append([]byte(nil), t.probeHead...)
		b = append(b, `,"max_tokens":1,"messages":[{"role":"user","content":"`...)
		b = src.appendSalt(b, k-int64(ti)*1000)
		b = src.corpus.appendUnits(b, start, units-saltTokens)
		b = append(b, `"}]}`...)
		out = append(out, runner.Request{K: k, Target: ti, Class: "probe", EstPromptTokens: src.cal.ToServer(units),
			Tier: t.model.TierFor(units).Name, MaxTokens: 1, Body: b})
	}
	return out
}
