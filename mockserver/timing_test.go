package mockserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// exactProfile has no jitter and no load effect, so with fake time every
// event time is known to the microsecond.
func exactProfile() Profile {
	p := DefaultProfiles()["doubao-seed-2.0-mini"]
	p.TTFTBase = 100 * time.Millisecond
	p.PrefillPerToken = time.Millisecond
	p.ITL = 10 * time.Millisecond
	p.ITLSpread = 0
	p.LoadFactor = 0
	p.PrefixCache = CacheConfig{}
	return p
}

func exactConfig(p Profile) Config {
	cfg := DefaultConfig()
	cfg.Models = map[string]Profile{"m": p}
	cfg.Truth = true
	return cfg
}

// serveFake runs one request through the handler inside a synctest bubble:
// time is fake, so waits take no real time and timings are exact.
func serveFake(t *testing.T, cfg Config, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rec *httptest.ResponseRecorder
	synctest.Test(t, func(t *testing.T) {
		s := New(cfg)
		defer s.Close()
		rec = httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body)))
	})
	return rec
}

const exactBody = `{"model":"m","stream":true,"stream_options":{"include_usage":true},"max_tokens":5,"ignore_eos":true,` +
	`"messages":[{"role":"user","content":"hello world"}]}`

// TestStreamScheduleExact: TTFT = TTFTBase + PrefillPerToken·prompt and the
// events follow at exactly ITL with no jitter. The prompt is "hello world"
// (2 tokens) + 4 per message + 3 per request = 9 tokens.
func TestStreamScheduleExact(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(p *Profile)
		events []int64 // µs
	}{
		// 100ms + 9·1ms = 109ms, then +10ms per token.
		{"one token per event", func(*Profile) {}, []int64{109000, 119000, 129000, 139000, 149000}},
		// Three tokens per event: the gap is 3·ITL; events are 3 + 2 tokens.
		{"three per event", func(p *Profile) { p.TokensPerEvent = 3 }, []int64{109000, 139000}},
		// Time scale 0.5 halves everything.
		{"half time", func(p *Profile) {}, []int64{54500, 59500, 64500, 69500, 74500}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := exactProfile()
			tt.edit(&p)
			cfg := exactConfig(p)
			if tt.name == "half time" {
				cfg.TimeScale = 0.5
			}
			rec := serveFake(t, cfg, exactBody)
			tr := truthOf(t, rec.Body.String())
			if tr.HeadersUS != 0 {
				t.Errorf("headers at %dµs, want 0 (no queue)", tr.HeadersUS)
			}
			if !equalInts(tr.EventsUS, tt.events) || tr.TTFTUS != tt.events[0] {
				t.Errorf("events %v ttft %d, want %v", tr.EventsUS, tr.TTFTUS, tt.events)
			}
		})
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestKeepAliveComments: with keep_alive 30ms, the 109ms prefill silence
// carries three comments (at 30, 60, 90ms) and the 10ms gaps none.
func TestKeepAliveComments(t *testing.T) {
	p := exactProfile()
	p.KeepAlive = 30 * time.Millisecond
	rec := serveFake(t, exactConfig(p), exactBody)
	body := rec.Body.String()
	if n := strings.Count(body, ": keep-alive\n\n"); n != 3 {
		t.Errorf("%d keep-alive comments, want 3", n)
	}
	if tr := truthOf(t, body); tr.TTFTUS != 109000 {
		t.Errorf("keep-alives moved the first token to %dµs", tr.TTFTUS)
	}
}

// TestJitterBounds: with the default spread the gaps vary but stay within
// the lognormal's ±4σ band around ITL, and the same seed repeats them.
func TestJitterBounds(t *testing.T) {
	p := exactProfile()
	p.ITLSpread = 0.25
	body := strings.Replace(exactBody, `"max_tokens":5`, `"max_tokens":200`, 1)
	a := truthOf(t, serveFake(t, exactConfig(p), body).Body.String())
	b := truthOf(t, serveFake(t, exactConfig(p), body).Body.String())
	if !equalInts(a.EventsUS, b.EventsUS) {
		t.Fatal("same seed, different timings")
	}
	if a.TTFTUS != 109000 {
		t.Errorf("ttft %d: prefill has no jitter", a.TTFTUS)
	}
	distinct := map[int64]bool{}
	for i := 1; i < len(a.EventsUS); i++ {
		g := a.EventsUS[i] - a.EventsUS[i-1]
		distinct[g] = true
		if g < 3600 || g > 27000 { // 10ms·exp(±4·0.25 − 0.03125)
			t.Errorf("gap %dµs outside the jitter band", g)
		}
	}
	if len(distinct) < 50 {
		t.Errorf("only %d distinct gaps in 199: no jitter?", len(distinct))
	}
}

// TestNonStreamTiming: the body arrives when the whole generation would
// have ended, as the last token of the stream: 109ms + 4·10ms = 149ms.
func TestNonStreamTiming(t *testing.T) {
	body := strings.Replace(strings.Replace(exactBody, `"stream":true,"stream_options":{"include_usage":true},`, "", 1), "", "", 1)
	rec := serveFake(t, exactConfig(exactProfile()), body)
	var resp struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
		Truth struct {
			ResponseUS int64 `json:"response_us"`
		} `json:"seedbench_truth"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("%v: %s", err, rec.Body.String())
	}
	if resp.Truth.ResponseUS != 149000 {
		t.Errorf("response at %dµs, want 149000", resp.Truth.ResponseUS)
	}
	if resp.Usage.CompletionTokens != 5 || countTokens(resp.Choices[0].Message.Content) != 5 || resp.Choices[0].FinishReason != "length" {
		t.Errorf("%+v", resp)
	}
}
