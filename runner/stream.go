package runner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// streamer sends requests and measures them. One streamer serves the whole
// run; it is safe for concurrent use.
type streamer struct {
	client   sender
	timeouts Timeouts
	targets  []preparedTarget
	// onSent is called with the instant each request is handed to the
	// transport (before connecting), for the schedule-lag figures.
	onSent func(res *Result, sent time.Time)
	budget *eventBudget // nil: unbounded (tests that build a streamer directly)
	pool   sync.Pool    // *reqState
	traces sync.Pool    // *traceTimes
}

// preparedTarget holds what every request to a target shares, built once.
type preparedTarget struct {
	t   *Target
	url string
	// ctxURL is the Context API's chat endpoint, for requests that name a
	// cached context (Request.ContextAPI).
	ctxURL string
	auth   []string // the Authorization header value, never recorded
	// scrub cleans every server-supplied string the Result keeps of the
	// key and the values of secret headers (SecretHeader).
	scrub *Scrubber
}

func newStreamer(client *http.Client, to Timeouts, targets []Target) *streamer {
	// Redirects are never followed, whatever client the caller built: a
	// 307 to another port would carry the Authorization header there, target
	// headers would go to any host, and a 302/303 turns the POST into a
	// body-less GET. The 3xx itself is recorded (ClassHTTP3xx).
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s := &streamer{client: newSender(&c), timeouts: to}
	for i := range targets {
		t := &targets[i]
		base := strings.TrimRight(t.BaseURL, "/")
		pt := preparedTarget{t: t, url: base + "/chat/completions", ctxURL: base + ContextChatPath, scrub: t.Scrubber()}
		if t.APIKey != "" {
			pt.auth = []string{"Bearer " + t.APIKey}
		}
		s.targets = append(s.targets, pt)
	}
	return s
}

// reqState is the per-request reading machinery, pooled so a steady run
// reuses its buffers.
type reqState struct {
	st     stampReader
	sse    *sseReader
	c      chunk
	answer *answerBuf // a session's turn: where the answer's text goes
}

// Shared header values: the transport only reads them.
var (
	hdrJSON     = []string{"application/json"}
	hdrStream   = []string{"text/event-stream"}
	hdrIdentity = []string{"identity"}
)

// do sends req to its target and fills res. Failures are recorded in res,
// never returned: a load test measures what happened.
//
// Timestamps: sent is taken just before the request is handed to the
// transport; every other offset is from sent on the monotonic clock.
// Event offsets are the arrival times of the bytes (stampReader), taken
// before any parsing.
func (s *streamer) do(ctx context.Context, req *Request, res *Result) {
	pt := &s.targets[req.Target]
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	tt := s.getTrace()
	endpoint := pt.url
	if req.ContextAPI {
		endpoint = pt.ctxURL
	}
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, tt.ct), http.MethodPost, endpoint, bytes.NewReader(req.Body))
	if err != nil {
		s.fail(res, ClassOther, err.Error(), pt)
		return
	}
	h := hreq.Header
	h["Content-Type"] = hdrJSON
	h["Accept"] = hdrStream
	h["Accept-Encoding"] = hdrIdentity
	h["X-Seedbench-Seq"] = []string{strconv.FormatInt(req.K, 10)}
	if pt.auth != nil {
		h["Authorization"] = pt.auth
	}
	for k, v := range pt.t.Headers {
		h.Set(k, v)
	}

	sent := time.Now()
	tt.sent = sent
	if s.onSent != nil {
		s.onSent(res, sent)
	}
	wd := startWatchdog(cancel, sent, s.timeouts)
	defer wd.stop()
	resp, err := s.client.do(hreq)
	defer s.putTrace(tt)
	defer tt.copyTo(res)
	if err != nil {
		res.E2EUS = us(time.Since(sent))
		s.fail(res, classify(ctx, err), describe(ctx, err, s.timeouts), pt)
		return
	}
	defer resp.Body.Close()
	hdrAt := time.Since(sent)
	if wd != nil {
		wd.gotHeaders(hdrAt)
	}
	// After a 1xx the first byte was the interim response's: TTFB is when
	// the final response's headers arrived (see traceTimes).
	tt.ttfb.CompareAndSwap(0, max(us(hdrAt), 1))
	res.HTTPStatus = resp.StatusCode
	res.RequestID = pt.scrub.clean(requestID(resp.Header), maxRequestID)
	readRateLimit(resp.Header, res)

	if resp.StatusCode != http.StatusOK {
		s.httpError(res, resp, pt)
		res.E2EUS = us(time.Since(sent))
		return
	}
	rs, _ := s.pool.Get().(*reqState)
	if rs == nil {
		rs = &reqState{}
		rs.sse = newSSEReader(&rs.st)
	}
	rs.st = stampReader{r: resp.Body, wd: wd, sent: sent}
	if body, ok := s.streamBody(res, resp, &rs.st, pt); ok {
		rs.sse.reset(body, &rs.st, s.budget)
		rs.answer = req.answer
		if s.read(ctx, rs, res, pt) {
			drain(rs.sse.br, wd, cancel)
		}
		if res.Usage != nil {
			res.UsageInvalid = usageProblem(res.Usage)
		}
	} else {
		res.E2EUS = us(time.Since(sent))
	}
	rs.sse.release()
	rs.st, rs.answer = stampReader{}, nil
	// Do not keep a large event's buffers for every later request: idle
	// pooled buffers are outside the budget, so they stay small.
	if cap(rs.sse.long) > maxPooled {
		rs.sse.long = nil
	}
	if cap(rs.sse.data) > maxPooled {
		rs.sse.data = nil
	}
	s.pool.Put(rs)
}

// traceTimes collects httptrace callbacks, which the transport may run on
// its own goroutines (hence atomics); copyTo moves them into the Result.
// They are pooled with their ClientTrace (built once, its callbacks bound
// to the struct), saving the trace's allocations on every request.
type traceTimes struct {
	sent                  time.Time    // set before the request is handed over
	connStart             atomic.Int64 // ns offset from sent
	connect, wrote, ttfb  atomic.Int64 // µs offsets from sent
	reused, newConnDialed atomic.Bool
	ct                    *httptrace.ClientTrace
}

func newTraceTimes() *traceTimes {
	tt := &traceTimes{}
	since := func() time.Duration { return time.Since(tt.sent) }
	tt.ct = &httptrace.ClientTrace{
		ConnectStart: func(string, string) {
			tt.newConnDialed.Store(true)
			tt.connStart.CompareAndSwap(0, int64(max(since(), 1)))
		},
		GotConn: func(info httptrace.GotConnInfo) {
			tt.reused.Store(info.Reused)
			if start := tt.connStart.Load(); start > 0 && !info.Reused {
				tt.connect.Store(max(us(since()-time.Duration(start)), 1))
			}
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { tt.wrote.CompareAndSwap(0, max(us(since()), 1)) },
		GotFirstResponseByte: func() { tt.ttfb.CompareAndSwap(0, max(us(since()), 1)) },
		// GotFirstResponseByte fires once, at the first byte of the first
		// response: a 103 Early Hints or 100 Continue. An interim response
		// never stamps TTFB; do stamps the final one's headers instead.
		Got1xxResponse: func(int, textproto.MIMEHeader) error {
			tt.ttfb.Store(0)
			return nil
		},
	}
	return tt
}

func (s *streamer) getTrace() *traceTimes {
	tt, _ := s.traces.Get().(*traceTimes)
	if tt == nil {
		return newTraceTimes()
	}
	tt.connStart.Store(0)
	tt.connect.Store(0)
	tt.wrote.Store(0)
	tt.ttfb.Store(0)
	tt.reused.Store(false)
	tt.newConnDialed.Store(false)
	return tt
}

// putTrace pools tt only when no callback can still come: the request was
// written and answered on a kept-alive connection. A dial the request
// started may finish after it (the transport keeps the connection for its
// pool) and a request write may end after an early response; those
// traces are left to the collector rather than reach another request.
func (s *streamer) putTrace(tt *traceTimes) {
	if tt.newConnDialed.Load() || tt.wrote.Load() == 0 || tt.ttfb.Load() == 0 {
		return
	}
	s.traces.Put(tt)
}

func (tt *traceTimes) copyTo(res *Result) {
	res.ConnectUS = tt.connect.Load()
	res.WroteUS = tt.wrote.Load()
	res.TTFBUS = tt.ttfb.Load()
	res.Reused = tt.reused.Load()
}

// Draining after [DONE]: the server ends the body (for HTTP/1.1 the last,
// empty chunk) just after [DONE], usually in the same or the next packet.
// Reading to the end lets the transport reuse the connection; closing the
// body early makes it discard the connection, and the next request pays a
// new handshake inside its TTFT. A server that keeps the body open after
// [DONE] gets drainWait, then the connection is dropped.
const (
	drainWait  = 100 * time.Millisecond
	drainLimit = 64 << 10
)

// maxPooled is the largest event buffer a pooled reader keeps.
const maxPooled = 16 << 10

var errDrain = errors.New("body still open after [DONE]")

// drain reads what follows [DONE] (at most drainLimit) for at most
// drainWait, on the request's watchdog timer when it has one (no timer or
// reader allocated per request).
func drain(br *bufio.Reader, wd *watchdog, cancel context.CancelCauseFunc) {
	if wd != nil {
		wd.drainFor(drainWait)
	} else {
		t := time.AfterFunc(drainWait, func() { cancel(errDrain) })
		defer t.Stop()
	}
	_, _ = br.Discard(drainLimit)
}

// read consumes the event stream until [DONE] (true) or a failure.
func (s *streamer) read(ctx context.Context, rs *reqState, res *Result, pt *preparedTarget) bool {
	sent := rs.st.sent
	c := &rs.c
	for {
		data, at, err := rs.sse.next()
		off := at.Sub(sent)
		if at.IsZero() {
			off = time.Since(sent)
		}
		if err != nil {
			res.E2EUS = us(time.Since(sent))
			var eb *errBudget
			switch {
			case context.Cause(ctx) != nil:
				s.fail(res, classify(ctx, err), describe(ctx, err, s.timeouts), pt)
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				s.fail(res, ClassStreamTruncated, "the stream ended without data: [DONE]", pt)
			case errors.Is(err, errEventTooLarge):
				s.fail(res, ClassBadSSE, err.Error(), pt)
			case errors.As(err, &eb):
				s.fail(res, ClassBufferBudget, err.Error(), pt)
			case res.ContentEncoding != "" && corrupt(err):
				s.fail(res, ClassBadSSE, "the gzip-encoded event stream is corrupt: "+err.Error(), pt)
			default:
				s.fail(res, classify(ctx, err), err.Error(), pt)
			}
			return false
		}
		if rs.sse.isError() {
			// "event: error" fails the stream whatever its data says.
			res.E2EUS = us(off)
			s.fail(res, ClassStreamError, "error event: "+errorMessage(data), pt)
			return false
		}
		if bytes.Equal(data, doneMarker) {
			res.E2EUS = max(us(off), 1)
			return s.done(res, pt)
		}
		if err := scanChunk(data, c); err != nil {
			res.E2EUS = us(off)
			s.fail(res, ClassBadSSE, "event is not valid JSON ("+err.Error()+"): "+string(data), pt)
			return false
		}
		if c.hasError {
			res.E2EUS = us(off)
			msg := "error event"
			if c.errRaw != nil {
				msg += ": " + unescape(c.errRaw)
			}
			s.fail(res, ClassStreamError, msg, pt)
			return false
		}
		if c.tokenBearing() {
			o := max(us(off), 1)
			if res.TTFTUS == 0 {
				res.TTFTUS = o
			}
			if c.content > 0 && res.TTFATUS == 0 {
				res.TTFATUS = o
			}
			res.EventsUS = append(res.EventsUS, o)
			res.EventChars = append(res.EventChars, int32(min(c.chars(), 1<<31-1)))
			res.ContentChars += c.content
			res.ReasoningChars += c.reasoning
			res.ToolChars += c.tools
			if rs.answer != nil {
				rs.answer.add(c.text)
				if c.toolCalls > 0 {
					rs.answer.addCall(&c.call)
				}
			}
		}
		if len(c.finish) > 0 {
			res.Finish = s.finishReason(c.finish, pt)
		}
		if c.hasUsage {
			u := c.usage
			res.Usage = &u
		}
		if c.hasTruth {
			res.TruthHeadersUS = c.truth.headersUS
			res.TruthTTFTUS = c.truth.ttftUS
			res.TruthEventsUS = append([]int64(nil), c.truth.events...)
		}
	}
}

// done judges a stream that ended with [DONE]. One that carried no token
// and no finish_reason (a bare "data: [DONE]", or only role and usage
// chunks) answered nothing: it fails as empty_response rather than count as
// a success and as goodput. One that finished with a reason but produced no
// completion token (no token-bearing event, or server usage of 0 completion
// tokens) succeeded and is marked ZeroCompletion, so the report can count it
// apart.
func (s *streamer) done(res *Result, pt *preparedTarget) bool {
	if len(res.EventsUS) == 0 && res.Finish == "" {
		s.fail(res, ClassEmptyResponse, "the stream ended with data: [DONE] without a token or a finish_reason", pt)
		return false
	}
	res.Status = StatusOK
	res.ZeroCompletion = len(res.EventsUS) == 0 || res.Usage != nil && res.Usage.CompletionTokens == 0
	return true
}

// finishReason returns the usual reasons without allocating; any other
// value is server-chosen text and is cleaned like a message.
func (s *streamer) finishReason(b []byte, pt *preparedTarget) string {
	for _, r := range [...]string{"stop", "length", "tool_calls", "content_filter", "function_call"} {
		if string(b) == r {
			return r
		}
	}
	return pt.scrub.clean(unescape(b), maxFinish)
}

// requestID is the server's id for the request, for finding it in the
// gateway's logs (OpenAI and most gateways: X-Request-Id; Volcano Engine
// Ark: X-Tt-Logid).
func requestID(h http.Header) string {
	for _, k := range [...]string{"X-Request-Id", "X-Tt-Logid", "X-Client-Request-Id"} {
		if v := h.Get(k); v != "" {
			if len(v) > 128 {
				v = v[:128]
			}
			return v
		}
	}
	return ""
}

// fail records a failure. The message is scrubbed, then cut: it never
// carries the API key or a secret header, whole, cut or escaped.
func (s *streamer) fail(res *Result, class, msg string, pt *preparedTarget) {
	res.Status = StatusError
	res.ErrorClass = class
	res.Error = pt.scrub.clean(msg, maxMessage)
}

func us(d time.Duration) int64 { return int64(d / time.Microsecond) }
