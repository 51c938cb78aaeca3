package mockserver

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"time"
)

// plan is everything decided about a response before its first byte: the
// token counts, whether it thinks, how it ends, which fault it carries. The
// stream writer only carries it out.
type plan struct {
	promptTokens    int
	cachedTokens    int
	thinking        bool
	reasoningTokens int
	contentTokens   int
	finishReason    string // "stop", "length" or "tool_calls"
	// tool, when set, makes the answer a function call whose arguments
	// carry the contentTokens (see toolcall.go).
	tool *toolCallPlan
	// prefill is the time from admission to the first token (TTFT minus
	// queueing), already multiplied by the time scale.
	prefill time.Duration

	fault   faultKind
	faultAt int // token-event index a mid-stream fault happens before (≥ 1)

	// Two independent streams so that the text does not change when the
	// timing parameters do.
	text   *rand.Rand
	timing *rand.Rand
}

// requestSeed mixes the configured seed with the request number (splitmix64
// finaliser), so consecutive requests get unrelated random streams.
func requestSeed(seed, n uint64) uint64 {
	z := seed ^ (n+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// effortScale multiplies the mean reasoning length.
func effortScale(effort string) float64 {
	switch effort {
	case "minimal":
		return 0.25
	case "low":
		return 0.5
	case "high":
		return 2
	}
	return 1
}

// decideThinking applies, in order: an explicit thinking.type; then
// reasoning_effort ("minimal" turns thinking off as on the Seed API, any
// other effort turns it on); then the profile's default.
func decideThinking(q *chatRequest, p *Profile, r *rand.Rand) bool {
	mode := p.Thinking
	switch {
	case q.Thinking != nil:
		mode = q.Thinking.Type
	case q.ReasoningEffort == "minimal":
		mode = "disabled"
	case q.ReasoningEffort != "":
		mode = "enabled"
	}
	switch mode {
	case "enabled":
		return true
	case "auto":
		return r.Float64() < p.AutoThinkingRate
	}
	return false
}

// draw samples a Length: Mean·exp(σZ − σ²/2) has mean Mean for Z ~ N(0,1);
// the result is rounded and clamped to [Min, Max] (Max 0 = no upper bound)
// and to at least 1.
func (l Length) draw(r *rand.Rand, scale float64) int {
	mean := float64(l.Mean) * scale
	x := mean
	if l.Spread > 0 {
		x = mean * math.Exp(l.Spread*r.NormFloat64()-l.Spread*l.Spread/2)
	}
	n := int(math.Round(x))
	if n < l.Min {
		n = l.Min
	}
	if l.Max > 0 && n > l.Max {
		n = l.Max
	}
	return max(n, 1)
}

// maxCompletionBudget is the top of max_completion_tokens' documented
// range [0, 65536] on the Seed 2.0 chat API (Ark's parameter table, mirrored
// at https://docs.byteplus.com/en/docs/Byteplus_LAS/Chat_API): the service
// refuses a value outside it.
const maxCompletionBudget = 65536

// makePlan decides the response. Output limits:
//   - max_tokens caps the answer (content) only, as on the Seed API;
//   - max_completion_tokens caps reasoning + answer together, and is
//     mutually exclusive with max_tokens: when both are sent, max_tokens
//     is ignored ("becomes invalid when configured", same reference);
//   - without either, the answer is capped by DefaultMaxTokens;
//   - prompt + the requested cap must fit the context window (400
//     context_length_exceeded otherwise), and generation never runs past it.
func makePlan(q *chatRequest, p *Profile, shape promptShape, seed uint64, faults Faults) (*plan, *apiError) {
	pl := &plan{
		promptTokens: shape.tokens,
		text:         rand.New(rand.NewPCG(seed, 0x5eed7e47)),
		timing:       newPlanRand(seed),
	}
	if q.MaxCompletionTokens != nil {
		q.MaxTokens = nil // ignored beside max_completion_tokens, as on the service
	}
	if q.MaxTokens != nil && *q.MaxTokens > p.MaxOutputTokens {
		return nil, errInvalid("max_tokens", fmt.Sprintf("max_tokens is too large: %d. This model supports at most %d completion tokens.", *q.MaxTokens, p.MaxOutputTokens))
	}
	if q.MaxCompletionTokens != nil && *q.MaxCompletionTokens > p.MaxOutputTokens {
		return nil, errInvalid("max_completion_tokens", fmt.Sprintf("max_completion_tokens is too large: %d. This model supports at most %d completion tokens.", *q.MaxCompletionTokens, p.MaxOutputTokens))
	}
	requested := 0
	switch {
	case q.MaxCompletionTokens != nil:
		requested = *q.MaxCompletionTokens
	case q.MaxTokens != nil:
		requested = *q.MaxTokens
	}
	if shape.tokens+requested > p.ContextWindow || shape.tokens >= p.ContextWindow {
		return nil, &apiError{status: http.StatusBadRequest, typ: "invalid_request_error", code: "context_length_exceeded", param: "messages",
			message: fmt.Sprintf("This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the messages, %d in the completion). Please reduce the length of the messages or completion.",
				p.ContextWindow, shape.tokens+requested, shape.tokens, requested)}
	}

	tools, aerr := offeredTools(q.Tools)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := q.ToolChoice.check(tools); aerr != nil {
		return nil, aerr
	}

	// Draw in a fixed order so a given seed always gives the same plan.
	pl.thinking = decideThinking(q, p, pl.text)
	if pl.thinking {
		pl.reasoningTokens = p.ReasoningTokens.draw(pl.text, effortScale(q.ReasoningEffort))
	}
	natural := p.OutputTokens.draw(pl.text, 1)

	contentCap := p.DefaultMaxTokens
	if q.MaxTokens != nil {
		contentCap = *q.MaxTokens
	}
	totalCap := p.ContextWindow - shape.tokens
	if q.MaxCompletionTokens != nil {
		totalCap = min(totalCap, *q.MaxCompletionTokens)
		if q.MaxTokens == nil {
			contentCap = totalCap
		}
	}
	if q.IgnoreEOS && (q.MaxTokens != nil || q.MaxCompletionTokens != nil) {
		natural = math.MaxInt32 // run until a cap stops it
	}
	pl.finishReason = "stop"
	pl.reasoningTokens = min(pl.reasoningTokens, totalCap)
	pl.contentTokens = natural
	if room := totalCap - pl.reasoningTokens; pl.contentTokens > room {
		pl.contentTokens = room
		pl.finishReason = "length"
	}
	if pl.contentTokens > contentCap {
		pl.contentTokens = contentCap
		pl.finishReason = "length"
	}

	if pl.contentTokens > 0 {
		if pl.tool = decideToolCall(q, p, tools, pl.text); pl.tool != nil && pl.finishReason == "stop" {
			pl.finishReason = "tool_calls"
		}
	}

	pl.fault = faults.pick(pl.timing.Float64())
	if n := pl.events(p.TokensPerEvent); n > 0 {
		pl.faultAt = 1 + pl.timing.IntN(n)
	} else {
		pl.faultAt = 1
	}
	return pl, nil
}

// events is the number of token-bearing SSE events: reasoning and content
// are chunked separately, per tokens per event k, so ⌈R/k⌉ + ⌈C/k⌉.
func (pl *plan) events(k int) int {
	return (pl.reasoningTokens+k-1)/k + (pl.contentTokens+k-1)/k
}

func scale(d time.Duration, s float64) time.Duration {
	if s == 1 {
		return d
	}
	return time.Duration(float64(d) * s)
}

// newPlanRand is the timing and fault generator of a request.
func newPlanRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x71e1a7e5)) }
