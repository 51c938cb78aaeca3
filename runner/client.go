package runner

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"syscall"
	"time"
)

// NewHTTPClient returns a client tuned for many long-lived streams: a
// keep-alive pool as large as the concurrency, HTTP/2 when the server offers
// it over TLS, verification on unless insecure is set.
func NewHTTPClient(maxConns int, t Timeouts, insecure bool) *http.Client {
	if maxConns < 1 {
		maxConns = 1
	}
	dialer := &net.Dialer{Timeout: t.Connect, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxConns,
		MaxIdleConnsPerHost:   maxConns,
		MaxConnsPerHost:       0,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   t.Connect,
		ResponseHeaderTimeout: t.TTFB,
		DisableCompression:    true,                                      // SSE must arrive as sent; gzip would batch events
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: insecure}, //nolint:gosec // opt-in --insecure
	}
	return &http.Client{Transport: tr}
}

// streamer sends one request and measures it.
type streamer struct {
	client   *http.Client
	timeouts Timeouts
}

func us(d time.Duration) int64 { return int64(d / time.Microsecond) }

// do sends req to t and fills res. Failures are recorded in res, never
// returned: a load test measures what happened.
func (s *streamer) do(ctx context.Context, t *Target, req *Request, res *Result) {
	if s.timeouts.Total > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeouts.Total)
		defer cancel()
	}
	ctx, cancelIdle := context.WithCancelCause(ctx)
	defer cancelIdle(nil)

	var sent, connStart time.Time
	trace := &httptrace.ClientTrace{
		ConnectStart: func(string, string) { connStart = time.Now() },
		GotConn: func(httptrace.GotConnInfo) {
			if !connStart.IsZero() {
				res.ConnectUS = us(time.Since(connStart))
			}
		},
		GotFirstResponseByte: func() { res.TTFBUS = us(time.Since(sent)) },
	}
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost,
		strings.TrimRight(t.BaseURL, "/")+"/chat/completions", bytes.NewReader(req.Body))
	if err != nil {
		s.fail(res, ClassOther, err.Error())
		return
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "text/event-stream")
	if t.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+t.APIKey)
	}
	for k, v := range t.Headers {
		hreq.Header.Set(k, v)
	}

	sent = time.Now()
	resp, err := s.client.Do(hreq)
	if err != nil {
		res.E2EUS = us(time.Since(sent))
		s.fail(res, classifyTransport(ctx, err), scrub(err.Error(), t.APIKey))
		return
	}
	defer resp.Body.Close()
	res.HTTPStatus = resp.StatusCode
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
		}
		s.fail(res, class, scrub(fmt.Sprintf("HTTP %d: %s", resp.StatusCode, errorMessage(body)), t.APIKey))
		return
	}

	// The idle timer fires when no line arrives within Idle; it cancels the
	// request so the blocked read returns.
	var idle *time.Timer
	if s.timeouts.Idle > 0 {
		idle = time.AfterFunc(s.timeouts.Idle, func() { cancelIdle(errIdle) })
		defer idle.Stop()
	}
	sr := newSSEReader(resp.Body)
	var stampAt time.Duration
	stamp := func() { stampAt = time.Since(sent) }
	var c chunk
	for {
		data, err := sr.next(stamp)
		if idle != nil {
			idle.Reset(s.timeouts.Idle)
		}
		if err != nil {
			res.E2EUS = us(time.Since(sent))
			switch {
			case errors.Is(context.Cause(ctx), errIdle):
				s.fail(res, ClassIdleTimeout, fmt.Sprintf("no event for %s", s.timeouts.Idle))
			case ctx.Err() != nil:
				s.fail(res, classifyTransport(ctx, ctx.Err()), "stream interrupted: "+ctx.Err().Error())
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				s.fail(res, ClassStreamTruncated, "stream ended without data: [DONE]")
			default:
				s.fail(res, classifyTransport(ctx, err), scrub(err.Error(), t.APIKey))
			}
			return
		}
		if bytes.Equal(data, doneMarker) {
			res.E2EUS = us(time.Since(sent))
			if res.Status == "" {
				res.Status = StatusOK
			}
			return
		}
		c = chunk{}
		if err := json.Unmarshal(data, &c); err != nil {
			res.E2EUS = us(time.Since(sent))
			s.fail(res, ClassBadSSE, "event is not JSON: "+err.Error())
			return
		}
		if c.Error != nil {
			res.E2EUS = us(time.Since(sent))
			s.fail(res, ClassStreamError, scrub("error event: "+c.Error.Message, t.APIKey))
			return
		}
		chars := 0
		for i := range c.Choices {
			d := &c.Choices[i].Delta
			chars += len(d.Content) + len(d.ReasoningContent)
			if len(d.ToolCalls) > 0 && string(d.ToolCalls) != "null" && string(d.ToolCalls) != "[]" {
				chars += len(d.ToolCalls)
			}
			res.ContentChars += len(d.Content)
			res.ReasoningChars += len(d.ReasoningContent)
			if d.Content != "" && res.TTFATUS == 0 {
				res.TTFATUS = us(stampAt)
			}
			if f := c.Choices[i].FinishReason; f != nil && *f != "" {
				res.Finish = *f
			}
		}
		if chars > 0 {
			if res.TTFTUS == 0 {
				res.TTFTUS = max(us(stampAt), 1)
			}
			res.EventsUS = append(res.EventsUS, us(stampAt))
			res.EventChars = append(res.EventChars, int32(chars))
		}
		if u := c.Usage; u != nil {
			res.Usage = &Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens}
			if u.PromptTokensDetails != nil {
				res.Usage.CachedTokens = u.PromptTokensDetails.CachedTokens
			}
			if u.CompletionTokensDetails != nil {
				res.Usage.ReasoningTokens = u.CompletionTokensDetails.ReasoningTokens
			}
		}
		if tr := c.Truth; tr != nil {
			res.TruthTTFTUS = tr.TTFTUS
			res.TruthEventsUS = tr.EventsUS
		}
	}
}

var (
	doneMarker = []byte("[DONE]")
	errIdle    = errors.New("idle timeout")
)

func (s *streamer) fail(res *Result, class, msg string) {
	res.Status = StatusError
	res.ErrorClass = class
	res.Error = msg
}

// classifyTransport maps a transport error to an error class.
func classifyTransport(ctx context.Context, err error) string {
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.Is(context.Cause(ctx), errIdle):
		return ClassIdleTimeout
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return ClassCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return ClassTimeout
	case errors.As(err, &oe) && oe.Op == "dial":
		return ClassConnect
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassConnect
	case errors.As(err, &ne) && ne.Timeout():
		if strings.Contains(err.Error(), "awaiting headers") {
			return ClassTTFBTimeout
		}
		return ClassTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassReset
	}
	return ClassOther
}

// errorMessage extracts the OpenAI error envelope's message, or the body.
func errorMessage(body []byte) string {
	var env struct {
		Error struct {
			Message string `json:"message"`
			Code    any    `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error.Message != "" {
		if env.Error.Code != nil {
			return fmt.Sprintf("%v: %s", env.Error.Code, env.Error.Message)
		}
		return env.Error.Message
	}
	return strings.TrimSpace(string(body))
}

// scrub removes the API key from a message that may echo it (some gateways
// quote the bad key back in a 401).
func scrub(msg, key string) string {
	if key == "" {
		return msg
	}
	return strings.ReplaceAll(msg, key, "[redacted]")
}
