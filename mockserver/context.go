package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// The Context API, as Volcengine Ark serves it under /api/v3 (the mock
// serves it there in both flavours, and under /v1 in the OpenAI flavour):
//
//	POST /context/create            {model, messages, mode, ttl} → {id: "ctx-…", model, mode, ttl, usage}
//	POST /context/chat/completions  a chat request with context_id; the
//	                                context's messages are not sent again
//
// References: https://www.volcengine.com/docs/82379/1346559 (create: mode
// session | common_prefix, ttl in seconds "from 1 hour to 7 days, i.e.
// [3600, 604800]", default 86400, "reset with each use"; BytePlus mirror
// https://docs.byteplus.com/en/docs/ModelArk/1346559) and
// https://www.volcengine.com/docs/82379/1346560 (chat: context_id, no
// tools, no assistant message last). The mock keeps only common_prefix
// contexts (a session cache rewrites itself turn by turn, which a load
// test of independent requests never does) and refuses session.
//
// Ark bills a context's storage per token-hour for as long as it exists:
// from creation until TTL after its last use (it has no delete call). The
// mock meters exactly that, and shows it on GET /admin/contexts.
const (
	contextMinTTL     = 3600
	contextMaxTTL     = 604800
	contextDefaultTTL = 86400
	// contextMinTokens: a context smaller than this is refused, as the
	// service refuses one (about 1,024 tokens); the implicit prefix
	// cache's default minimum is the same (CacheConfig.MinTokens).
	contextMinTokens = 1024
	// maxContexts bounds the store: a context costs its metadata only
	// (the text is not kept), and expired ones stay for the storage meter,
	// so a long-lived mock under a client creating contexts without end
	// would otherwise grow without bound.
	maxContexts = 100000
)

// cachedContext is one context. Its fields after creation change under
// contextStore.mu.
type cachedContext struct {
	id, model string
	tokens    int
	ttl       time.Duration
	created   time.Time
	lastUsed  time.Time
	uses      int64
}

func (c *cachedContext) expires() time.Time { return c.lastUsed.Add(c.ttl) }

// tokenHours is the storage the context has used by now: tokens × the
// hours it has existed (until its expiry, once it has expired).
func (c *cachedContext) tokenHours(now time.Time) float64 {
	end := now
	if e := c.expires(); e.Before(end) {
		end = e
	}
	return float64(c.tokens) * max(end.Sub(c.created).Hours(), 0)
}

// contextStore holds the contexts of one server. Expired contexts are
// refused on use and kept for the admin listing (their storage is part of
// the bill).
type contextStore struct {
	mu   sync.Mutex
	byID map[string]*cachedContext
	n    uint64
	now  func() time.Time // time.Now; tests move it
}

func newContextStore() *contextStore {
	return &contextStore{byID: map[string]*cachedContext{}, now: time.Now}
}

// contextCreate is the body of POST /context/create.
type contextCreate struct {
	Model    string        `json:"model"`
	Messages []chatMessage `json:"messages"`
	Mode     string        `json:"mode"`
	TTL      *int          `json:"ttl"`
}

// createContext serves POST /context/create.
func (s *Server) createContext(w http.ResponseWriter, r *http.Request) {
	var q contextCreate
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	if err := json.NewDecoder(body).Decode(&q); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.reject(w, "", errTooLarge(s.cfg.MaxBodyBytes))
			return
		}
		s.reject(w, "", jsonError(err))
		return
	}
	if q.Model == "" {
		s.reject(w, "", errMissing("model"))
		return
	}
	m := s.lookup(q.Model)
	if m == nil {
		s.reject(w, "", errModelNotFound(q.Model))
		return
	}
	switch q.Mode {
	case "common_prefix":
	case "", "session": // "" is session, the service's default
		s.reject(w, m.name, errUnsupported("mode", "mode 'session' is not supported: the mock keeps common_prefix contexts only"))
		return
	default:
		s.reject(w, m.name, errInvalid("mode", fmt.Sprintf("mode '%s' is not one of session, common_prefix", q.Mode)))
		return
	}
	ttl := contextDefaultTTL
	if q.TTL != nil {
		ttl = *q.TTL
	}
	if ttl < contextMinTTL || ttl > contextMaxTTL {
		s.reject(w, m.name, errInvalid("ttl", fmt.Sprintf("ttl %d is out of range: it must be in [%d, %d] seconds", ttl, contextMinTTL, contextMaxTTL)))
		return
	}
	if len(q.Messages) == 0 {
		s.reject(w, m.name, errMissing("messages"))
		return
	}
	tokens := measurePrompt(&chatRequest{Messages: q.Messages}, &m.profile).tokens - m.profile.TemplateTokensPerRequest
	if tokens < contextMinTokens {
		s.reject(w, m.name, errInvalid("messages", fmt.Sprintf("the messages hold %d tokens: a common_prefix context needs at least %d", tokens, contextMinTokens)))
		return
	}
	cs := s.contexts
	cs.mu.Lock()
	if len(cs.byID) >= maxContexts {
		cs.mu.Unlock()
		s.reject(w, m.name, errInvalid("messages", fmt.Sprintf("this server holds at most %d contexts (expired ones stay for their storage figures)", maxContexts)))
		return
	}
	now := cs.now()
	cs.n++
	c := &cachedContext{id: contextID(now, cs.n), model: m.name, tokens: tokens, ttl: time.Duration(ttl) * time.Second, created: now, lastUsed: now}
	cs.byID[c.id] = c
	cs.mu.Unlock()

	b := []byte(`{"id":`)
	b = appendJSONString(b, c.id)
	b = append(b, `,"model":`...)
	b = appendJSONString(b, s.echoModel(m))
	b = append(b, `,"mode":"common_prefix","ttl":`...)
	b = strconv.AppendInt(b, int64(ttl), 10)
	b = fmt.Appendf(b, `,"usage":{"prompt_tokens":%d,"completion_tokens":0,"total_tokens":%d,"prompt_tokens_details":{"cached_tokens":0}}}`, tokens, tokens)
	s.metrics.requests.WithLabelValues(m.name, "200").Inc()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(b, '\n'))
}

// contextID is "ctx-", the creation time to the second and five base-36
// digits of the store's counter, as Ark's ids look (ctx-20241211104333-12345).
func contextID(now time.Time, n uint64) string {
	d := strconv.FormatUint(n%60466176, 36) // 36^5
	for len(d) < 5 {
		d = "0" + d
	}
	return "ctx-" + now.UTC().Format("20060102150405") + "-" + d
}

// use finds the context a chat names for model m, refreshes its TTL and
// returns its size; a missing or expired context, or one of another model,
// is an error.
func (cs *contextStore) use(id string, m *model) (int, *apiError) {
	if id == "" {
		return 0, errMissing("context_id")
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.byID[id]
	now := cs.now()
	if c == nil || !now.Before(c.expires()) {
		return 0, &apiError{status: http.StatusNotFound, typ: "invalid_request_error", code: "not_found", param: "context_id",
			message: "the context '" + id + "' does not exist or has expired"}
	}
	if c.model != m.name {
		return 0, errInvalid("context_id", "the context '"+id+"' was created for another model")
	}
	c.lastUsed = now
	c.uses++
	return c.tokens, nil
}

// ContextUsage is one context as GET /admin/contexts shows it: its storage
// so far and what it will have used when it expires unused.
type ContextUsage struct {
	ID      string    `json:"id"`
	Model   string    `json:"model"`
	Tokens  int       `json:"tokens"`
	TTLS    int64     `json:"ttl_s"`
	Created time.Time `json:"created"`
	// LastUsed is the last chat that named it (Created before any).
	LastUsed time.Time `json:"last_used"`
	Expires  time.Time `json:"expires"`
	Uses     int64     `json:"uses"`
	Expired  bool      `json:"expired"`
	// TokenHours is tokens × hours stored so far; AtExpiry the same at its
	// expiry if it is not used again: what its storage is billed.
	TokenHours float64 `json:"token_hours"`
	AtExpiry   float64 `json:"token_hours_at_expiry"`
}

// Contexts lists the server's contexts by creation, with their storage
// metered in token-hours.
func (s *Server) Contexts() []ContextUsage {
	cs := s.contexts
	cs.mu.Lock()
	defer cs.mu.Unlock()
	now := cs.now()
	out := make([]ContextUsage, 0, len(cs.byID))
	for _, c := range cs.byID {
		e := c.expires()
		out = append(out, ContextUsage{ID: c.id, Model: c.model, Tokens: c.tokens, TTLS: int64(c.ttl / time.Second), Created: c.created,
			LastUsed: c.lastUsed, Expires: e, Uses: c.uses, Expired: !now.Before(e), TokenHours: c.tokenHours(now), AtExpiry: c.tokenHours(e)})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Created.Before(out[j].Created) || out[i].Created.Equal(out[j].Created) && out[i].ID < out[j].ID
	})
	return out
}

// adminContexts serves GET /admin/contexts (loopback only, like
// /admin/faults): {"contexts": [ContextUsage…], "token_hours": total so far}.
func (s *Server) adminContexts(w http.ResponseWriter, r *http.Request) {
	if !isLoopback(r.RemoteAddr) || !loopbackHost(r.Host) {
		(&apiError{status: http.StatusForbidden, typ: "invalid_request_error", code: "forbidden",
			message: "the admin endpoint only answers loopback clients addressed as localhost or a loopback address"}).write(w)
		return
	}
	if !allow(w, r, http.MethodGet) || !s.authorized(w, r) {
		return
	}
	list := s.Contexts()
	total := 0.0
	for _, c := range list {
		total += c.TokenHours
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Contexts   []ContextUsage `json:"contexts"`
		TokenHours float64        `json:"token_hours"`
	}{list, total})
}
