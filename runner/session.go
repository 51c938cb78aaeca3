package runner

import (
	"context"
	"fmt"
	"time"
)

// SessionSource plans multi-turn conversations. When Config.Sessions is
// set, every stage's arrivals are sessions rather than requests: an
// open-loop stage's pacer starts session k at each hit, a closed-loop
// stage's users each run one session after another. A session's turns are
// sent one after the other, each after the previous answer and a think
// time, and each sends the whole conversation so far: every earlier
// message the source planned and every answer the model streamed back.
//
// Like a RequestSource, it is a pure function of the session id (and the
// scenario and seed): only the model's answers differ between runs.
type SessionSource interface {
	// Turns is how many turns session s has (at least 1).
	Turns(s int64) int
	// Think is how long the user of session s waits, after the answer to
	// turn t−1, before sending turn t (t ≥ 1).
	Think(s int64, t int) time.Duration
	// Turn plans turn t (from 0) of session s: see SessionTurn.
	Turn(s int64, t int) SessionTurn
}

// SessionTurn is one turn as planned. Its Request carries the record's
// fields (K, unique over the plan; Target; Class; MaxTokens) with
// EstPromptTokens counting the planned text of the conversation so far
// (the runner adds the earlier answers), and Body holding the opening of
// the request body up to and including the messages array's '['. The body
// sent is Body, then every message of the conversation so far joined by
// commas, then Messages, then Tail.
type SessionTurn struct {
	Request
	// Messages are the JSON message objects the turn adds, comma-separated
	// (the user's message; a first turn may put a system message before
	// it).
	Messages []byte
	// Tail closes the body after the last message: `],"max_tokens":256}`.
	Tail []byte
	// AnswerCap bounds the bytes of the answer kept for the later turns
	// (JSON-escaped content); the rest of a longer answer is not sent back.
	// Zero means DefaultAnswerCap.
	AnswerCap int
	// ConversationCap bounds the bytes of the conversation so far that a
	// turn may send (conversationBound). Zero means twice DefaultAnswerCap.
	ConversationCap int
}

// SessionToolSource is a SessionSource whose sessions model agents: when
// an answer is a tool call (finish_reason tool_calls), the runner waits the
// tool's latency, sends the call back with a tool message of the planned
// result, and asks for the next assistant turn, up to MaxToolSteps times in
// a row before the next user message.
type SessionToolSource interface {
	SessionSource
	// ToolResult is the tool's latency and its result (the JSON-escaped
	// content of the tool message) for tool step step (from 0) after turn
	// t of session s.
	ToolResult(s int64, t, step int) (time.Duration, []byte)
}

// MaxToolSteps bounds the tool calls answered in a row after one user
// message; a call beyond it is sent back with its result, and the session
// goes on to the next user message.
const MaxToolSteps = 3

// DefaultAnswerCap is the answer copy's bound when a turn sets none: about
// what a 256K-token context window holds (4 bytes a token), so a kept
// answer is never what makes a conversation too long for the model.
const DefaultAnswerCap = 1 << 20

// conversationBound is how many bytes a session's conversation may reach
// before its next request: the turn's ConversationCap, which the plan sets
// at 8 bytes a token of the model's context window (twice the answer cap),
// so no conversation a real server accepted (it refuses prompts over its
// window) comes near it, even escaped. A server that accepts anything
// cannot make a session grow without bound: the turn that would pass it
// is recorded as a conversation_too_long failure, not sent, and the
// session ends.
func conversationBound(c int) int {
	if c <= 0 {
		return 2 * DefaultAnswerCap
	}
	return c
}

// answerBuf collects the content of one streamed answer, still escaped as
// the events carried it: each fragment of a JSON string is itself a valid
// JSON string body, so their concatenation is the answer's, ready to be
// written back into the next request without decoding. It is reused for
// every turn of a session, so collecting costs no allocation per event
// beyond the amortised growth of one buffer.
type answerBuf struct {
	buf []byte
	cap int
	// cut is set once a fragment did not fit: later ones are not kept
	// either, so what is kept is the answer's beginning, never a splice.
	cut bool
	// The first tool call, raw: id, function name, arguments (cut like the
	// content, by the same bound).
	callID, callName, callArgs []byte
}

func (a *answerBuf) reset(capBytes int) {
	a.buf, a.cut = a.buf[:0], false
	a.callID, a.callName, a.callArgs = a.callID[:0], a.callName[:0], a.callArgs[:0]
	a.cap = capBytes
	if a.cap <= 0 {
		a.cap = DefaultAnswerCap
	}
}

// add appends one raw content fragment.
func (a *answerBuf) add(raw []byte) {
	if a.cut || len(raw) == 0 {
		return
	}
	if len(a.buf)+len(raw) > a.cap {
		a.cut = true
		return
	}
	a.buf = append(a.buf, raw...)
}

// addCall keeps one event's fragment of the first tool call.
func (a *answerBuf) addCall(f *toolFragment) {
	if len(a.callID) == 0 {
		a.callID = append(a.callID, f.id...)
	}
	if len(a.callName) == 0 {
		a.callName = append(a.callName, f.name...)
	}
	if a.cut || len(f.args) == 0 {
		return
	}
	if len(a.buf)+len(a.callArgs)+len(f.args) > a.cap {
		a.cut = true
		return
	}
	a.callArgs = append(a.callArgs, f.args...)
}

// appendCall appends the assistant message that made the kept tool call
// and the tool message answering it.
func (a *answerBuf) appendCall(conv, result []byte) []byte {
	conv = append(conv, `{"role":"assistant","content":null,"tool_calls":[{"id":"`...)
	conv = append(conv, a.callID...)
	conv = append(conv, `","type":"function","function":{"name":"`...)
	conv = append(conv, a.callName...)
	conv = append(conv, `","arguments":"`...)
	conv = append(conv, a.callArgs...)
	conv = append(conv, `"}}]},{"role":"tool","tool_call_id":"`...)
	conv = append(conv, a.callID...)
	conv = append(conv, `","content":"`...)
	conv = append(conv, result...)
	return append(conv, `"}`...)
}

// assistantOpen and assistantClose wrap a kept answer into the message
// the next turn sends back.
const (
	assistantOpen  = `{"role":"assistant","content":"`
	assistantClose = `"}`
)

// session runs session j.k: its turns in order until the last, a failed
// turn (the conversation ends there, as a user facing an error would end
// it), or ctx (issuing stopped; a think time in progress is cut short).
// The conversation's text lives in conv while the session runs and is
// dropped when it returns: memory grows with the active sessions only.
//
// With a SessionToolSource, an answer that is a tool call is followed by
// the tool's latency, the call and its result sent back, and the next
// assistant turn. Every request is a turn of the record: Turn counts the
// session's requests from 1, and a request's K is its planned turn's plus
// the tool steps before it in the session (the plan leaves room for them).
//
// readyUS is when the user running it was ready for its first turn (its
// previous session's last answer done; -1: none, an open-loop arrival),
// and it returns when its own last answer was done (-1: none): every
// turn's send delay after its user was ready (previous answer plus think
// or tool time) is recorded like a closed-loop user's.
func (r *run) session(ctx context.Context, j job, readyUS int64) (doneUS int64) {
	src := r.cfg.Sessions
	tools, _ := src.(SessionToolSource)
	s := j.k
	turns := src.Turns(s)
	var conv []byte // messages so far, comma-joined
	var ans answerBuf
	var answered int // tokens of the answers in conv
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	// wait sleeps d after the last answer; false when ctx ended it.
	wait := func(d time.Duration) bool {
		if timer == nil {
			timer = time.NewTimer(never)
		}
		readyUS = doneUS + us(d)
		return sleepUntil(ctx, timer, r.start.Add(time.Duration(readyUS)*time.Microsecond), nil, pacingTimers)
	}
	doneUS = -1
	extra := 0 // tool steps so far
	for t := 0; t < turns; t++ {
		if t > 0 && !wait(src.Think(s, t)) || ctx.Err() != nil {
			return doneUS
		}
		turn := src.Turn(s, t)
		if len(conv) > 0 {
			conv = append(conv, ',')
		}
		conv = append(conv, turn.Messages...)
		for step := 0; ; step++ {
			req := turn.Request
			req.K += int64(extra)
			if bound := conversationBound(turn.ConversationCap); len(conv) > bound {
				r.tooLong(&req, j, s, t+extra+1, len(conv), bound)
				return doneUS
			}
			// One allocation of the body per request: the transport may
			// still hold the previous body, which must not change under it.
			body := make([]byte, 0, len(turn.Body)+len(conv)+len(turn.Tail))
			body = append(append(append(body, turn.Body...), conv...), turn.Tail...)
			req.Body = body
			req.EstPromptTokens += answered
			ans.reset(turn.AnswerCap)
			req.answer = &ans
			res := &Result{K: req.K, Stage: j.stage, Warmup: j.warmup, IntendedUS: -1, Session: s, Turn: t + extra + 1}
			if t == 0 && step == 0 && j.intended >= 0 {
				res.IntendedUS = us(j.intended)
			}
			sent, done := r.send(&req, res)
			r.userSent(readyUS, sent)
			if done >= 0 {
				doneUS = done
			}
			if !res.OK() {
				return doneUS
			}
			if tools != nil && res.Finish == "tool_calls" && len(ans.callID) > 0 {
				// The call goes back with the tool's result: after it the
				// next assistant turn (up to MaxToolSteps in a row), or,
				// past that, the next user message.
				lat, result := tools.ToolResult(s, t, step)
				conv = append(conv, ',')
				conv = ans.appendCall(conv, result)
				answered += estimateTokens(len(ans.callArgs) + len(result))
				if step >= MaxToolSteps {
					break
				}
				if !wait(lat) {
					return doneUS
				}
				extra++
				continue
			}
			conv = append(conv, ',')
			conv = append(conv, assistantOpen...)
			conv = append(conv, ans.buf...)
			conv = append(conv, assistantClose...)
			// The answer's tokens: the server's count of the answer
			// (completion less reasoning, which is not sent back) when it
			// was kept whole, else the estimate of what was kept.
			if u := res.Usage; !ans.cut && res.UsageValid() && u.CompletionTokens > 0 {
				answered += max(u.CompletionTokens-u.ReasoningTokens, 0)
			} else {
				answered += estimateTokens(len(ans.buf))
			}
			break
		}
	}
	return doneUS
}

// sessionClosedLoop runs st.Concurrency users, each running sessions one
// after another: user u's j-th session is base + j·Concurrency + u (the
// numbering of closedLoop, with sessions for requests), until the stage's
// duration or session count is reached. A shard runs the users it owns,
// and with them every turn of their sessions.
func (r *run) sessionClosedLoop(ctx context.Context, stage int, st Stage, base int64, offset time.Duration) {
	stageCtx, cancel, c, limit := r.closedStage(ctx, st, offset)
	defer cancel()
	done := make(chan struct{}, c)
	var running int64
	for u := int64(0); u < c; u++ {
		if !r.cfg.Shard.Owns(u) {
			continue
		}
		running++
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer func() { done <- struct{}{} }()
			ready := int64(-1)
			for idx := u; idx < limit && stageCtx.Err() == nil; idx += c {
				ready = r.session(stageCtx, job{k: base + idx, stage: stage, warmup: st.Warmup, intended: -1, session: true}, ready)
			}
		}()
	}
	for ; running > 0; running-- {
		select {
		case <-done:
		case <-stageCtx.Done():
			return
		}
	}
}

// tooLong records the turn a conversation over its bound would have sent:
// a failure that was never sent, so the report shows why the session ended.
func (r *run) tooLong(req *Request, j job, session int64, turn, size, bound int) {
	res := &Result{K: req.K, Stage: j.stage, Warmup: j.warmup, IntendedUS: -1, Session: session, Turn: turn, SentUS: -1}
	if r.fill(res, req) {
		res.Status, res.ErrorClass = StatusError, ClassConversationTooLong
		res.Error = fmt.Sprintf("the conversation reached %d bytes, over the session's bound of %d (8 bytes a token of the context window): the server accepted more than a context window holds; the session ends here", size, bound)
	}
	r.live.finish(res)
	r.cfg.Sink(res)
}
