package scenarios

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/seedbench/seedbench/runner"
)

// Sessions makes the scenario's traffic multi-turn conversations instead of
// one-shot requests from the mix. The load's stages then say how sessions
// arrive: an open-loop stage's rate is sessions per second (each starts at
// its planned time and runs its turns, however long they take), a
// concurrency stage's users each run one session after another. A stage's
// max_requests (and load.max_requests) count sessions.
//
// Each turn sends the whole conversation so far: the system prompt, every
// user message and every answer the model streamed back (see
// runner.SessionSource), so the prompt, its price tier and the cached share
// grow turn by turn. The user messages are synthetic: the text of turn t of
// session s is a pure function of (scenario, seed, s / targets, t) and the
// run's nonce, which only changes a salt at the start of each first message;
// only the model's answers differ between runs.
type Sessions struct {
	// Turns is how many turns a session has: at least 1, at most MaxTurns
	// (a normal or lognormal needs a max).
	Turns Dist `yaml:"turns" json:"turns"`
	// ThinkMS is the user's think time, in milliseconds, between an answer
	// and the next message (default 0).
	ThinkMS Dist `yaml:"think_ms" json:"think_ms,omitzero"`
	// SystemTokens is a system prompt every session starts with (the same
	// text for all, so a prefix cache serves it across sessions; 0: none).
	SystemTokens int `yaml:"system_tokens" json:"system_tokens,omitempty"`
	// FirstTokens is the first user message's length (a pasted document,
	// say); default UserTokens.
	FirstTokens Dist `yaml:"first_tokens" json:"first_tokens,omitzero"`
	// UserTokens is each later user message's length.
	UserTokens Dist `yaml:"user_tokens" json:"user_tokens"`
	// OutputTokens is each turn's max_tokens.
	OutputTokens Dist `yaml:"output_tokens" json:"output_tokens"`
	// Tools makes the sessions agents: every turn offers a tool, and an
	// answer that calls it gets the tool's result back (see SessionTools).
	Tools SessionTools `yaml:"tools" json:"tools,omitzero"`
	// Conversations takes each session from the source dataset's ShareGPT
	// conversations instead of synthetic text: a row drawn with the seed,
	// its human turns as the user messages in order (its system turns
	// before them), its replies' estimated lengths as max_tokens (else
	// OutputTokens, else source.output_tokens); the replies themselves are
	// not sent, the model's own are. turns, first_tokens, user_tokens and
	// system_tokens then go unused.
	Conversations bool `yaml:"conversations" json:"conversations,omitempty"`
}

// SessionTools are an agent session's tool: offered on every turn (one
// function, "search"); when the model calls it, the tool takes LatencyMS
// and answers with a tool message of ResultTokens, and the model is asked
// for the next assistant turn (up to runner.MaxToolSteps calls in a row).
type SessionTools struct {
	LatencyMS    Dist `yaml:"latency_ms" json:"latency_ms,omitzero"`
	ResultTokens Dist `yaml:"result_tokens" json:"result_tokens"`
}

// IsZero reports an absent tools block.
func (x SessionTools) IsZero() bool { return x == SessionTools{} }

// sessionTool is the function agent sessions offer.
const sessionTool = `"tools":[{"type":"function","function":{"name":"search","description":"Search the team's documents and return the passages that match.","parameters":{"type":"object","properties":{"input":{"type":"string","description":"what to look for"}},"required":["input"]}}}]`

// IsZero reports an absent sessions block.
func (x Sessions) IsZero() bool { return x == Sessions{} }

// MaxTurns bounds a session's turns: request numbers are
// session·MaxTurns-wide blocks (see SessionSource.Turn).
const MaxTurns = 1000

// maxThink bounds one think time (an hour), so a typo cannot park a
// session for days.
const maxThinkMS = 3_600_000

// sessionClass is the class name session turns are recorded under.
const sessionClass = "session"

func (s *Scenario) validateSessions(d *decoder, r *resolution) {
	x := s.Sessions
	if len(s.Mix) > 0 {
		d.fail("mix", "goes with no sessions block: sessions give every turn's message and length (remove mix or sessions)")
	}
	switch {
	case x.Conversations && s.Source.Dataset == "":
		d.fail("sessions.conversations", "needs source.dataset, a ShareGPT file whose conversations become the sessions")
	case x.Conversations:
		s.validateSource(d)
		for _, f := range []struct {
			name string
			set  bool
		}{{"turns", !x.Turns.IsZero()}, {"first_tokens", !x.FirstTokens.IsZero()}, {"user_tokens", !x.UserTokens.IsZero()}, {"system_tokens", x.SystemTokens != 0}} {
			if f.set {
				d.fail("sessions."+f.name, "goes unused with conversations: the dataset's conversations give the turns and their text")
			}
		}
	case !s.Source.IsZero():
		d.fail("source", "goes with sessions only for conversations: true (a ShareGPT dataset's conversations as sessions)")
	}
	for i, st := range s.Load.Stages {
		if st.Kind == KindTrace {
			d.fail(fmt.Sprintf("load.stages[%d].kind", i), "a trace stage replays a trace's requests; sessions arrive by a rate or by users")
		}
	}
	t := x.Turns
	switch {
	case x.Conversations:
	case t.IsZero():
		d.fail("sessions.turns", "missing (turns per session, e.g. {dist: uniform, min: 3, max: 10})")
	case checkDist(d, "sessions.turns", t):
		limit := MaxTurns
		if !x.Tools.IsZero() {
			limit = MaxTurns / (runner.MaxToolSteps + 1) // a turn may take tool steps
		}
		if hi := t.explicitHi(); hi == 0 || hi > limit {
			d.fail("sessions.turns", "needs a largest value of at most %d turns (give max)", limit)
		}
	}
	s.checkThink(d, "sessions.think_ms", x.ThinkMS)
	if !x.Tools.IsZero() {
		s.checkThink(d, "sessions.tools.latency_ms", x.Tools.LatencyMS)
		switch r := x.Tools.ResultTokens; {
		case r.IsZero():
			d.fail("sessions.tools.result_tokens", "missing (the tool result's length, e.g. {dist: uniform, min: 200, max: 2000})")
		default:
			checkDist(d, "sessions.tools.result_tokens", r)
		}
	}
	if x.SystemTokens < 0 {
		d.fail("sessions.system_tokens", "cannot be negative")
	}
	ctxHi := r.ctx
	for _, f := range []struct {
		name string
		v    Dist
		need bool
	}{{"first_tokens", x.FirstTokens, false}, {"user_tokens", x.UserTokens, true}, {"output_tokens", x.OutputTokens, true}} {
		p := "sessions." + f.name
		switch {
		case f.v.IsZero() && f.need && !x.Conversations:
			d.fail(p, "missing (tokens per turn, e.g. {dist: uniform, min: 200, max: 800})")
		case f.v.IsZero():
		case checkDist(d, p, f.v):
			if lo := f.v.explicitLo(); ctxHi < math.MaxInt && lo > ctxHi {
				d.fail(p, "%d tokens do not fit the smallest context window (%d)", lo, ctxHi)
			}
		}
	}
	if lo := x.OutputTokens.explicitLo(); r.maxOut < math.MaxInt && lo > r.maxOut {
		d.fail("sessions.output_tokens", "%d is above the smallest max_tokens limit (%d)", lo, r.maxOut)
	}
}

// checkThink checks a time in ms (think_ms, a tool's latency_ms): like a
// token distribution, but 0 is a time.
func (s *Scenario) checkThink(d *decoder, p string, x Dist) {
	switch x.Kind {
	case "":
		if !x.IsZero() {
			d.fail(p+".dist", "missing (one of %s)", "fixed, uniform, normal, lognormal")
		}
		return
	case DistFixed:
		if x.Value < 0 {
			d.fail(p, "%d cannot be negative", x.Value)
		}
	case DistUniform:
		if x.Min < 0 || x.Max < x.Min {
			d.fail(p, "uniform needs 0 ≤ min ≤ max (got %d..%d)", x.Min, x.Max)
		}
	default:
		if !checkDist(d, p, x) {
			return
		}
	}
	if hi := x.explicitHi(); hi > maxThinkMS {
		d.fail(p, "%d ms is above an hour", hi)
	}
}

// SessionSource is the plan's sessions: it implements
// runner.SessionSource, a pure function of (scenario, seed, session id),
// nothing materialised — a plan of any number of sessions costs the same.
//
// Like requests, sessions come in pairs of len(targets): pair j = s / n
// draws the turn count, think times and every user message, and each target
// runs that same conversation (with its own answers), so every variant is
// measured on the same workload.
type SessionSource struct {
	scenario              Sessions
	src                   *Source
	turns, think          *sampler
	first, user, output   *sampler
	toolLatency, result   *sampler // nil without tools
	systemUnits, sysStart int
	// rows, for conversations: the dataset's ShareGPT rows.
	rows []sourceRow
}

// Stream purposes of sessions (see rng.go).
const (
	tagSession     = 0x5ea0_0101 // a session pair's turn count
	tagSessionTurn = 0x5ea0_0102 // a turn's lengths, think time and corpus offset
	tagSessionSys  = 0x5ea0_0103 // the system prompt's corpus offset
	tagSessionSalt = 0x5ea0_0104 // a session's salt
	tagSessionTool = 0x5ea0_0105 // a tool step's latency, result length and text
)

func newSessionSource(s *Scenario, src *Source) (*SessionSource, error) {
	x := s.Sessions
	all := [][2]int{{0, math.MaxInt32}}
	ss := &SessionSource{scenario: x, src: src}
	if x.Conversations {
		f := src.file
		if f == nil || f.format != FormatShareGPT {
			return nil, fmt.Errorf("sessions.conversations: the source dataset is not in the ShareGPT format (conversations of human and gpt turns)")
		}
		ss.rows = f.rows
	} else {
		ss.turns = newSampler(x.Turns, 1, x.Turns.explicitHi(), all)
		ss.user = newSampler(x.UserTokens, 1, math.MaxInt32, all)
	}
	if !x.OutputTokens.IsZero() {
		ss.output = newSampler(x.OutputTokens, 1, math.MaxInt32, all)
	}
	src.sessions = ss
	ss.first = ss.user
	if !x.FirstTokens.IsZero() {
		ss.first = newSampler(x.FirstTokens, 1, math.MaxInt32, all)
	}
	if !x.ThinkMS.IsZero() {
		ss.think = newSampler(x.ThinkMS, 0, maxThinkMS, all)
	}
	if !x.Tools.IsZero() {
		ss.result = newSampler(x.Tools.ResultTokens, 1, math.MaxInt32, all)
		if !x.Tools.LatencyMS.IsZero() {
			ss.toolLatency = newSampler(x.Tools.LatencyMS, 0, maxThinkMS, all)
		}
	}
	if x.SystemTokens > 0 {
		ss.systemUnits = src.units(x.SystemTokens)
		r := newStream(src.seed, 0, tagSessionSys)
		ss.sysStart = r.intn(corpusUnits)
	}
	return ss, nil
}

// row is the conversation session pair j takes, drawn with the seed.
func (ss *SessionSource) row(j int64) *sourceRow {
	r := newStream(ss.src.seed, uint64(j), tagSession)
	return &ss.rows[r.intn(len(ss.rows))]
}

// turnLimit is the most turns a session may have: MaxTurns, less the room
// tool steps need.
func (ss *SessionSource) turnLimit() int {
	if ss.result != nil {
		return MaxTurns / (runner.MaxToolSteps + 1)
	}
	return MaxTurns
}

// SessionSource is the plan's sessions for the runner: nil (a nil
// interface, not a nil pointer in one) when the scenario has none.
func (p *Plan) SessionSource() runner.SessionSource {
	switch {
	case p.Sessions == nil:
		return nil
	case p.Sessions.result != nil:
		return agentSessions{p.Sessions}
	}
	return p.Sessions
}

// agentSessions are sessions with a tool: a runner.SessionToolSource.
type agentSessions struct{ *SessionSource }

// ToolResult implements runner.SessionToolSource: the tool's latency and a
// result of the planned length, corpus text, a pure function of (scenario,
// seed, session pair, turn, step).
func (a agentSessions) ToolResult(s int64, t, step int) (time.Duration, []byte) {
	ss := a.SessionSource
	j, _ := ss.pair(s)
	r := newStream(mix(ss.src.seed, uint64(j)), uint64(t)<<8|uint64(step), tagSessionTool)
	n := ss.src.units(ss.result.sample(r.float()))
	var lat time.Duration
	u := r.float()
	if ss.toolLatency != nil {
		lat = time.Duration(ss.toolLatency.sample(u)) * time.Millisecond
	}
	start := r.intn(corpusUnits)
	b := make([]byte, 0, 16+ss.src.corpus.bytesFor(start, n))
	b = append(b, "Results: "...)
	return lat, ss.src.corpus.appendUnits(b, start, n)
}

// units is the estimate (corpus units) of n server tokens of message text.
func (src *Source) units(n int) int {
	return max(1, int(math.Round(float64(n)/src.cal.ratio())))
}

// pair is session s's pair and target.
func (ss *SessionSource) pair(s int64) (j int64, target int) {
	n := int64(len(ss.src.targets))
	j = s / n
	return j, int((s%n + j) % n)
}

// Turns implements runner.SessionSource.
func (ss *SessionSource) Turns(s int64) int {
	j, _ := ss.pair(s)
	if ss.rows != nil {
		return min(len(ss.row(j).turns), ss.turnLimit())
	}
	r := newStream(ss.src.seed, uint64(j), tagSession)
	return ss.turns.sample(r.float())
}

// turnShape is what turn t of pair j draws.
type turnShape struct {
	user, output int // server tokens of the user message; max_tokens
	think        time.Duration
	start        int // corpus unit the message starts at
}

func (ss *SessionSource) shape(j int64, t int) turnShape {
	r := newStream(mix(ss.src.seed, uint64(j)), uint64(t), tagSessionTurn)
	var sh turnShape
	uu, uo := r.float(), r.float()
	switch {
	case ss.rows != nil:
		st := &ss.row(j).turns[t]
		sh.user, sh.output = ss.src.cal.ToServer(st.input), st.output
		if sh.output == 0 && ss.output != nil {
			sh.output = ss.output.sample(uo)
		}
		if sh.output == 0 {
			sh.output = ss.src.file.defaultOut
		}
		sh.output = min(sh.output, ss.src.file.maxOut)
	case t == 0:
		sh.user, sh.output = ss.first.sample(uu), ss.output.sample(uo)
	default:
		sh.user, sh.output = ss.user.sample(uu), ss.output.sample(uo)
	}
	ut := r.float()
	if ss.think != nil && t > 0 {
		sh.think = time.Duration(ss.think.sample(ut)) * time.Millisecond
	}
	sh.start = r.intn(corpusUnits)
	return sh
}

// Think implements runner.SessionSource.
func (ss *SessionSource) Think(s int64, t int) time.Duration {
	j, _ := ss.pair(s)
	return ss.shape(j, t).think
}

// Turn implements runner.SessionSource. Request numbers: turn t of session
// s is k = s·MaxTurns + t, unique over the plan and a pure function of the
// two.
func (ss *SessionSource) Turn(s int64, t int) runner.SessionTurn {
	src := ss.src
	j, ti := ss.pair(s)
	tg := &src.targets[ti]
	sh := ss.shape(j, t)
	// The planned text so far: system prompt, salt, and every user message.
	units := ss.systemUnits
	if ss.rows == nil {
		units += saltTokens
	}
	for i := 0; i < t; i++ {
		units += src.units(ss.shape(j, i).user)
	}
	body := src.units(sh.user)
	units += body
	req := runner.Request{K: s*MaxTurns + int64(t), Target: ti, Class: sessionClass,
		EstPromptTokens: src.cal.ToServer(units), MaxTokens: sh.output}
	budget := tg.budget
	if budget > 0 {
		req.MaxTokens = budget
	}
	head := make([]byte, 0, len(tg.head)+16)
	head = append(head, tg.head...)
	head = append(head, `,"messages":[`...)
	req.Body = head

	var msg []byte
	if ss.rows != nil {
		msg = ss.row(j).turns[t].messages // the file's text, shared: never written to
	} else {
		msg = ss.synthetic(j, t, sh, body)
	}
	tail := ss.tail(budget, sh.output)
	return runner.SessionTurn{Request: req, Messages: msg, Tail: tail,
		AnswerCap: 4 * tg.model.ContextWindow, ConversationCap: 8 * tg.model.ContextWindow}
}

// synthetic is turn t's synthetic message(s): a first turn's system prompt,
// then the user's text (salted in a first message).
func (ss *SessionSource) synthetic(j int64, t int, sh turnShape, body int) []byte {
	c := ss.src.corpus
	msg := make([]byte, 0, 96+c.bytesFor(sh.start, body)+c.bytesFor(ss.sysStart, ss.systemUnits))
	if t == 0 && ss.systemUnits > 0 {
		msg = append(msg, `{"role":"system","content":"`...)
		msg = c.appendUnits(msg, ss.sysStart, ss.systemUnits)
		msg = append(msg, `"},`...)
	}
	msg = append(msg, `{"role":"user","content":"`...)
	if t == 0 {
		msg = ss.appendSalt(msg, j)
	}
	msg = c.appendUnits(msg, sh.start, body)
	return append(msg, `"}`...)
}

// tail closes a turn's body: the tool offer, max_tokens or the thinking
// budget.
func (ss *SessionSource) tail(budget, output int) []byte {
	tail := make([]byte, 0, 40+len(sessionTool))
	tail = append(tail, ']')
	if ss.result != nil {
		tail = append(tail, ',')
		tail = append(tail, sessionTool...)
	}
	if budget > 0 {
		tail = append(tail, `,"max_completion_tokens":`...)
		tail = strconv.AppendInt(tail, int64(budget), 10)
	} else {
		tail = append(tail, `,"max_tokens":`...)
		tail = strconv.AppendInt(tail, int64(output), 10)
	}
	return append(tail, '}')
}

// appendSalt writes "Session " and 12 letters from (seed, pair, nonce) and
// a full stop at the start of a session's first message, so sessions share
// no prefix beyond the system prompt.
func (ss *SessionSource) appendSalt(b []byte, j int64) []byte {
	r := newStream(ss.src.seed^ss.src.nonce, uint64(j), tagSessionSalt)
	b = append(b, "Session "...)
	x := r.next()
	for range 12 {
		b = append(b, byte('a'+x%26))
		x /= 26
	}
	return append(b, '.')
}

// planned is request k = s·MaxTurns + t on its own, as the plan knows it:
// turn t of session s with every planned message up to it and none of the
// model's answers, which only the run knows (a turn beyond the session's
// last is its last). It serves what asks a Source for request k — a
// summary, a test, a projection — never the run itself.
func (ss *SessionSource) planned(k int64, withBody bool) runner.Request {
	s, t := k/MaxTurns, int(k%MaxTurns)
	t = min(t, ss.Turns(s)-1)
	turn := ss.Turn(s, t)
	req := turn.Request
	req.K = k
	if !withBody {
		req.Body = nil
		return req
	}
	b := append([]byte(nil), turn.Body...)
	for i := 0; i < t; i++ {
		b = append(b, ss.Turn(s, i).Messages...)
		b = append(b, ',')
	}
	b = append(b, turn.Messages...)
	req.Body = append(b, turn.Tail...)
	return req
}

// summarySessions is how many sessions writeSummary averages over.
const summarySessions = 1000

// writeSummary is the sessions part of "scenarios show".
func (ss *SessionSource) writeSummary(w io.Writer) {
	sc := ss.scenario
	fmt.Fprintln(w, "\nsessions (each turn sends the whole conversation so far, the model's answers included)")
	if ss.rows != nil {
		fmt.Fprintf(w, "  conversations   the dataset's %d ShareGPT rows, drawn with the seed: their human turns in order (the file's replies are not sent)\n", len(ss.rows))
	} else {
		fmt.Fprintf(w, "  turns           %s\n", sc.Turns)
	}
	think := "none"
	if !sc.ThinkMS.IsZero() {
		think = sc.ThinkMS.String() + " ms"
	}
	fmt.Fprintf(w, "  think time      %s\n", think)
	if sc.SystemTokens > 0 {
		fmt.Fprintf(w, "  system prompt   %s tokens, the same text in every session\n", GroupThousands(float64(sc.SystemTokens), 0))
	}
	if ss.rows == nil {
		first := sc.FirstTokens
		if first.IsZero() {
			first = sc.UserTokens
		}
		fmt.Fprintf(w, "  first message   %s tokens\n", first)
		fmt.Fprintf(w, "  later messages  %s tokens\n", sc.UserTokens)
		fmt.Fprintf(w, "  max_tokens      %s\n", sc.OutputTokens)
	} else {
		fmt.Fprintln(w, "  max_tokens      each reply's estimated length in the file (else output_tokens)")
	}
	// Means over the first sessions of the plan, as drawn.
	var turns, planned, out float64
	for j := int64(0); j < summarySessions; j++ {
		s := j * int64(len(ss.src.targets))
		n := ss.Turns(s)
		turns += float64(n)
		tokens := sc.SystemTokens
		for t := range n {
			sh := ss.shape(j, t)
			tokens += sh.user
			out += float64(sh.output)
		}
		planned += float64(tokens)
	}
	fmt.Fprintf(w, "  per session: %.1f turns, %s tokens of planned text by the last turn (before the answers), at most %s answer tokens\n",
		turns/summarySessions, GroupThousands(planned/summarySessions, 0), GroupThousands(out/summarySessions, 0))
	if len(ss.src.targets) > 1 {
		fmt.Fprintf(w, "  each conversation runs on every one of the %d targets (same messages, each its own answers)\n", len(ss.src.targets))
	}
}

// expect averages the turns of the plan's first sessions, each turn a
// request: its prompt is the system prompt, every user message so far and
// every earlier answer taken at its max_tokens (the projection's upper
// bound), of which the conversation before the turn's own message is
// cached (the server has seen it; a first turn's cached part is the system
// prompt, shared by every session).
func (ss *SessionSource) expect(e *expectation, tierIndex func(int) int) {
	var turns float64
	for j := int64(0); j < summarySessions; j++ {
		turns += float64(ss.Turns(j * int64(len(ss.src.targets))))
	}
	w := 1 / turns
	for j := int64(0); j < summarySessions; j++ {
		n := ss.Turns(j * int64(len(ss.src.targets)))
		conv := ss.scenario.SystemTokens
		for t := range n {
			sh := ss.shape(j, t)
			cached := conv
			prompt := conv + sh.user
			i := tierIndex(prompt)
			e.tiers[i].p += w
			e.tiers[i].prompt += w * float64(prompt)
			e.tiers[i].cached += w * float64(cached)
			e.outputByTier[i] += w * float64(sh.output)
			e.prompt += w * float64(prompt)
			e.output += w * float64(sh.output)
			conv = prompt + sh.output
		}
	}
	for i := range e.tiers {
		if p := e.tiers[i].p; p > 0 {
			e.tiers[i].prompt /= p
			e.tiers[i].cached /= p
			e.outputByTier[i] /= p
		}
	}
}
