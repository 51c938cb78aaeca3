package mockserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveReal serves s through NewHTTPServer (the production timeouts,
// shortened by shorten) on a loopback port, and returns the base URL and
// address. Cleanup closes the mock, then the server.
func serveReal(t *testing.T, cfg Config, shorten func(*http.Server)) (url, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(cfg)
	srv := NewHTTPServer(s)
	if shorten != nil {
		shorten(srv)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		_ = srv.Close()
		<-done
	})
	return "http://" + ln.Addr().String(), ln.Addr().String()
}

// goodBody is a small valid streaming request.
const goodBody = `{"model":"doubao-seed-2.0-mini","stream":true,"max_tokens":4,"messages":[{"role":"user","content":"hi"}]}`

// expectUp sends a valid request and expects a complete stream: the server
// survived whatever came before.
func expectUp(t *testing.T, client *http.Client, url string) {
	t.Helper()
	resp, err := client.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(goodBody))
	if err != nil {
		t.Fatalf("the server is down: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasSuffix(b, []byte("data: [DONE]\n\n")) {
		t.Fatalf("a valid request got %d: %.300s", resp.StatusCode, b)
	}
}

// nested is a JSON value nested n arrays deep.
func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// TestBadInputOverTheWire sends malformed, mistyped and oversized requests
// to the mock over a real connection. Each gets a clear OpenAI error
// envelope (status, code, the field at fault, a message saying what is
// wrong) and the server keeps serving valid requests.
func TestBadInputOverTheWire(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TimeScale = 0
	cfg.MaxBodyBytes = 4 << 20
	url, _ := serveReal(t, cfg, nil)
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	msg := func(content string) string {
		return `{"model":"doubao-seed-2.0-mini","messages":[{"role":"user","content":` + content + `}]}`
	}
	for _, tc := range []struct {
		name   string
		method string // default POST
		path   string // default /v1/chat/completions
		body   string
		status int
		code   string
		param  string // "" = not checked
		says   string // in the message
	}{
		// Not JSON at all.
		{name: "not json", body: "hello there", status: 400, code: "invalid_value", says: "not valid JSON"},
		// JSON cut short.
		{name: "cut json", body: `{"model":"doubao-seed-2.0-mini","messages":[`, status: 400, code: "invalid_value", says: "middle"},
		// An array, a string, null instead of an object.
		{name: "array", body: `[1,2]`, status: 400, code: "invalid_value", says: "wrong type"},
		{name: "string", body: `"x"`, status: 400, code: "invalid_value", says: "wrong type"},
		{name: "null", body: `null`, status: 400, code: "missing_required_parameter", param: "model"},
		// Wrong types name the field.
		{name: "messages a string", body: `{"model":"doubao-seed-2.0-mini","messages":"hi"}`, status: 400, code: "invalid_value", param: "messages", says: "wrong type"},
		{name: "max_tokens a string", body: `{"model":"doubao-seed-2.0-mini","max_tokens":"5","messages":[{"role":"user","content":"x"}]}`, status: 400, code: "invalid_value", param: "max_tokens"},
		{name: "max_tokens huge", body: `{"model":"doubao-seed-2.0-mini","max_tokens":1e400,"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "invalid_value", param: "max_tokens"},
		{name: "model a number", body: `{"model":5,"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "invalid_value", param: "model"},
		{name: "stream an object", body: `{"model":"doubao-seed-2.0-mini","stream":{},"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "invalid_value", param: "stream"},
		{name: "message a number", body: `{"model":"doubao-seed-2.0-mini","messages":[7]}`, status: 400, code: "invalid_value", param: "messages"},
		{name: "content an object", body: msg(`{"text":"x"}`), status: 400, code: "invalid_value"},
		// Nesting 100,000 deep in a field the mock does not read:
		// encoding/json refuses it without recursing that deep.
		{name: "deep nesting", body: `{"model":"doubao-seed-2.0-mini","tools":` + nested(100000) + `,"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "invalid_value", says: "depth"},
		// A 3 MiB prompt within the body limit but over the context window.
		{name: "huge prompt", body: msg(`"` + strings.Repeat("lorem ipsum ", 3<<20/12) + `"`), status: 400, code: "context_length_exceeded"},
		// A body over the limit.
		{name: "over the body limit", body: msg(`"` + strings.Repeat("a", 5<<20) + `"`), status: 413, code: "request_too_large"},
		// Admin: wrong types, bad values, unknown fields, a huge body.
		{name: "admin wrong type", method: "PUT", path: "/admin/faults", body: `{"http_500":"often"}`, status: 400, code: "invalid_value", param: "faults"},
		{name: "admin rates over 1", method: "PUT", path: "/admin/faults", body: `{"http_500":0.7,"stall":0.7}`, status: 400, code: "invalid_value", says: "sum"},
		{name: "admin unknown field", method: "PUT", path: "/admin/faults", body: `{"http_999":0.1}`, status: 400, code: "invalid_value", says: "http_999"},
		{name: "admin huge body", method: "PUT", path: "/admin/faults", body: `{"http_500":0.1` + strings.Repeat(" ", 1<<17) + `}`, status: 413, code: "request_too_large"},
		// Fields the mock cannot honour are refused by name, not ignored.
		{name: "n 5", body: `{"model":"doubao-seed-2.0-mini","n":5,"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "unsupported_value", param: "n", says: "one choice"},
		{name: "logprobs", body: `{"model":"doubao-seed-2.0-mini","logprobs":true,"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "unsupported_value", param: "logprobs"},
		{name: "top_logprobs", body: `{"model":"doubao-seed-2.0-mini","top_logprobs":3,"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "unsupported_value", param: "top_logprobs"},
		{name: "json schema", body: `{"model":"doubao-seed-2.0-mini","response_format":{"type":"json_schema"},"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "unsupported_value", param: "response_format"},
		{name: "audio out", body: `{"model":"doubao-seed-2.0-mini","modalities":["text","audio"],"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "unsupported_value", param: "modalities"},
		{name: "legacy functions", body: `{"model":"doubao-seed-2.0-mini","functions":[{"name":"f"}],"messages":[{"role":"user","content":"x"}]}`, status: 400, code: "unsupported_value", param: "functions"},
		// A method the route does not take.
		{name: "GET completions", method: "GET", status: 405, code: "method_not_allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method, path := tc.method, tc.path
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = "/v1/chat/completions"
			}
			req, _ := http.NewRequest(method, url+path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tc.status, b)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			e := decodeEnvelope(t, string(b))
			if e.Error.Code != tc.code {
				t.Errorf("code %q, want %q (%s)", e.Error.Code, tc.code, e.Error.Message)
			}
			if tc.param != "" && (e.Error.Param == nil || *e.Error.Param != tc.param) {
				t.Errorf("param %v, want %q (%s)", e.Error.Param, tc.param, e.Error.Message)
			}
			if !strings.Contains(e.Error.Message, tc.says) {
				t.Errorf("message %q does not say %q", e.Error.Message, tc.says)
			}
			if len(b) > 4096 {
				t.Errorf("a %d-byte error: it must not echo the input", len(b))
			}
			expectUp(t, client, url)
		})
	}
}

// TestBadInputBoundedMemory sends 1,000 bad requests (300 under the race
// detector) from 20 clients at once (each of the kinds above, bodies up to the 1 MiB limit and beyond)
// and checks that the mock keeps serving, that the heap it retains
// afterwards is back near where it started, and that no goroutine is left
// (goleak, in TestMain).
func TestBadInputBoundedMemory(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TimeScale = 0
	cfg.MaxBodyBytes = 1 << 20
	url, _ := serveReal(t, cfg, nil)
	bodies := []string{
		"hello", `{"model":`, `[1]`, `{"model":5}`, `{"model":"doubao-seed-2.0-mini","messages":"x"}`,
		`{"model":"doubao-seed-2.0-mini","tools":` + nested(20000) + `}`,
		`{"model":"doubao-seed-2.0-mini","messages":[{"role":"user","content":"` + strings.Repeat("ab ", 300<<10) + `"}]}`,
		`{"model":"doubao-seed-2.0-mini","messages":[{"role":"user","content":"` + strings.Repeat("z", 2<<20) + `"}]}`,
	}
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 20}}
	defer client.CloseIdleConnections()
	expectUp(t, client, url) // warm up pools before the baseline
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	requests, workers := 1000, 20
	if raceEnabled {
		requests = 300
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < requests; i += workers {
				resp, err := client.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(bodies[i%len(bodies)]))
				if err != nil {
					t.Errorf("request %d: %v", i, err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	expectUp(t, client, url)
	client.CloseIdleConnections()
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("statuses %v; heap %d KiB before, %d KiB after (%+d KiB); %d MiB allocated in all",
		statuses, before.HeapAlloc>>10, after.HeapAlloc>>10, grew>>10, (after.TotalAlloc-before.TotalAlloc)>>20)
	if statuses[200] != 0 || statuses[400]+statuses[413] != requests {
		t.Errorf("statuses %v: want only 400 and 413", statuses)
	}
	if grew > 8<<20 {
		t.Errorf("the heap grew by %d MiB after %d bad requests", grew>>20, requests)
	}
}

// TestSlowClients: with the read timeouts shortened, a client trickling its
// headers is disconnected after ReadHeaderTimeout, one trickling its body
// gets 408 request_timeout after ReadTimeout, and one idle on a kept-alive
// connection is disconnected after IdleTimeout; meanwhile 100 such
// connections do not stop valid requests. A stream lasting several times
// ReadTimeout is not cut by it (the handler lifts the deadline once the body
// is in).
func TestSlowClients(t *testing.T) {
	const headerTO, readTO, idleTO = 300 * time.Millisecond, 600 * time.Millisecond, 400 * time.Millisecond
	cfg := DefaultConfig()
	cfg.TimeScale = 0.02 // a Pro stream of ~1,000 tokens at 30 ms ITL: about 0.6 s per 1,000 events
	url, addr := serveReal(t, cfg, func(s *http.Server) {
		s.ReadHeaderTimeout, s.ReadTimeout, s.IdleTimeout = headerTO, readTO, idleTO
	})
	client := &http.Client{Timeout: 20 * time.Second}
	defer client.CloseIdleConnections()

	// trickle writes head, then one byte of tail every 50 ms until the
	// server closes the connection; it returns what the server answered
	// and how long the connection lasted.
	trickle := func(head, tail string) (string, time.Duration) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return "", 0
		}
		defer c.Close()
		start := time.Now()
		if _, err := io.WriteString(c, head); err != nil {
			t.Error(err)
			return "", 0
		}
		got := make(chan string, 1)
		go func() {
			b, _ := io.ReadAll(c) // until the server closes
			got <- string(b)
		}()
		for i := 0; ; i++ {
			select {
			case s := <-got:
				return s, time.Since(start)
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := c.Write([]byte{tail[i%len(tail)]}); err != nil {
				return <-got, time.Since(start)
			}
			if time.Since(start) > 10*time.Second {
				t.Error("the connection is still open after 10s")
				return "", 0
			}
		}
	}

	// 100 slowloris connections hold on while valid requests are served.
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			trickle("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n", "X-Slow: aaaaaaaaaaaaaaaaaaaa")
		}()
	}
	expectUp(t, client, url)

	t.Run("slow headers", func(t *testing.T) {
		got, took := trickle("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n", "X-Slow: aaaaaaaaaaaaaaaaaaaa")
		if took < headerTO-50*time.Millisecond || took > headerTO+2*time.Second {
			t.Errorf("disconnected after %s, want about %s", took, headerTO)
		}
		t.Logf("after %s the server answered %q", took.Round(time.Millisecond), firstLine(got))
	})

	t.Run("slow body", func(t *testing.T) {
		head := "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\":"
		got, took := trickle(head, " ")
		// The client's clock starts a little after the server's deadline
		// does, so "about" allows 50 ms early.
		if took < readTO-50*time.Millisecond || took > readTO+2*time.Second {
			t.Errorf("answered after %s, want about %s", took, readTO)
		}
		status, body, ok := strings.Cut(got, "\r\n")
		if !ok || !strings.Contains(status, "408") || !strings.Contains(body, `"code":"request_timeout"`) {
			t.Errorf("answer %q, want 408 request_timeout", got)
		}
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		req, _ := http.NewRequest(http.MethodGet, url+"/healthz", nil)
		if err := req.Write(c); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		start := time.Now()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = br.ReadByte()
		if took := time.Since(start); !errors.Is(err, io.EOF) || took < idleTO-50*time.Millisecond || took > idleTO+2*time.Second {
			t.Errorf("after %s: %v; want EOF after about %s", took, err, idleTO)
		}
	})

	t.Run("long stream", func(t *testing.T) {
		body := `{"model":"doubao-seed-2.0-pro","stream":true,"max_tokens":2000,"ignore_eos":true,"thinking":{"type":"disabled"},"messages":[{"role":"user","content":"go on"}]}`
		start := time.Now()
		resp, err := client.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil || !bytes.HasSuffix(b, []byte("data: [DONE]\n\n")) {
			t.Fatalf("after %s: %v; the stream was cut (%d bytes)", took, err, len(b))
		}
		if took < 2*readTO {
			t.Errorf("the stream took %s, not long enough to cross ReadTimeout %s: the test proves nothing", took, readTO)
		}
	})
	wg.Wait()
	expectUp(t, client, url)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\r\n")
	return fmt.Sprintf("%.60s", l)
}
