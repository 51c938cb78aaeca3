package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// events splits an SSE body into its events (separator \n\n).
func events(body string) []string {
	return strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n")
}

// TestStreamFaults injects each mid-stream fault at rate 1 and checks what
// the client sees. The stream has 5 token events; a fault lands before one
// of events 1..5 (5 = after the last).
func TestStreamFaults(t *testing.T) {
	tests := []struct {
		name  string
		f     Faults
		check func(t *testing.T, body string)
	}{
		{"error_event", Faults{ErrorEvent: 1}, func(t *testing.T, body string) {
			ev := events(body)
			last := ev[len(ev)-1]
			if !strings.HasPrefix(last, `data: {"error":{`) {
				t.Fatalf("last event %q is not an error", last)
			}
			var e envelope
			if err := json.Unmarshal([]byte(strings.TrimPrefix(last, "data: ")), &e); err != nil || e.Error.Code == "" {
				t.Errorf("error event %q: %v", last, err)
			}
			if strings.Contains(body, "[DONE]") {
				t.Error("[DONE] after an error event")
			}
		}},
		{"truncate", Faults{Truncate: 1}, func(t *testing.T, body string) {
			if strings.Contains(body, "[DONE]") || strings.Contains(body, `"finish_reason":"`) {
				t.Errorf("truncated stream has an end: %q", body)
			}
			if !strings.Contains(body, `"content":"`) && !strings.Contains(body, `"reasoning_content":"`) {
				t.Error("no token event before the cut")
			}
		}},
		{"stall", Faults{Stall: 1, StallFor: 2 * time.Second}, func(t *testing.T, body string) {
			tr := truthOf(t, body)
			longest := int64(0)
			for i := 1; i < len(tr.EventsUS); i++ {
				longest = max(longest, tr.EventsUS[i]-tr.EventsUS[i-1])
			}
			stalledEnd := tr.EventsUS[len(tr.EventsUS)-1] >= 2_000_000
			// Either one gap is ITL + 2s, or (fault after the last event) none is.
			if longest != 2_010_000 && !(longest == 10_000 && !stalledEnd) {
				t.Errorf("longest gap %dµs, want 2010000 (a 2s stall)", longest)
			}
			if !strings.HasSuffix(body, "data: [DONE]\n\n") {
				t.Error("a stall must not end the stream")
			}
		}},
		{"invalid_json", Faults{InvalidJSON: 1}, func(t *testing.T, body string) {
			bad := 0
			for _, ev := range events(body) {
				d := strings.TrimPrefix(ev, "data: ")
				if d != "[DONE]" && !json.Valid([]byte(d)) {
					bad++
				}
			}
			if bad != 1 {
				t.Errorf("%d invalid events, want 1", bad)
			}
		}},
		{"keep_alive_only", Faults{KeepAliveOnly: 1, KeepAliveFor: time.Second, KeepAliveEvery: 100 * time.Millisecond}, func(t *testing.T, body string) {
			if n := strings.Count(body, ": keep-alive\n\n"); n != 9 {
				t.Errorf("%d keep-alive comments, want 9 (every 100ms in 1s)", n)
			}
			if !strings.HasSuffix(body, "data: [DONE]\n\n") {
				t.Error("stream did not resume")
			}
		}},
		{"crlf", Faults{CRLF: 1}, func(t *testing.T, body string) {
			if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
				t.Error("a line ends with a bare \\n")
			}
			if !strings.HasSuffix(body, "data: [DONE]\r\n\r\n") {
				t.Errorf("end %q", body[len(body)-20:])
			}
		}},
		{"big_event", Faults{BigEvent: 1}, func(t *testing.T, body string) {
			big := 0
			for _, ev := range events(body) {
				if len(ev) >= 1<<20 {
					big++
					var c struct {
						Choices []struct {
							Delta map[string]string `json:"delta"`
						} `json:"choices"`
					}
					if err := json.Unmarshal([]byte(strings.TrimPrefix(ev, "data: ")), &c); err != nil || len(c.Choices) != 1 {
						t.Errorf("big event does not parse: %v", err)
					}
				}
			}
			if big != 1 {
				t.Errorf("%d events of 1 MiB, want 1", big)
			}
		}},
		{"no_usage", Faults{NoUsage: 1}, func(t *testing.T, body string) {
			if strings.Contains(body, `"usage":{`) || strings.Contains(body, "seedbench_truth") {
				t.Error("a usage chunk was sent")
			}
			if !strings.Contains(body, `"finish_reason":"length"`) || !strings.HasSuffix(body, "data: [DONE]\n\n") {
				t.Error("the stream is not otherwise complete")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := exactProfile()
			p.Faults = tt.f
			for seed := uint64(1); seed <= 3; seed++ { // three placements
				cfg := exactConfig(p)
				cfg.Seed = seed
				rec := serveFake(t, cfg, exactBody)
				if rec.Code != 200 {
					t.Fatalf("status %d", rec.Code)
				}
				tt.check(t, rec.Body.String())
			}
		})
	}
}

// TestSlowHeaders: the headers (and so every event) come SlowHeadersFor
// late.
func TestSlowHeaders(t *testing.T) {
	p := exactProfile()
	p.Faults = Faults{SlowHeaders: 1, SlowHeadersFor: 3 * time.Second}
	tr := truthOf(t, serveFake(t, exactConfig(p), exactBody).Body.String())
	if tr.HeadersUS != 3_000_000 || tr.TTFTUS != 3_109_000 {
		t.Errorf("headers %dµs ttft %dµs, want 3000000 and 3109000", tr.HeadersUS, tr.TTFTUS)
	}
}

// TestStatusFaults checks the faults that replace the response, over a
// real loopback connection.
func TestStatusFaults(t *testing.T) {
	tests := []struct {
		name   string
		f      Faults
		status int // 0: connection reset, no response
	}{
		{"429", Faults{HTTP429: 1}, 429},
		{"429 without Retry-After", Faults{HTTP429NoRetryAfter: 1}, 429},
		{"500", Faults{HTTP500: 1}, 500},
		{"503", Faults{HTTP503: 1}, 503},
		{"reset", Faults{ResetBeforeHeaders: 1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := exactProfile()
			p.Faults = tt.f
			cfg := exactConfig(p)
			cfg.TimeScale = 0
			_, hs := startServer(t, cfg)
			resp, err := hs.Client().Post(hs.URL+"/v1/chat/completions", "application/json", strings.NewReader(exactBody))
			if tt.status == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got a response (%d), want a reset", resp.StatusCode)
				}
				if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "EOF") {
					t.Errorf("error %v, want EOF or reset", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			decodeEnvelope(t, b.String())
			if want := tt.f.HTTP429 > 0; tt.status == 429 && (resp.Header.Get("Retry-After") != "") != want {
				t.Errorf("Retry-After %q, want one: %v", resp.Header.Get("Retry-After"), want)
			}
		})
	}
}

// TestFaultRateIsSeeded: at rate 0.3 about 30% of 400 requests fail, and
// the same seed fails the same request numbers.
func TestFaultRateIsSeeded(t *testing.T) {
	p := exactProfile()
	p.Faults = Faults{HTTP500: 0.3}
	failures := func(seed uint64) []int {
		cfg := exactConfig(p)
		cfg.Seed = seed
		s := New(cfg)
		defer s.Close()
		var failed []int
		for n := range 400 {
			q := userRequest("hi")
			pl, _ := makePlan(q, &p, measurePrompt(q, &p), requestSeed(cfg.Seed, uint64(n)), *s.models["m"].faults.Load())
			if pl.fault == fault500 {
				failed = append(failed, n)
			}
		}
		return failed
	}
	a, b, c := failures(5), failures(5), failures(6)
	if len(a) < 90 || len(a) > 150 {
		t.Errorf("%d of 400 failed at rate 0.3", len(a))
	}
	if len(a) != len(b) || a[0] != b[0] || a[len(a)-1] != b[len(b)-1] {
		t.Error("same seed, different failures")
	}
	if len(a) == len(c) && a[0] == c[0] && a[1] == c[1] {
		t.Error("another seed, same failures")
	}
}

// TestResetMidStream: the stream starts (headers, at least one token
// event), then the connection is reset: the client's read fails with an
// error, never a clean end of the body; the server stays up.
func TestResetMidStream(t *testing.T) {
	for _, stream := range []bool{true, false} {
		p := exactProfile()
		p.Faults = Faults{ResetMidStream: 1}
		cfg := exactConfig(p)
		cfg.TimeScale = 0.01
		_, hs := startServer(t, cfg)
		body := exactBody
		if !stream {
			body = `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
		}
		resp, err := hs.Client().Post(hs.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("stream %v: the reset came before the headers: %v", stream, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || err == nil {
			t.Fatalf("stream %v: status %d, read error %v after %q; want 200 and an error", stream, resp.StatusCode, err, got)
		}
		if strings.Contains(string(got), "[DONE]") {
			t.Errorf("stream %v: [DONE] before the reset", stream)
		}
		// The server carries on.
		if code, _, _ := post(t, hs, `{"model":"nope","messages":[{"role":"user","content":"x"}]}`); code != 404 {
			t.Errorf("after a reset: status %d, want 404", code)
		}
	}
}
