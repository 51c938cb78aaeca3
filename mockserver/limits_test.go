package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

type envelope struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    string  `json:"code"`
	} `json:"error"`
}

func decodeEnvelope(t *testing.T, body string) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" || e.Error.Type == "" {
		t.Fatalf("not an OpenAI error envelope: %q (%v)", body, err)
	}
	return e
}

func TestHTTPErrors(t *testing.T) {
	cfg := fastConfig()
	cfg.APIKey = "sk-test-secret"
	_, hs := startServer(t, cfg)
	auth := []string{"Authorization", "Bearer sk-test-secret"}
	tests := []struct {
		name   string
		body   string
		hdr    []string
		status int
		code   string
	}{
		// No or wrong key: 401, and the key is never echoed.
		{"no key", `{"model":"doubao-seed-2.0-pro","messages":[{"role":"user","content":"x"}]}`, nil, 401, "invalid_api_key"},
		{"wrong key", `{"model":"doubao-seed-2.0-pro","messages":[{"role":"user","content":"x"}]}`, []string{"Authorization", "Bearer sk-nope"}, 401, "invalid_api_key"},
		{"unknown model", `{"model":"gpt-5","messages":[{"role":"user","content":"x"}]}`, auth, 404, "model_not_found"},
		{"malformed", `{"model":`, auth, 400, "invalid_value"},
		{"missing messages", `{"model":"doubao-seed-2.0-pro"}`, auth, 400, "missing_required_parameter"},
		{"max_tokens over cap", `{"model":"doubao-seed-2.0-pro","max_tokens":200000,"messages":[{"role":"user","content":"x"}]}`, auth, 400, "invalid_value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := post(t, hs, tt.body, tt.hdr...)
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, body)
			}
			if e := decodeEnvelope(t, body); e.Error.Code != tt.code {
				t.Errorf("code %q, want %q", e.Error.Code, tt.code)
			}
			if strings.Contains(body, "sk-") {
				t.Errorf("error echoes a key: %s", body)
			}
		})
	}
}

// TestContextWindowExceeded sends a prompt of more than 256K tokens.
func TestContextWindowExceeded(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	prompt := strings.Repeat(" token", 262_144) // one token each, plus template overhead
	body := `{"model":"doubao-seed-2.0-mini","messages":[{"role":"user","content":"` + prompt + `"}]}`
	code, _, resp := post(t, hs, body)
	if code != 400 {
		t.Fatalf("status %d: %s", code, resp[:min(len(resp), 200)])
	}
	e := decodeEnvelope(t, resp)
	if e.Error.Code != "context_length_exceeded" || !strings.Contains(e.Error.Message, "262144") {
		t.Errorf("%+v", e.Error)
	}
}

// bodyGen is an endless-looking JSON body of n bytes generated on the fly,
// so the client side holds none of it.
type bodyGen struct {
	n, off int64
	read   *atomic.Int64
}

const bodyHead = `{"model":"doubao-seed-2.0-mini","messages":[{"role":"user","content":"`

func (g *bodyGen) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	k := int64(len(p))
	if rem := g.n - g.off; k > rem {
		k = rem
	}
	for i := range k {
		pos := g.off + i
		switch {
		case pos < int64(len(bodyHead)):
			p[i] = bodyHead[pos]
		default:
			p[i] = 'a'
		}
	}
	g.off += k
	g.read.Add(k)
	return int(k), nil
}

// TestBodyTooLarge: a 100 MiB body gets 413, whether its length is declared
// (refused before reading) or not (cut off at the limit), and the server's
// allocations stay far below the body size.
func TestBodyTooLarge(t *testing.T) {
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprintf("declared=%v", declared), func(t *testing.T) {
			cfg := fastConfig()
			cfg.MaxBodyBytes = 1 << 20
			_, hs := startServer(t, cfg)
			const size = 100 << 20
			var read atomic.Int64
			req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/chat/completions", &bodyGen{n: size, read: &read})
			if declared {
				req.ContentLength = size
			} else {
				req.ContentLength = -1
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			resp, err := hs.Client().Do(req)
			if err != nil {
				t.Fatalf("POST: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			runtime.ReadMemStats(&after)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			if e := decodeEnvelope(t, string(b)); e.Error.Code != "request_too_large" {
				t.Errorf("code %q", e.Error.Code)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("client sent %d MiB, process allocated %d MiB", read.Load()>>20, alloc>>20)
			if alloc > 16<<20 {
				t.Errorf("allocated %d MiB for a 100 MiB body over a 1 MiB limit", alloc>>20)
			}
			if read.Load() >= size {
				t.Errorf("the whole body was sent")
			}
		})
	}
}

func TestRateLimits(t *testing.T) {
	tests := []struct {
		name    string
		rpm     int
		tpm     int
		passing int // requests that get through before the 429
		code    string
	}{
		// RPM 3: the fourth request in a burst is refused.
		{"rpm", 3, 0, 3, "RateLimitExceeded.EndpointRPMExceeded"},
		// TPM 250: each request costs its prompt (~10) + max_tokens 100.
		{"tpm", 0, 250, 2, "RateLimitExceeded.EndpointTPMExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fastConfig()
			cfg.TimeScale = 0
			p := cfg.Models["doubao-seed-2.0-mini"]
			p.RPM, p.TPM = tt.rpm, tt.tpm
			cfg.Models["doubao-seed-2.0-mini"] = p
			_, hs := startServer(t, cfg)
			body := `{"model":"doubao-seed-2.0-mini","max_tokens":100,"messages":[{"role":"user","content":"hello"}]}`
			for i := range tt.passing {
				if code, _, b := post(t, hs, body); code != 200 {
					t.Fatalf("request %d: %d %s", i, code, b)
				}
			}
			code, hdr, b := post(t, hs, body)
			if code != 429 {
				t.Fatalf("status %d: %s", code, b)
			}
			if e := decodeEnvelope(t, b); e.Error.Code != tt.code {
				t.Errorf("code %q, want %q", e.Error.Code, tt.code)
			}
			if ra := hdr.Get("Retry-After"); ra == "" || ra == "0" {
				t.Errorf("Retry-After %q", ra)
			}
		})
	}
}

// TestQueue: with one slot and a queue of one, the second request waits
// for the whole of the first (its wait is part of its TTFT) and the third
// is refused at once. Fake time makes every figure exact.
func TestQueue(t *testing.T) {
	p := exactProfile()
	p.MaxInFlight, p.MaxQueue = 1, 1
	cfg := exactConfig(p)
	synctest.Test(t, func(t *testing.T) {
		s := New(cfg)
		defer s.Close()
		serve := func() *httptest.ResponseRecorder {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(exactBody)))
			return w
		}
		var first, second *httptest.ResponseRecorder
		var wg sync.WaitGroup
		wg.Go(func() { first = serve() })
		synctest.Wait() // the first holds the slot, waiting for its prefill
		wg.Go(func() { second = serve() })
		synctest.Wait() // the second is queued
		if q := s.models["m"].queued.Load(); q != 1 {
			t.Fatalf("queued %d", q)
		}
		third := serve()
		if third.Code != 429 || decodeEnvelope(t, third.Body.String()).Error.Code != "ServerOverloaded" {
			t.Fatalf("third request: %d %s", third.Code, third.Body.String())
		}
		wg.Wait()
		t1, t2 := truthOf(t, first.Body.String()), truthOf(t, second.Body.String())
		// First: 109ms prefill, 5 events 10ms apart, ends at 149ms.
		if t1.HeadersUS != 0 || t1.EventsUS[4] != 149_000 {
			t.Errorf("first: %+v", t1)
		}
		// Second: queued until 149ms, then its own 109ms prefill.
		if t2.HeadersUS != 149_000 || t2.TTFTUS != 258_000 {
			t.Errorf("second: headers %dµs ttft %dµs, want 149000 and 258000", t2.HeadersUS, t2.TTFTUS)
		}
	})
}

type truth struct {
	HeadersUS int64   `json:"headers_us"`
	TTFTUS    int64   `json:"ttft_us"`
	EventsUS  []int64 `json:"events_us"`
}

// truthOf extracts seedbench_truth from a stream body's usage chunk.
func truthOf(t *testing.T, body string) truth {
	t.Helper()
	for _, ev := range strings.Split(body, "\n\n") {
		data, ok := strings.CutPrefix(ev, "data: ")
		if !ok || !strings.Contains(data, "seedbench_truth") {
			continue
		}
		var c struct {
			Truth truth `json:"seedbench_truth"`
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			t.Fatal(err)
		}
		return c.Truth
	}
	t.Fatalf("no seedbench_truth in %q", body[max(0, len(body)-300):])
	return truth{}
}
