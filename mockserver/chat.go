package mockserver

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"
)

// chat serves POST /v1/chat/completions, and with viaContext POST
// /v1/context/chat/completions (context.go). The order of checks is the
// gateway's: body and fields (400/413), model (404), the context (404),
// limits (400), injected gateway faults, rate buckets (429), then the
// serving queue (429 when full).
func (s *Server) chat(w http.ResponseWriter, r *http.Request, received time.Time, viaContext bool) {
	q, aerr := decodeRequest(w, r, s.cfg.MaxBodyBytes)
	if aerr != nil {
		s.reject(w, "", aerr)
		return
	}
	m := s.lookup(q.Model)
	if m == nil {
		s.reject(w, "", errModelNotFound(q.Model))
		return
	}
	p := &m.profile
	shape := measurePrompt(q, p)
	// A context's tokens come before the messages: the prompt is theirs
	// plus the request's, and all of the context is served from cache.
	ctxTokens := 0
	if viaContext {
		if present(q.Tools) {
			s.reject(w, m.name, errUnsupported("tools", "'tools' is not supported with a context cache"))
			return
		}
		if ctxTokens, aerr = s.contexts.use(q.ContextID, m); aerr != nil {
			s.reject(w, m.name, aerr)
			return
		}
		shape.tokens += ctxTokens
		shape.blocks = nil
	}
	seed := requestSeed(s.cfg.Seed, s.requestNumber(r))
	faults := *m.faults.Load()
	pl, aerr := makePlan(q, p, shape, seed, faults)
	if aerr != nil {
		s.reject(w, m.name, aerr)
		return
	}

	if pl.fault != faultNone {
		m.m.faults.WithLabelValues(m.name, pl.fault.String()).Inc()
	}
	switch pl.fault {
	case fault429:
		s.reject(w, m.name, &apiError{status: http.StatusTooManyRequests, typ: "rate_limit_error", code: "RateLimitExceeded",
			message: "rate limit exceeded (injected fault)", retryAfter: 1})
		return
	case fault429NoRetryAfter:
		s.reject(w, m.name, &apiError{status: http.StatusTooManyRequests, typ: "rate_limit_error", code: "RateLimitExceeded",
			message: "rate limit exceeded (injected fault, no Retry-After)"})
		return
	case fault500:
		s.reject(w, m.name, errServer(http.StatusInternalServerError, "InternalServiceError", "internal service error (injected fault)"))
		return
	case fault503:
		s.reject(w, m.name, errServer(http.StatusServiceUnavailable, "ServiceUnavailable", "service temporarily unavailable (injected fault)"))
		return
	case faultReset:
		m.m.requests.WithLabelValues(m.name, "reset").Inc()
		// Closes the connection without a response; net/http does not log it.
		panic(http.ErrAbortHandler)
	}

	aerr = s.checkRate(m, q, shape.tokens, received)
	m.rateHeaders(w.Header(), received)
	if aerr != nil {
		s.reject(w, m.name, aerr)
		return
	}
	release, aerr := m.admit(r.Context(), s.closing)
	if aerr != nil {
		s.reject(w, m.name, aerr)
		return
	}
	defer release()

	cached := ctxTokens
	if m.cache != nil && !viaContext {
		// A hosted cache serves no prefix shorter than its minimum: a
		// shorter match is billed, and prefilled, as uncached.
		if cached = m.cache.match(shape.blocks) * p.PrefixCache.BlockTokens; cached < p.PrefixCache.MinTokens {
			cached = 0
		}
	}
	pl.setPrefill(p, cached, s.cfg.TimeScale)
	m.m.prompt.Add(float64(pl.promptTokens))
	m.m.cached.Add(float64(pl.cachedTokens))

	pc := &pacer{ctx: r.Context(), closing: s.closing}
	if pl.fault == faultSlowHeaders {
		if !pc.wait(scale(faults.SlowHeadersFor, s.cfg.TimeScale)) {
			// Still counted, so requests_total adds up to what arrived:
			// 499 (nginx's "client closed request") as for a request
			// canceled in the queue, or 503 when Close ended it.
			code := "499"
			if r.Context().Err() == nil {
				code = "503"
			}
			m.m.requests.WithLabelValues(m.name, code).Inc()
			return
		}
	}
	m.m.requests.WithLabelValues(m.name, "200").Inc()
	if q.Stream {
		s.stream(w, received, m, q, pl, faults, pc)
	} else {
		s.complete(w, received, m, pl, faults, pc)
	}
}

// reject writes an error response and counts it.
func (s *Server) reject(w http.ResponseWriter, model string, e *apiError) {
	if model == "" {
		model = "unknown"
	}
	s.metrics.requests.WithLabelValues(model, strconv.Itoa(e.status)).Inc()
	s.writeError(w, e)
}

// checkRate charges the RPM bucket one request and the TPM bucket the
// prompt plus the requested output cap (what a gateway can know up front).
func (s *Server) checkRate(m *model, q *chatRequest, promptTokens int, now time.Time) *apiError {
	if m.rpm != nil {
		if ok, wait := m.rpm.take(1, now); !ok {
			return m.rateError("RateLimitExceeded.EndpointRPMExceeded", "requests per minute", m.profile.RPM, wait)
		}
	}
	if m.tpm != nil {
		cost := promptTokens
		switch {
		case q.MaxCompletionTokens != nil:
			cost += *q.MaxCompletionTokens
		case q.MaxTokens != nil:
			cost += *q.MaxTokens
		}
		if ok, wait := m.tpm.take(float64(cost), now); !ok {
			if m.rpm != nil {
				m.rpm.give(1)
			}
			return m.rateError("RateLimitExceeded.EndpointTPMExceeded", "tokens per minute", m.profile.TPM, wait)
		}
	}
	return nil
}

func (m *model) rateError(code, what string, limit int, wait time.Duration) *apiError {
	e := &apiError{status: http.StatusTooManyRequests, typ: "rate_limit_error", code: code,
		message: "the endpoint's " + what + " limit (" + strconv.Itoa(limit) + ") is exceeded; retry later"}
	if m.profile.RetryAfter {
		e.retryAfter = max(1, int(math.Ceil(wait.Seconds())))
	}
	return e
}

// setPrefill sets the time from admission to the first token:
// TTFTBase + PrefillPerToken·uncached + PrefillPerCachedToken·cached,
// times the time scale. (Queueing comes on top: it is measured, not modelled.)
func (pl *plan) setPrefill(p *Profile, cached int, timeScale float64) {
	pl.cachedTokens = cached
	uncached := pl.promptTokens - cached
	pl.prefill = scale(p.TTFTBase+time.Duration(uncached)*p.PrefillPerToken+time.Duration(cached)*p.PrefillPerCachedToken, timeScale)
}

// gap draws the wait before the next event carrying n tokens:
// ITL·n·exp(σZ − σ²/2)·loadFactor, times the time scale. The lognormal
// factor has mean 1, so the mean gap per token stays ITL at no load.
func gap(p *Profile, pl *plan, n int, load, timeScale float64) time.Duration {
	base := float64(p.ITL) * timeScale * float64(n) * load
	if base == 0 {
		return 0
	}
	if p.ITLSpread > 0 {
		s := p.ITLSpread
		base *= math.Exp(s*pl.timing.NormFloat64() - s*s/2)
	}
	return time.Duration(base)
}

// wait sleeps d unless the request or the server is cancelled first.
func (p *pacer) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if p.timer == nil {
		p.timer = time.NewTimer(d)
	} else {
		p.timer.Reset(d)
	}
	select {
	case <-p.timer.C:
		return true
	case <-p.ctx.Done():
	case <-p.closing:
	}
	p.timer.Stop()
	return false
}

// stream carries out pl as an SSE stream.
func (s *Server) stream(w http.ResponseWriter, received time.Time, m *model, q *chatRequest, pl *plan, faults Faults, pc *pacer) {
	p := &m.profile
	ts := s.cfg.TimeScale
	paced := ts > 0
	pc.keepAlive = scale(p.KeepAlive, ts)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	id := s.responseID(pl, received)
	if s.cfg.Flavor == FlavorArk {
		h.Set("X-Request-Id", id)
	}
	w.WriteHeader(http.StatusOK)

	sw := newSSEWriter(w, id, received.Unix(), s.echoModel(m), s.cfg.Flavor == FlavorArk, pl.fault == faultCRLF)
	sw.received = received
	sw.ttft, sw.itl = m.m.ttft, m.m.itl
	if !paced {
		// Room for a full batch plus one event, so the buffer never grows.
		sw.buf = make([]byte, 0, unpacedFlushBytes+1024)
	}
	k := p.TokensPerEvent
	nEvents := pl.events(k)
	if s.cfg.Truth {
		sw.truth = make([]int64, 0, nEvents)
	}
	sw.role()
	start := time.Now()
	sw.headersUS = start.Sub(received).Microseconds()
	sw.flush()

	pieces := make([]string, k)
	next := start.Add(pl.prefill)
	ev := 0
	sentReasoning, sentContent := 0, 0
	defer func() {
		m.m.reasoning.Add(float64(sentReasoning))
		m.m.completion.Add(float64(sentReasoning + sentContent))
	}()

	// midStream handles a fault placed before token event ev; false ends
	// the response.
	midStream := func() bool {
		if ev != pl.faultAt {
			return true
		}
		switch pl.fault {
		case faultErrorEvent:
			sw.errorEvent()
			sw.flush()
			return false
		case faultTruncate:
			sw.flush()
			return false
		case faultResetMidStream:
			sw.flush()
			resetConn(w)
			return false
		case faultStall:
			next = next.Add(scale(faults.StallFor, ts))
		case faultKeepAliveOnly:
			if !paced {
				break
			}
			sw.flush()
			now := time.Now()
			end := now.Add(scale(faults.KeepAliveFor, ts))
			every := max(scale(faults.KeepAliveEvery, ts), time.Millisecond)
			saved := pc.keepAlive
			pc.keepAlive = 0
			for t := now.Add(every); t.Before(end); t = t.Add(every) {
				if !pc.until(sw, t) {
					return false
				}
				sw.comment()
			}
			pc.keepAlive = saved
			next = next.Add(end.Sub(now))
		case faultInvalidJSON:
			sw.invalidJSON()
		}
		return true
	}

	phases := [2]struct {
		reasoning bool
		n         int
		vocab     []string
		sent      *int
	}{
		{true, pl.reasoningTokens, reasoningVocab[:], &sentReasoning},
		{false, pl.contentTokens, answerVocab[:], &sentContent},
	}
	for _, ph := range phases {
		tool := !ph.reasoning && pl.tool != nil
		for left := ph.n; left > 0; {
			c := min(k, left)
			for i := range c {
				pieces[i] = ph.vocab[pl.text.IntN(len(ph.vocab))]
			}
			if !midStream() {
				return
			}
			if paced {
				if !pc.until(sw, next) {
					return
				}
			} else if len(sw.buf) >= unpacedFlushBytes {
				sw.flush()
				if sw.err != nil {
					return
				}
			}
			if tool {
				sw.toolTokens(pl.tool, left == ph.n, left == c, pieces[:c])
			} else if pl.fault == faultBigEvent && ev == pl.faultAt {
				sw.bigTokens(ph.reasoning, pieces[:c])
			} else {
				sw.tokens(ph.reasoning, pieces[:c])
			}
			*ph.sent += c
			left -= c
			ev++
			if paced {
				next = next.Add(gap(p, pl, c, m.loadFactor(), ts))
			}
		}
	}
	if !midStream() { // a fault placed after the last token event
		return
	}
	if paced && pl.fault == faultStall && pl.faultAt == ev {
		// A stall after the last token event delays the finish chunk.
		if !pc.until(sw, next) {
			return
		}
	}
	sw.finish(pl.finishReason)
	if q.includeUsage() && pl.fault != faultNoUsage {
		sw.flush() // stamp the last token events before the truth is written
		sw.usage(pl, s.cfg.Truth)
	}
	sw.done()
	sw.flush()
}

// completionID is "chatcmpl-" and 24 hex digits from the request's seed.
func completionID(pl *plan) string {
	const hex = "0123456789abcdef"
	var b [9 + 24]byte
	copy(b[:], "chatcmpl-")
	x, y := pl.timing.Uint64(), pl.timing.Uint32()
	for i := range 16 {
		b[9+i] = hex[x>>(4*i)&0xf]
	}
	for i := range 8 {
		b[25+i] = hex[y>>(4*i)&0xf]
	}
	return string(b[:])
}

// complete carries out pl as one JSON response, sent when the whole
// generation would have finished.
func (s *Server) complete(w http.ResponseWriter, received time.Time, m *model, pl *plan, faults Faults, pc *pacer) {
	p := &m.profile
	ts := s.cfg.TimeScale
	id := s.responseID(pl, received)
	// The body is ready when the last token is: prefill plus the gaps
	// between events, drawn as the stream would draw them.
	total := pl.prefill
	k := p.TokensPerEvent
	var last time.Duration
	for _, n := range [2]int{pl.reasoningTokens, pl.contentTokens} {
		for left := n; left > 0; left -= k {
			last = gap(p, pl, min(k, left), m.loadFactor(), ts)
			total += last
		}
	}
	total -= last // no wait after the last event
	switch pl.fault {
	case faultStall:
		total += scale(faults.StallFor, ts)
	case faultKeepAliveOnly:
		total += scale(faults.KeepAliveFor, ts)
	}
	reasoning := genText(pl, reasoningVocab[:], pl.reasoningTokens)
	content := genText(pl, answerVocab[:], pl.contentTokens)
	if !pc.wait(total) {
		return
	}
	switch pl.fault {
	case faultErrorEvent:
		s.writeError(w, errServer(http.StatusInternalServerError, "internal_error", "the model failed while generating (injected fault)"))
		return
	case faultTruncate:
		// Promise a longer body than is sent, then drop the connection.
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"id":"` + id + `","object":"chat.completion","choices":[`))
		panic(http.ErrAbortHandler)
	case faultInvalidJSON:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"` + id + `","object":"chat.completion","choices":[{`))
		return
	case faultResetMidStream:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"id":"` + id + `","object":"chat.completion","choices":[`))
		resetConn(w)
		return
	}

	type message struct {
		Role             string            `json:"role"`
		Content          *string           `json:"content"`
		ReasoningContent string            `json:"reasoning_content,omitempty"`
		ToolCalls        []toolCallMessage `json:"tool_calls,omitempty"`
	}
	type choice struct {
		Index        int     `json:"index"`
		Message      message `json:"message"`
		Logprobs     *int    `json:"logprobs"`
		FinishReason string  `json:"finish_reason"`
	}
	body := struct {
		ID      string          `json:"id"`
		Object  string          `json:"object"`
		Created int64           `json:"created"`
		Model   string          `json:"model"`
		Tier    string          `json:"service_tier,omitempty"`
		Choices []choice        `json:"choices"`
		Usage   json.RawMessage `json:"usage"`
		Truth   *struct {
			ResponseUS int64 `json:"response_us"`
		} `json:"seedbench_truth,omitempty"`
	}{
		ID: id, Object: "chat.completion", Created: received.Unix(), Model: s.echoModel(m),
		Choices: []choice{{Message: message{Role: "assistant", Content: &content, ReasoningContent: reasoning}, FinishReason: pl.finishReason}},
		Usage:   appendUsage(nil, pl),
	}
	if pl.tool != nil {
		// A function call's message has no text: content is null.
		body.Choices[0].Message.Content = nil
		body.Choices[0].Message.ToolCalls = []toolCallMessage{pl.tool.message(content)}
	}
	if pl.fault == faultNoUsage {
		body.Usage = json.RawMessage("null")
	}
	if s.cfg.Flavor == FlavorArk {
		body.Tier = "default"
		w.Header().Set("X-Request-Id", id)
	}
	if s.cfg.Truth {
		body.Truth = &struct {
			ResponseUS int64 `json:"response_us"`
		}{time.Since(received).Microseconds()}
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(b, '\n'))
	m.m.reasoning.Add(float64(pl.reasoningTokens))
	m.m.completion.Add(float64(pl.reasoningTokens + pl.contentTokens))
}

func genText(pl *plan, vocab []string, n int) string {
	if n == 0 {
		return ""
	}
	b := make([]byte, 0, n*5)
	for range n {
		b = append(b, vocab[pl.text.IntN(len(vocab))]...)
	}
	return string(b)
}
