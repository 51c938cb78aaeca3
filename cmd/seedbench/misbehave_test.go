package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// misbehavingServer is this test's own OpenAI-compatible server (not the
// mock): the first path element picks how it misbehaves, so one server
// serves every case of TestMisbehavingServers. elsewhere is a second server
// that must never be reached (the redirect case points at it).
func misbehavingServer(t *testing.T, elsewhere string) string {
	t.Helper()
	const (
		role    = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
		token   = "data: {\"choices\":[{\"delta\":{\"content\":\"hello\"}}]}\n\n"
		think   = "data: {\"choices\":[{\"delta\":{\"content\":\"\",\"reasoning\":\"let me see\"}}]}\n\n"
		finish  = "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
		usage   = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":4}}\n\n"
		done    = "data: [DONE]\n\n"
		ordered = role + think + think + token + finish + usage + done
	)
	write := func(w http.ResponseWriter, ct, body string) {
		w.Header().Set("Content-Type", ct)
		fmt.Fprint(w, body)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		behaviour, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		switch behaviour {
		case "reasoning":
			write(w, "text/event-stream", ordered)
		case "error-event":
			write(w, "text/event-stream", role+token+"event: error\ndata: {\"message\": \"upstream overloaded\"}\n\n"+token+done)
		case "lone-cr":
			write(w, "text/event-stream", strings.ReplaceAll(ordered, "\n", "\r"))
		case "html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><head><title>Proxy error</title></head></html>")
		case "gzip":
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			fmt.Fprint(zw, ordered)
			_ = zw.Close()
		case "brotli":
			w.Header().Set("Content-Encoding", "br")
			write(w, "text/event-stream", "\x0b\x02\x80")
		case "early-hints":
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			write(w, "text/event-stream", ordered)
		case "done-only":
			write(w, "text/event-stream", done)
		case "truncated":
			write(w, "text/event-stream", role+token)
		case "huge-usage":
			write(w, "text/event-stream", role+token+finish+"data: {\"usage\":{\"prompt_tokens\":9000000000000000000,\"completion_tokens\":4}}\n\n"+done)
		case "redirect":
			http.Redirect(w, r, elsewhere+"/v1/chat/completions", http.StatusTemporaryRedirect)
		default: // a status: /401/, /404/, …
			var code int
			fmt.Sscan(behaviour, &code)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"error":{"code":"code_%d","message":"status %d from the test server"}}`, code, code)
		}
	}))
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
	})
	return hs.URL
}

// TestMisbehavingServers runs seedbench against each misbehaviour and
// checks every request's record: one per request, its class and message.
func TestMisbehavingServers(t *testing.T) {
	if testing.Short() {
		t.Skip("a run per misbehaviour")
	}
	var reached atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer other.Close()
	base := misbehavingServer(t, other.URL)
	scenario := writeScenario(t, keyScenario)
	t.Setenv("SEEDBENCH_TEST_HEADER_SECRET", "hdr-misbehave-secret")
	t.Setenv("SEEDBENCH_TEST_SENTINEL", "sk-misbehave-key")
	for _, tc := range []struct {
		behaviour, class, msg string
		check                 func(t *testing.T, r map[string]any)
	}{
		{"reasoning", "", "", func(t *testing.T, r map[string]any) {
			// two thinking events and the answer, all token-bearing (they
			// arrive in one write, so they share a stamp)
			if ev, _ := r["events_us"].([]any); r["reasoning_chars"] != 20.0 || len(ev) != 3 {
				t.Errorf("reasoning %v chars, events %v", r["reasoning_chars"], r["events_us"])
			}
		}},
		{"error-event", "stream_error", "error event: upstream overloaded", nil},
		{"lone-cr", "", "", nil},
		{"html", "bad_content_type", `got "text/html; charset=utf-8"; the body begins: <html><head><title>Proxy error`, nil},
		{"gzip", "", "", func(t *testing.T, r map[string]any) {
			if r["content_encoding"] != "gzip" {
				t.Errorf("content_encoding %v", r["content_encoding"])
			}
		}},
		{"brotli", "bad_content_type", `encoded with "br"`, nil},
		{"early-hints", "", "", nil},
		{"done-only", "empty_response", "without a token or a finish_reason", nil},
		{"truncated", "stream_truncated", "without data: [DONE]", nil},
		{"huge-usage", "", "", func(t *testing.T, r map[string]any) {
			if s, _ := r["usage_invalid"].(string); !strings.Contains(s, "prompt_tokens 9000000000000000000 is over") {
				t.Errorf("usage_invalid %q", s)
			}
		}},
		{"redirect", "http_3xx", "HTTP 307 redirect, not followed, to " + other.URL, nil},
		{"401", "auth", "HTTP 401: code_401: status 401 from the test server", nil},
		{"403", "auth", "HTTP 403", nil},
		{"404", "not_found", "HTTP 404", nil},
		{"400", "bad_request", "HTTP 400", nil},
		{"422", "bad_request", "HTTP 422", nil},
		{"413", "too_large", "HTTP 413", nil},
		{"429", "http_429", "HTTP 429", nil},
		{"503", "http_5xx", "HTTP 503: code_503", nil},
		{"tls", "tls", "HTTPS client", nil},
	} {
		t.Run(tc.behaviour, func(t *testing.T) {
			target := base + "/" + tc.behaviour + "/v1"
			if tc.behaviour == "tls" {
				target = strings.Replace(base, "http://", "https://", 1) + "/v1"
			}
			dir := filepath.Join(t.TempDir(), "run")
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), []string{"seedbench", "run", "--no-plots", "--quiet", "--no-preflight", "--target", target, "--out", dir,
				"--max-lag", "1m", "--api-key-env", "SEEDBENCH_TEST_SENTINEL", scenario}, &stdout, &stderr)
			if code == exitUsage {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			recs := readRecords(t, filepath.Join(dir, "results.jsonl"))["result"]
			if len(recs) != 5 {
				t.Fatalf("%d records, want one per request (5)", len(recs))
			}
			for _, r := range recs {
				class, _ := r["error_class"].(string)
				msg, _ := r["error"].(string)
				if class != tc.class || !strings.Contains(msg, tc.msg) {
					t.Errorf("k=%v: class %q message %q; want %q containing %q", r["k"], class, msg, tc.class, tc.msg)
				}
				if tc.class != "" && r["error_code"] == nil && strings.HasPrefix(tc.msg, "HTTP 4") {
					t.Errorf("k=%v: no error_code", r["k"])
				}
				if tc.check != nil {
					tc.check(t, r)
				}
			}
		})
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the redirect's target received %d requests", n)
	}
}
