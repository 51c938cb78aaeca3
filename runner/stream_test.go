package runner

import (
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// serveRaw serves every request with h on a loopback port and returns its
// base URL.
func serveRaw(t testing.TB, h http.HandlerFunc) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
	})
	return hs.URL + "/v1"
}

// sse answers with an event stream made of events, flushed one by one with
// gap between them.
func sse(gap time.Duration, events ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		for i, e := range events {
			if i > 0 && gap > 0 {
				time.Sleep(gap)
			}
			fmt.Fprint(w, e)
			w.(http.Flusher).Flush()
		}
	}
}

// reasoningEvent is one delta carrying text as reasoning under field.
func reasoningEvent(field, text string) string {
	if field == "reasoning_details" {
		return fmt.Sprintf("data: {\"choices\":[{\"delta\":{\"content\":\"\",\"reasoning_details\":[{\"type\":\"reasoning.text\",\"text\":%q}]}}]}\n\n", text)
	}
	return fmt.Sprintf("data: {\"choices\":[{\"delta\":{\"content\":\"\",%q:%q}}]}\n\n", field, text)
}

const (
	roleEvent    = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
	contentEvent = "data: {\"choices\":[{\"delta\":{\"content\":\"answer\"}}]}\n\n"
	finishEvent  = "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	doneEvent    = "data: [DONE]\n\n"
)

func usageEvent(prompt, completion int) string {
	return fmt.Sprintf("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d}}\n\n", prompt, completion)
}

// TestReasoningFields: thinking text under each name a widely used server
// emits starts TTFT at the first thinking event, counts as reasoning, and
// every event carrying it is an ITL event; TTFAT waits for the answer.
func TestReasoningFields(t *testing.T) {
	for _, field := range reasoningFields {
		t.Run(field, func(t *testing.T) {
			t.Parallel()
			events := []string{roleEvent}
			for range 4 {
				events = append(events, reasoningEvent(field, "hmm"))
			}
			events = append(events, contentEvent, finishEvent, usageEvent(5, 10), doneEvent)
			r := sendOne(t, serveRaw(t, sse(20*time.Millisecond, events...)), DefaultTimeouts, []byte(`{}`))
			if !r.OK() {
				t.Fatalf("%s: %s", r.ErrorClass, r.Error)
			}
			if len(r.EventsUS) != 5 || r.ReasoningChars != 12 || r.ContentChars != 6 {
				t.Fatalf("%d events, reasoning %d, content %d chars; want 5, 12, 6", len(r.EventsUS), r.ReasoningChars, r.ContentChars)
			}
			if r.TTFTUS != r.EventsUS[0] || r.TTFATUS != r.EventsUS[4] {
				t.Errorf("TTFT %d TTFAT %d, events %v", r.TTFTUS, r.TTFATUS, r.EventsUS)
			}
			if gap := r.TTFATUS - r.TTFTUS; gap < 60_000 {
				t.Errorf("TTFAT − TTFT = %dµs: the thinking events (4 × 20 ms) were not counted", gap)
			}
			if r.TokensPerEvent != 2 { // 10 completion tokens over 5 events
				t.Errorf("tokens per event %v, want 2", r.TokensPerEvent)
			}
		})
	}
}

// TestReasoningTTFT: ten thinking events 30 ms apart, then the answer. TTFT
// is the first thinking event's arrival, within 2 ms of when the server
// flushed it (same process, same monotonic clock), for each field name. A
// reader blind to the field would be 300 ms late; one try in three within
// 2 ms is asked for, since a busy machine can delay one read.
func TestReasoningTTFT(t *testing.T) {
	for _, field := range []string{"reasoning_content", "reasoning"} {
		t.Run(field, func(t *testing.T) {
			var best time.Duration = time.Hour
			for range 3 {
				var flushed atomic.Int64 // UnixNano of the first thinking flush
				url := serveRaw(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					fmt.Fprint(w, roleEvent)
					w.(http.Flusher).Flush()
					time.Sleep(30 * time.Millisecond)
					for i := range 10 {
						if i > 0 {
							time.Sleep(30 * time.Millisecond)
						}
						fmt.Fprint(w, reasoningEvent(field, "think"))
						w.(http.Flusher).Flush()
						if i == 0 {
							flushed.Store(time.Now().UnixNano())
						}
					}
					fmt.Fprint(w, contentEvent+finishEvent+doneEvent)
				})
				client := NewHTTPClient(1, DefaultTimeouts, false)
				s := newStreamer(client, DefaultTimeouts, []Target{{Name: "t", BaseURL: url}})
				var sent time.Time
				s.onSent = func(_ *Result, at time.Time) { sent = at }
				res := &Result{}
				s.do(context.Background(), &Request{Body: []byte(`{}`)}, res)
				client.CloseIdleConnections()
				if !res.OK() || len(res.EventsUS) != 11 {
					t.Fatalf("%s %s, %d events", res.ErrorClass, res.Error, len(res.EventsUS))
				}
				truth := time.Unix(0, flushed.Load()).Sub(sent)
				d := time.Duration(res.TTFTUS)*time.Microsecond - truth
				best = min(best, d.Abs())
				if best <= 2*time.Millisecond {
					break
				}
			}
			if best > 2*time.Millisecond {
				t.Errorf("TTFT is %v from the first thinking event (best of 3), want ≤ 2ms", best)
			}
		})
	}
}

// gzipped answers with the events gzip-compressed, flushed per event.
func gzipped(events ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		for _, e := range events {
			fmt.Fprint(zw, e)
			_ = zw.Flush()
			w.(http.Flusher).Flush()
		}
		_ = zw.Close()
	}
}

// status answers code with body as JSON and extra headers.
func status(code int, body string, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

// TestResponses: how each way a server can answer is recorded.
func TestResponses(t *testing.T) {
	ok := []string{roleEvent, contentEvent, finishEvent, usageEvent(3, 1), doneEvent}
	for _, tc := range []struct {
		name  string
		h     http.HandlerFunc
		class string // "" = success
		msg   string // a part of the message
		check func(*testing.T, *Result)
	}{
		// event: error fails the stream even when more tokens follow, message kept
		{"event error json", sse(0, roleEvent, contentEvent, "event: error\ndata: {\"message\": \"upstream overloaded\"}\n\n", contentEvent, doneEvent),
			ClassStreamError, "error event: upstream overloaded", nil},
		{"event error text", sse(0, roleEvent, "event: error\r\ndata: overloaded, try later\r\n\r\n"), ClassStreamError, "error event: overloaded, try later", nil},
		{"event error envelope", sse(0, "event: error\ndata: {\"error\":{\"code\":\"server_busy\",\"message\":\"busy\"}}\n\n"), ClassStreamError, "server_busy: busy", nil},
		// data: {"error": …} as before
		{"data error", sse(0, roleEvent, "data: {\"error\":{\"message\":\"boom\"}}\n\n"), ClassStreamError, "error event: boom", nil},
		// lone CR line endings are valid SSE
		{"lone cr", sse(0, strings.ReplaceAll(strings.Join(ok, ""), "\n", "\r")), "", "", nil},
		// a bare [DONE] answered nothing
		{"done only", sse(0, doneEvent), ClassEmptyResponse, "without a token or a finish_reason", nil},
		{"role and usage only", sse(0, roleEvent, usageEvent(3, 0), doneEvent), ClassEmptyResponse, "", nil},
		// a finish without a token is a success, marked
		{"finish no tokens", sse(0, roleEvent, finishEvent, usageEvent(3, 0), doneEvent), "", "", func(t *testing.T, r *Result) {
			if !r.ZeroCompletion || r.Finish != "stop" {
				t.Errorf("zero completion %v, finish %q", r.ZeroCompletion, r.Finish)
			}
		}},
		{"ordinary", sse(0, ok...), "", "", func(t *testing.T, r *Result) {
			if r.ZeroCompletion || r.ContentEncoding != "" {
				t.Errorf("zero completion %v, encoding %q", r.ZeroCompletion, r.ContentEncoding)
			}
		}},
		// a 200 that is not an event stream says what it was
		{"html", status(200, "<html><title>502 Bad Gateway</title></html>", "Content-Type", "text/html; charset=utf-8"), ClassBadContentType, `got "text/html; charset=utf-8"; the body begins: <html><title>502 Bad Gateway`, nil},
		{"text/plain", status(200, strings.Join(ok, ""), "Content-Type", "text/plain"), ClassBadContentType, `got "text/plain"`, nil},
		{"json answer", status(200, `{"choices":[{"message":{"content":"hi"}}]}`), ClassBadContentType, `got "application/json"`, nil},
		{"json error", status(200, `{"error":{"code":"quota","message":"out of quota"}}`), ClassStreamError, "quota: out of quota", func(t *testing.T, r *Result) {
			if r.ErrorCode != "quota" {
				t.Errorf("code %q", r.ErrorCode)
			}
		}},
		// gzip in spite of identity: decoded and recorded
		{"gzip", gzipped(ok...), "", "", func(t *testing.T, r *Result) {
			if r.ContentEncoding != "gzip" || len(r.EventsUS) != 1 {
				t.Errorf("encoding %q, %d events", r.ContentEncoding, len(r.EventsUS))
			}
		}},
		{"brotli", status(200, "xx", "Content-Type", "text/event-stream", "Content-Encoding", "br"), ClassBadContentType, `encoded with "br"`, nil},
		// actionable statuses, with the gateway's code
		{"400", status(400, `{"error":{"code":"invalid_parameter","message":"max_tokens too large"}}`), ClassBadRequest, "HTTP 400: invalid_parameter: max_tokens too large", nil},
		{"401", status(401, `{"error":{"code":"invalid_api_key","message":"bad key"}}`), ClassAuth, "HTTP 401", func(t *testing.T, r *Result) {
			if r.ErrorCode != "invalid_api_key" || r.HTTPStatus != 401 {
				t.Errorf("code %q status %d", r.ErrorCode, r.HTTPStatus)
			}
		}},
		{"403", status(403, `{"error":{"type":"permission_denied","message":"no"}}`), ClassAuth, "permission_denied: no", nil},
		{"404", status(404, `404 page not found`, "Content-Type", "text/plain"), ClassNotFound, "HTTP 404: 404 page not found", nil},
		{"413", status(413, `too big`), ClassTooLarge, "HTTP 413", nil},
		{"422", status(422, `{"detail":"x"}`), ClassBadRequest, `{"detail":"x"}`, nil},
		{"429", status(429, `{"error":{"message":"slow down"}}`, "Retry-After", "7"), ClassHTTP429, "slow down", func(t *testing.T, r *Result) {
			if r.RetryAfter != "7" {
				t.Errorf("retry-after %q", r.RetryAfter)
			}
		}},
		{"418", status(418, `teapot`), ClassHTTP4xx, "HTTP 418", nil},
		{"503", status(503, `{"error":{"code":"overloaded","message":"later"}}`), ClassHTTP5xx, "overloaded: later", nil},
		{"204", status(204, ``), ClassOther, "HTTP 204", nil},
		{"redirect", status(307, ``, "Location", "https://other.example:8443/v1/chat/completions?token=abc"), ClassHTTP3xx, "HTTP 307 redirect, not followed, to https://other.example:8443", func(t *testing.T, r *Result) {
			if strings.Contains(r.Error, "token") || strings.Contains(r.Error, "/v1") {
				t.Errorf("the Location's path or query was kept: %s", r.Error)
			}
		}},
		// usage that cannot be believed is kept and marked
		{"usage huge", sse(0, roleEvent, contentEvent, finishEvent, usageEvent(9000000000000000000, 1), doneEvent), "", "", func(t *testing.T, r *Result) {
			if r.Usage == nil || r.Usage.PromptTokens != 9000000000000000000 || !strings.Contains(r.UsageInvalid, "prompt_tokens 9000000000000000000 is over") {
				t.Errorf("usage %+v invalid %q", r.Usage, r.UsageInvalid)
			}
			if r.TokensPerEvent != 2 { // the client's estimate (6 chars), not the bad usage (1)
				t.Errorf("tokens per event %v", r.TokensPerEvent)
			}
		}},
		{"usage negative", sse(0, roleEvent, contentEvent, finishEvent, usageEvent(-3, 1), doneEvent), "", "", func(t *testing.T, r *Result) {
			if r.UsageInvalid != "prompt_tokens -3 is negative" {
				t.Errorf("invalid %q", r.UsageInvalid)
			}
		}},
		{"usage cached", sse(0, roleEvent, contentEvent, finishEvent, "data: {\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"prompt_tokens_details\":{\"cached_tokens\":9}}}\n\n", doneEvent), "", "", func(t *testing.T, r *Result) {
			if r.UsageInvalid != "cached_tokens 9 exceed prompt_tokens 5" {
				t.Errorf("invalid %q", r.UsageInvalid)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := sendOne(t, serveRaw(t, tc.h), DefaultTimeouts, []byte(`{}`))
			if tc.class == "" {
				if !r.OK() {
					t.Fatalf("want success, got %s: %s", r.ErrorClass, r.Error)
				}
			} else if r.Status != StatusError || r.ErrorClass != tc.class || !strings.Contains(r.Error, tc.msg) {
				t.Fatalf("%s %q: %s; want %q containing %q", r.Status, r.ErrorClass, r.Error, tc.class, tc.msg)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

// TestEarlyHints: a 103 before the answer never stamps TTFB.
func TestEarlyHints(t *testing.T) {
	url := serveRaw(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		time.Sleep(100 * time.Millisecond)
		sse(0, roleEvent, contentEvent, finishEvent, doneEvent)(w, r)
	})
	r := sendOne(t, url, DefaultTimeouts, []byte(`{}`))
	if !r.OK() {
		t.Fatalf("%s: %s", r.ErrorClass, r.Error)
	}
	if r.TTFBUS < 100_000 {
		t.Errorf("TTFB %dµs: stamped at the 103, not the answer 100 ms later", r.TTFBUS)
	}
}

// TestRedirectNotFollowed: a 307 to another port on the same host is
// recorded, and the other server receives nothing: no credential, no target
// header, no request at all.
func TestRedirectNotFollowed(t *testing.T) {
	var got atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer other.Close()
	url := serveRaw(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/v1/chat/completions", http.StatusTemporaryRedirect)
	})
	client := NewHTTPClient(2, DefaultTimeouts, false)
	defer client.CloseIdleConnections()
	s := newStreamer(client, DefaultTimeouts, []Target{{Name: "t", BaseURL: url, APIKey: "sk-redirect-test-key", Headers: map[string]string{"X-Api-Key": "hdr-secret"}}})
	res := &Result{}
	s.do(context.Background(), &Request{Body: []byte(`{}`)}, res)
	if res.ErrorClass != ClassHTTP3xx || res.HTTPStatus != 307 || !strings.Contains(res.Error, "to "+other.URL) {
		t.Fatalf("%s %d: %s", res.ErrorClass, res.HTTPStatus, res.Error)
	}
	if n := got.Load(); n != 0 {
		t.Fatalf("the redirect target received %d requests", n)
	}
}

// TestTLSToPlainHTTP: HTTPS to a server that speaks plain HTTP is a tls
// failure, not "other".
func TestTLSToPlainHTTP(t *testing.T) {
	url := serveRaw(t, sse(0, doneEvent))
	r := sendOne(t, strings.Replace(url, "http://", "https://", 1), DefaultTimeouts, []byte(`{}`))
	if r.ErrorClass != ClassTLS {
		t.Fatalf("class %q (%s), want tls", r.ErrorClass, r.Error)
	}
}

// TestEventBudget: streams that together buffer more than the run's budget
// fail with buffer_budget, and what they held is given back.
func TestEventBudget(t *testing.T) {
	big := "data: {\"choices\":[{\"delta\":{\"content\":\"" + strings.Repeat("x", 256<<10) + "\"}}]}\n\n"
	url := serveRaw(t, sse(0, roleEvent, big, finishEvent, doneEvent))
	client := NewHTTPClient(2, DefaultTimeouts, false)
	defer client.CloseIdleConnections()
	s := newStreamer(client, DefaultTimeouts, []Target{{Name: "t", BaseURL: url}})
	s.budget = newEventBudget(128 << 10)
	res := &Result{}
	s.do(context.Background(), &Request{Body: []byte(`{}`)}, res)
	if res.ErrorClass != ClassBufferBudget || !strings.Contains(res.Error, "budget for buffered event bytes (0 MiB") {
		t.Fatalf("%s: %s", res.ErrorClass, res.Error)
	}
	if u := s.budget.used.Load(); u != 0 {
		t.Errorf("%d bytes still reserved after the stream ended", u)
	}
	s.budget = newEventBudget(1 << 20)
	res = &Result{}
	s.do(context.Background(), &Request{Body: []byte(`{}`)}, res)
	if !res.OK() || s.budget.used.Load() != 0 {
		t.Fatalf("within the budget: %s %s, %d reserved", res.ErrorClass, res.Error, s.budget.used.Load())
	}
}
