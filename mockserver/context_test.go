package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// postTo sends body to path and returns status and body.
func postTo(t *testing.T, url, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// words is a system prompt of about n mock tokens (one per word).
func words(n int) string { return strings.TrimSpace(strings.Repeat("cache ", n)) }

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestContextCreateRefuses: what context/create refuses, as the service
// does: a prefix under the minimum, a TTL outside [3600, 604800] s, a
// session cache (the mock keeps prefixes only), an unknown model.
func TestContextCreateRefuses(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	msg := func(n int) string { return `[{"role":"system","content":"` + words(n) + `"}]` }
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		// 500 words are about 500 tokens: below the minimum.
		{"short prefix", `{"model":"doubao-seed-2.0-lite","mode":"common_prefix","messages":` + msg(500) + `}`, 400, "needs at least 1024"},
		{"ttl below an hour", `{"model":"doubao-seed-2.0-lite","mode":"common_prefix","ttl":3599,"messages":` + msg(2000) + `}`, 400, "ttl 3599 is out of range"},
		{"ttl above a week", `{"model":"doubao-seed-2.0-lite","mode":"common_prefix","ttl":604801,"messages":` + msg(2000) + `}`, 400, "out of range"},
		{"session", `{"model":"doubao-seed-2.0-lite","mode":"session","messages":` + msg(2000) + `}`, 400, "session"},
		{"no mode is session", `{"model":"doubao-seed-2.0-lite","messages":` + msg(2000) + `}`, 400, "session"},
		{"unknown model", `{"model":"gpt-x","mode":"common_prefix","messages":` + msg(2000) + `}`, 404, "gpt-x"},
		{"no messages", `{"model":"doubao-seed-2.0-lite","mode":"common_prefix"}`, 400, "messages"},
	} {
		status, body := postTo(t, hs.URL, "/v1/context/create", tc.body)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want %d with %q", tc.name, status, body, tc.status, tc.want)
		}
	}
}

// TestContextStoreBounded: past maxContexts a create is refused, so a
// client creating contexts without end cannot grow the mock's memory.
func TestContextStoreBounded(t *testing.T) {
	s, hs := startServer(t, fastConfig())
	body := `{"model":"doubao-seed-2.0-lite","mode":"common_prefix","messages":[{"role":"system","content":"` + words(2000) + `"}]}`
	if status, b := postTo(t, hs.URL, "/v1/context/create", body); status != 200 {
		t.Fatalf("create: %d %s", status, b)
	}
	s.contexts.mu.Lock()
	for i := len(s.contexts.byID); i < maxContexts; i++ {
		s.contexts.byID[strconv.Itoa(i)] = &cachedContext{}
	}
	s.contexts.mu.Unlock()
	if status, b := postTo(t, hs.URL, "/v1/context/create", body); status != 400 || !strings.Contains(b, "at most 100000 contexts") {
		t.Fatalf("create past the bound: %d %s", status, b)
	}
}

// TestContextLifecycle: create, chat with the context (its tokens in the
// prompt, all cached), the TTL restarted by each use, expiry, and storage
// metered in token-hours until then.
func TestContextLifecycle(t *testing.T) {
	for _, flavor := range []string{FlavorOpenAI, FlavorArk} {
		t.Run(flavor, func(t *testing.T) {
			cfg := fastConfig()
			cfg.Flavor = flavor
			cfg.Admin = true
			s, hs := startServer(t, cfg)
			clk := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
			s.contexts.now = clk.now
			// Both flavours serve the Context API under Ark's root.
			status, body := postTo(t, hs.URL, "/api/v3/context/create",
				`{"model":"doubao-seed-2.0-lite","mode":"common_prefix","ttl":3600,"messages":[{"role":"system","content":"`+words(2000)+`"}]}`)
			if status != 200 {
				t.Fatalf("create: %d %s", status, body)
			}
			var created struct {
				ID    string `json:"id"`
				Mode  string `json:"mode"`
				TTL   int    `json:"ttl"`
				Usage struct {
					PromptTokens int `json:"prompt_tokens"`
				} `json:"usage"`
			}
			if err := json.Unmarshal([]byte(body), &created); err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`^ctx-20260301100000-[0-9a-z]{5}$`).MatchString(created.ID) || created.Mode != "common_prefix" || created.TTL != 3600 {
				t.Fatalf("create answered %s", body)
			}
			n := created.Usage.PromptTokens
			if n < 2000 || n > 2010 {
				t.Fatalf("context of %d tokens for 2,000 words", n)
			}

			chat := func(id string) (int, string) {
				return postTo(t, hs.URL, "/api/v3/context/chat/completions",
					`{"model":"doubao-seed-2.0-lite","context_id":"`+id+`","max_tokens":5,"messages":[{"role":"user","content":"tell me"}]}`)
			}
			clk.add(10 * time.Minute)
			status, body = chat(created.ID)
			if status != 200 {
				t.Fatalf("chat: %d %s", status, body)
			}
			var resp struct {
				Usage struct {
					PromptTokens int `json:"prompt_tokens"`
					Details      struct {
						Cached int `json:"cached_tokens"`
					} `json:"prompt_tokens_details"`
				} `json:"usage"`
			}
			if err := json.Unmarshal([]byte(body), &resp); err != nil {
				t.Fatal(err)
			}
			// "tell me" is two tokens plus the template's 4 + 3.
			if resp.Usage.Details.Cached != n || resp.Usage.PromptTokens != n+9 {
				t.Errorf("chat usage: prompt %d cached %d, want %d and %d", resp.Usage.PromptTokens, resp.Usage.Details.Cached, n+9, n)
			}

			clk.add(20 * time.Minute) // 30 min after creation, 20 after the last use
			list := s.Contexts()
			if len(list) != 1 || list[0].Uses != 1 || list[0].Expired {
				t.Fatalf("contexts: %+v", list)
			}
			if got, want := list[0].TokenHours, float64(n)*0.5; math.Abs(got-want) > 1e-9 {
				t.Errorf("token-hours so far %g, want %g", got, want)
			}
			// Left alone it expires an hour after its last use: 70 minutes stored.
			if got, want := list[0].AtExpiry, float64(n)*70/60; math.Abs(got-want) > 1e-9 {
				t.Errorf("token-hours at expiry %g, want %g", got, want)
			}
			resp2, err := http.Get(hs.URL + "/admin/contexts")
			if err != nil {
				t.Fatal(err)
			}
			var admin struct {
				Contexts   []ContextUsage `json:"contexts"`
				TokenHours float64        `json:"token_hours"`
			}
			err = json.NewDecoder(resp2.Body).Decode(&admin)
			resp2.Body.Close()
			if err != nil || len(admin.Contexts) != 1 || math.Abs(admin.TokenHours-float64(n)*0.5) > 1e-9 {
				t.Errorf("GET /admin/contexts: %v %+v", err, admin)
			}

			clk.add(41 * time.Minute) // past the TTL since the last use
			if status, body = chat(created.ID); status != 404 || !strings.Contains(body, "expired") {
				t.Errorf("chat after expiry: %d %s", status, body)
			}
			if status, body = chat("ctx-nope"); status != 404 {
				t.Errorf("chat with an unknown context: %d %s", status, body)
			}
			list = s.Contexts()
			if !list[0].Expired || math.Abs(list[0].TokenHours-float64(n)*70/60) > 1e-9 {
				t.Errorf("expired context: %+v", list[0])
			}
		})
	}
}

// TestImplicitCacheMinimum: the implicit prefix cache serves no prefix
// shorter than min_tokens, as a hosted cache does; a longer repeat is
// served from cache.
func TestImplicitCacheMinimum(t *testing.T) {
	_, hs := startServer(t, fastConfig())
	for _, tc := range []struct {
		words      int
		wantCached bool
	}{{600, false}, {1500, true}} {
		body := fmt.Sprintf(`{"model":"doubao-seed-2.0-lite","max_tokens":5,"messages":[{"role":"system","content":%q},{"role":"user","content":"hi"}]}`, words(tc.words))
		var cached int
		for range 2 {
			status, _, out := post(t, hs, body)
			if status != 200 {
				t.Fatalf("%d %s", status, out)
			}
			var resp struct {
				Usage struct {
					Details struct {
						Cached int `json:"cached_tokens"`
					} `json:"prompt_tokens_details"`
				} `json:"usage"`
			}
			if err := json.Unmarshal([]byte(out), &resp); err != nil {
				t.Fatal(err)
			}
			cached = resp.Usage.Details.Cached
		}
		if (cached > 0) != tc.wantCached || tc.wantCached && cached < 1024 {
			t.Errorf("%d-word prefix repeated: %d cached tokens, want cached: %v", tc.words, cached, tc.wantCached)
		}
	}
}

// FuzzContextCreate: any create body gets a context (200) or an error
// response with a 4xx status in the envelope; never a panic.
func FuzzContextCreate(f *testing.F) {
	f.Add(`{"model":"doubao-seed-2.0-lite","mode":"common_prefix","ttl":3600,"messages":[{"role":"system","content":"` + words(1100) + `"}]}`)
	f.Add(`{"model":"doubao-seed-2.0-lite","mode":"common_prefix","ttl":-1,"messages":[]}`)
	f.Add(`{"model":"doubao-seed-2.0-lite","mode":"session"}`)
	f.Add(`{"ttl":"1h"}`)
	f.Add(`[]`)
	s := New(fastConfig())
	f.Fuzz(func(t *testing.T, body string) {
		w := httptest.NewRecorder()
		s.createContext(w, httptest.NewRequest(http.MethodPost, "/v1/context/create", strings.NewReader(body)))
		var out struct {
			ID    string `json:"id"`
			Error *struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("answer is not JSON: %v: %s", err, w.Body.String())
		}
		switch {
		case w.Code == 200 && strings.HasPrefix(out.ID, "ctx-"):
		case w.Code >= 400 && w.Code < 500 && out.Error != nil && out.Error.Code != "":
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	})
}
