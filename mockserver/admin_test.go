package mockserver

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAdminFaults sets a fault at runtime and sees it take effect, then
// clears it.
func TestAdminFaults(t *testing.T) {
	cfg := fastConfig()
	cfg.TimeScale = 0
	_, hs := startServer(t, cfg)
	put := func(query, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPut, hs.URL+"/admin/faults"+query, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	req := `{"model":"doubao-seed-2.0-mini","messages":[{"role":"user","content":"x"}]}`
	if code, b := put("?model=doubao-seed-2.0-mini", `{"http_503":1}`); code != 200 {
		t.Fatalf("PUT: %d %s", code, b)
	}
	if code, _, _ := post(t, hs, req); code != 503 {
		t.Errorf("after setting http_503=1: %d", code)
	}
	if code, _, _ := post(t, hs, strings.Replace(req, "mini", "lite", 1)); code != 200 {
		t.Errorf("other model affected: %d", code)
	}
	resp, err := hs.Client().Get(hs.URL + "/admin/faults")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var all map[string]map[string]any
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatalf("GET is not JSON: %v\n%s", err, raw)
	}
	if all["doubao-seed-2.0-mini"]["http_503"] != 1.0 || all["doubao-seed-2.0-lite"]["http_503"] != 0.0 {
		t.Errorf("GET: %s", raw)
	}
	// Durations are strings both ways.
	if code, b := put("?model=doubao-seed-2.0-mini", `{"stall": 0.5, "stall_for": "250ms"}`); code != 200 || !strings.Contains(b, `"stall_for": "250ms"`) && !strings.Contains(b, `"stall_for":"250ms"`) {
		t.Errorf("PUT with a duration: %d %s", code, b)
	}
	if code, _ := put("", `{}`); code != 200 { // clears every model
		t.Fatal(code)
	}
	if code, _, _ := post(t, hs, req); code != 200 {
		t.Errorf("after clearing: %d", code)
	}
	// Bad input is refused with the field named.
	for _, tt := range []struct{ query, body, want string }{
		{"", `{"http_500":2}`, "http_500"},
		{"", `{"bogus":1}`, "bogus"},
		{"", `{"stall_for":"soon"}`, "soon"},
		{"?model=nope", `{}`, "nope"},
	} {
		code, b := put(tt.query, tt.body)
		if code < 400 || !strings.Contains(b, tt.want) {
			t.Errorf("PUT%s %s: %d %s", tt.query, tt.body, code, b)
		}
	}
}

// TestAdminLoopbackOnly: a non-loopback client gets 403, and with Admin
// off the path does not exist.
func TestAdminLoopbackOnly(t *testing.T) {
	s := New(fastConfig())
	defer s.Close()
	r := httptest.NewRequest(http.MethodGet, "/admin/faults", nil)
	r.Host = "127.0.0.1:8080"
	r.RemoteAddr = "192.0.2.7:4000"
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("remote client: %d", w.Code)
	}
	for _, addr := range []string{"127.0.0.1:1", "[::1]:1"} {
		r.RemoteAddr = addr
		w = httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Errorf("%s: %d", addr, w.Code)
		}
	}
	cfg := fastConfig()
	cfg.Admin = false
	s2 := New(cfg)
	defer s2.Close()
	r.RemoteAddr = "127.0.0.1:1"
	w = httptest.NewRecorder()
	s2.ServeHTTP(w, r)
	if w.Code != 404 {
		t.Errorf("admin off: %d", w.Code)
	}
}

// TestAdminRefusesBrowsers: what a web page could send without the
// browser asking the server first (a form POST, a text/plain body) and what
// a page on a rebound name sends (its own Host) are refused; so are
// durations over MaxFaultDuration and bodies the parser would pay for.
func TestAdminRefusesBrowsers(t *testing.T) {
	s := New(fastConfig())
	defer s.Close()
	do := func(method, host, ctype, body string) (int, string) {
		r := httptest.NewRequest(method, "/admin/faults", strings.NewReader(body))
		r.RemoteAddr = "127.0.0.1:5000"
		r.Host = host
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	nested := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	for _, tt := range []struct {
		name, method, host, ctype, body string
		code                            int
		says                            string
	}{
		{"form post", "POST", "127.0.0.1:8080", "application/x-www-form-urlencoded", `{"http_500":1}`, 405, "POST is not allowed"},
		{"text/plain post", "POST", "localhost:8080", "text/plain", `{"http_500":1}`, 405, "POST is not allowed"},
		{"text/plain put", "PUT", "localhost:8080", "text/plain", `{"http_500":1}`, 415, "application/json"},
		{"no content type", "PUT", "localhost:8080", "", `{"http_500":1}`, 415, "application/json"},
		{"rebound name", "GET", "attacker.example:8080", "", "", 403, `attacker.example:8080`},
		{"rebound name put", "PUT", "attacker.example", "application/json", `{"http_500":1}`, 403, "loopback"},
		{"stall for ever", "PUT", "[::1]:8080", "application/json", `{"stall":0.1,"stall_for":"1000000h"}`, 400, "stall_for: 1000000h0m0s is longer than the 10m0s"},
		{"YAML aliases", "PUT", "localhost", "application/json", "a: &a [1]\nb: *a\n", 400, "not valid JSON"},
		{"nested JSON", "PUT", "localhost", "application/json", `{"http_500":` + nested + `}`, 400, "nested more than 8 levels"},
		{"json with charset", "PUT", "LOCALHOST.", "application/json; charset=utf-8", `{"http_500":0.5}`, 200, `"http_500": 0.5`},
		{"delete clears", "DELETE", "127.0.0.1", "", "", 200, `"http_500": 0`},
		{"get", "GET", "app.localhost:8080", "", "", 200, "doubao-seed-2.0-mini"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(tt.method, tt.host, tt.ctype, tt.body)
			// the answer's JSON may or may not have a space after ":"
			if code != tt.code || !strings.Contains(strings.ReplaceAll(body, `": `, `":`), strings.ReplaceAll(tt.says, `": `, `":`)) {
				t.Errorf("%d %s, want %d and %q", code, body, tt.code, tt.says)
			}
		})
	}
}

// TestMetrics: after one stream, /metrics reports it.
func TestMetrics(t *testing.T) {
	cfg := fastConfig()
	cfg.TimeScale = 0.001
	_, hs := startServer(t, cfg)
	post(t, hs, `{"model":"doubao-seed-2.0-mini","stream":true,"max_tokens":7,"ignore_eos":true,"messages":[{"role":"user","content":"x"}]}`)
	post(t, hs, `{"model":"nope","messages":[{"role":"user","content":"x"}]}`)
	resp, err := hs.Client().Get(hs.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(b)
	for _, want := range []string{
		`seedbench_mock_requests_total{code="200",model="doubao-seed-2.0-mini"} 1`,
		`seedbench_mock_requests_total{code="404",model="unknown"} 1`,
		`seedbench_mock_tokens_total{kind="completion",model="doubao-seed-2.0-mini"} 7`,
		`seedbench_mock_ttft_seconds_count{model="doubao-seed-2.0-mini"} 1`,
		`seedbench_mock_itl_seconds_count{model="doubao-seed-2.0-mini"} 6`,
		`seedbench_mock_in_flight{model="doubao-seed-2.0-mini"} 0`,
		`seedbench_mock_queue_depth{model="doubao-seed-2.0-mini"} 0`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestCloseEndsOpenStreams: Close returns promptly while streams are open
// (their handlers end), and the server refuses new requests afterwards.
func TestCloseEndsOpenStreams(t *testing.T) {
	cfg := fastConfig()
	cfg.TimeScale = 1 // real time: these streams would run for seconds
	s := New(cfg)
	hs := httptest.NewServer(s)
	defer hs.Close()
	var bodies []io.ReadCloser
	for range 5 {
		resp, err := hs.Client().Post(hs.URL+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"doubao-seed-2.0-pro","stream":true,"messages":[{"role":"user","content":"x"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = bufio.NewReader(resp.Body).ReadString('\n') // the role chunk: the stream is open
		bodies = append(bodies, resp.Body)
	}
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	for _, b := range bodies {
		_, _ = io.Copy(io.Discard, b)
		b.Close()
	}
	code, _, _ := post(t, hs, `{"model":"doubao-seed-2.0-pro","messages":[{"role":"user","content":"x"}]}`)
	if code != 503 {
		t.Errorf("after Close: %d", code)
	}
}
