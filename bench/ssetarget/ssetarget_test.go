package ssetarget

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
)

func start(t testing.TB, cfg Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := Start(ln, cfg)
	t.Cleanup(func() { s.Close() })
	return "http://" + s.Addr().String() + "/v1/chat/completions"
}

// TestAnswers: every request on a kept-alive connection gets the whole
// stream, whatever the write mode, and the second reuses the connection.
func TestAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"one write", Config{Events: 1}},
		{"per event", Config{Events: 5, PerEventWrite: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := start(t, tc.cfg)
			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			for i := range 3 {
				var reused bool
				ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{GotConn: func(c httptrace.GotConnInfo) { reused = c.Reused }})
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"model":"m","stream":true}`))
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
					t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				if got := bytes.Count(body, []byte(`"content":`)); got != tc.cfg.Events {
					t.Errorf("%d content events, want %d", got, tc.cfg.Events)
				}
				if !bytes.HasSuffix(body, []byte("data: [DONE]\n\n")) || !bytes.Contains(body, []byte(`"finish_reason":"stop"`)) {
					t.Errorf("body does not end with a finish chunk and [DONE]:\n%s", body)
				}
				if i > 0 && !reused {
					t.Errorf("request %d did not reuse the connection", i)
				}
			}
		})
	}
}

// TestRejectsChunked: a chunked request body ends the connection instead of
// being misread as the next request.
func TestRejectsChunked(t *testing.T) {
	url := start(t, Config{Events: 1})
	req, _ := http.NewRequest(http.MethodPost, url, io.MultiReader(strings.NewReader("{}")))
	req.TransferEncoding = []string{"chunked"}
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a chunked request got %d, want the connection closed", resp.StatusCode)
	}
}

// BenchmarkStreamFlushPerEventLoopback is the baseline for mockserver's
// benchmark of the same name: a 4,096-event stream, one write per event,
// over loopback into the same kind of client (net/http, read and
// discarded) in the same process. tok/s here is what the cheapest server
// does on this machine; the mock's figure over this one is its ratio.
func BenchmarkStreamFlushPerEventLoopback(b *testing.B) {
	const events = 4096
	url := start(b, Config{Events: events, PerEventWrite: true})
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Post(url, "application/json", strings.NewReader(`{"model":"doubao-seed-2.0-mini","stream":true}`))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N)*events/b.Elapsed().Seconds(), "tok/s")
}
