package runner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// streamer sends requests and measures them. One streamer serves the whole
// run; it is safe for concurrent use.
type streamer struct {
	client   *http.Client
	timeouts Timeouts
	targets  []preparedTarget
	// onSent is called with the instant each request is handed to the
	// transport (before connecting), for the schedule-lag figures.
	onSent func(res *Result, sent time.Time)
	pool   sync.Pool // *reqState
	traces sync.Pool // *traceTimes
}

// preparedTarget holds what every request to a target shares, built once.
type preparedTarget struct {
	t    *Target
	url  string
	auth []string // the Authorization header value, never recorded
	// secrets are scrubbed from every error message: the key, the values
	// of secret headers (SecretHeader).
	secrets []string
}

func newStreamer(client *http.Client, to Timeouts, targets []Target) *streamer {
	s := &streamer{client: client, timeouts: to}
	for i := range targets {
		t := &targets[i]
		pt := preparedTarget{t: t, url: strings.TrimRight(t.BaseURL, "/") + "/chat/completions", secrets: t.secrets()}
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
	st  stampReader
	sse *sseReader
	c   chunk
}

// Shared header values: the transport only reads them.
var (
	hdrJSON   = []string{"application/json"}
	hdrStream = []string{"text/event-stream"}
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
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, tt.ct), http.MethodPost, pt.url, bytes.NewReader(req.Body))
	if err != nil {
		s.fail(res, ClassOther, err.Error(), pt)
		return
	}
	h := hreq.Header
	h["Content-Type"] = hdrJSON
	h["Accept"] = hdrStream
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
	resp, err := s.client.Do(hreq)
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
	tt.ttfb.CompareAndSwap(0, max(us(hdrAt), 1))
	res.HTTPStatus = resp.StatusCode
	res.RequestID = requestID(resp.Header)
	readRateLimit(resp.Header, res)

	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		res.E2EUS = us(time.Since(sent))
		res.RetryAfter = resp.Header.Get("Retry-After")
		class := ClassHTTP4xx
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			class = ClassHTTP429
		case resp.StatusCode >= 500:
			class = ClassHTTP5xx
		case resp.StatusCode < 400:
			class = ClassOther
		}
		// The gateway's own code is kept beside the class it maps to.
		code, msg := gatewayError(body)
		res.ErrorCode = code
		if c := gatewayClass(code, msg); c != "" {
			class = c
		}
		s.fail(res, class, "HTTP "+strconv.Itoa(resp.StatusCode)+": "+errorMessage(body), pt)
		return
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") && mediaType(ct) == "application/json" {
		// A gateway that answers a stream request with one JSON body
		// (usually an error envelope with status 200).
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		res.E2EUS = us(time.Since(sent))
		s.fail(res, ClassStreamError, "expected an event stream, got application/json: "+errorMessage(body), pt)
		return
	}

	rs, _ := s.pool.Get().(*reqState)
	if rs == nil {
		rs = &reqState{}
		rs.sse = newSSEReader(&rs.st)
	}
	rs.st = stampReader{r: resp.Body, wd: wd, sent: sent}
	rs.sse.reset(&rs.st)
	if s.read(ctx, rs, res, pt) {
		drain(rs.sse.br, wd, cancel)
	}
	rs.st = stampReader{}
	if cap(rs.sse.long) > 1<<20 {
		rs.sse.long = nil // do not keep a huge event's buffer for every later request
	}
	if cap(rs.sse.data) > 1<<20 {
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
			switch {
			case context.Cause(ctx) != nil:
				s.fail(res, classify(ctx, err), describe(ctx, err, s.timeouts), pt)
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				s.fail(res, ClassStreamTruncated, "the stream ended without data: [DONE]", pt)
			case errors.Is(err, errEventTooLarge):
				s.fail(res, ClassBadSSE, err.Error(), pt)
			default:
				s.fail(res, classify(ctx, err), err.Error(), pt)
			}
			return false
		}
		if bytes.Equal(data, doneMarker) {
			res.E2EUS = max(us(off), 1)
			res.Status = StatusOK
			return true
		}
		if err := scanChunk(data, c); err != nil {
			res.E2EUS = us(off)
			s.fail(res, ClassBadSSE, "event is not valid JSON ("+err.Error()+"): "+snippet(data), pt)
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
		}
		if len(c.finish) > 0 {
			res.Finish = finishReason(c.finish)
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

// mediaType is ct's media type, lower case, without parameters.
func mediaType(ct string) string {
	t, _, _ := mime.ParseMediaType(ct)
	return t
}

// finishReason returns the usual reasons without allocating.
func finishReason(b []byte) string {
	for _, r := range [...]string{"stop", "length", "tool_calls", "content_filter", "function_call"} {
		if string(b) == r {
			return r
		}
	}
	return unescape(b)
}

func snippet(b []byte) string {
	const n = 120
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
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

// fail records a failure; the message never carries the API key.
func (s *streamer) fail(res *Result, class, msg string, pt *preparedTarget) {
	res.Status = StatusError
	res.ErrorClass = class
	res.Error = scrub(msg, pt.secrets)
}

func us(d time.Duration) int64 { return int64(d / time.Microsecond) }
