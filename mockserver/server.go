package mockserver

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the mock endpoint. It is an http.Handler; start it with
// httptest.NewServer(New(cfg)) or any http.Server, and call Close when done.
type Server struct {
	cfg    Config
	models map[string]*model
	names  []string // sorted model ids
	// modelList is the pre-encoded GET /v1/models body.
	modelList []byte
	seq       atomic.Uint64
	metrics   *metrics
	contexts  *contextStore // the Context API's caches (context.go)

	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	active  sync.WaitGroup
}

// New builds a Server from cfg. It panics if cfg.Validate fails: a bad
// Config is a programming error here, and the CLI validates it first to
// report it properly.
func New(cfg Config) *Server {
	if err := cfg.Validate(); err != nil {
		panic(fmt.Sprintf("mockserver.New: invalid Config: %v", err))
	}
	s := &Server{cfg: cfg, models: make(map[string]*model, len(cfg.Models)), closing: make(chan struct{})}
	s.metrics = newMetrics()
	s.contexts = newContextStore()
	for name, p := range cfg.Models {
		s.models[name] = newModel(name, p, s.metrics)
		s.names = append(s.names, name)
	}
	sort.Strings(s.names)
	s.modelList = encodeModelList(s.names)
	return s
}

// Close cancels every request in progress and waits until all their
// handlers have returned. The Server starts no goroutines of its own, so
// after Close nothing of it is left running. Later requests get 503.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.closing)
	}
	s.mu.Unlock()
	s.active.Wait()
}

// enter registers a request; it fails once Close has started.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.active.Add(1)
	return true
}

// ServeHTTP routes to the OpenAI-compatible endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	if !s.enter() {
		errServer(http.StatusServiceUnavailable, "server_closed", "the mock server is shutting down").write(w)
		return
	}
	defer s.active.Done()

	switch s.route(r.URL.Path) {
	case "/healthz":
		if !allow(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	case "/metrics":
		if !allow(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		s.metrics.handler.ServeHTTP(w, r)
	case "/v1/models":
		if !allow(w, r, http.MethodGet) || !s.authorized(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(s.modelList)
	case "/v1/chat/completions":
		if !allow(w, r, http.MethodPost) || !s.authorized(w, r) {
			return
		}
		s.chat(w, r, received, false)
	case "/v1/context/create":
		if !allow(w, r, http.MethodPost) || !s.authorized(w, r) {
			return
		}
		s.createContext(w, r)
	case "/v1/context/chat/completions":
		if !allow(w, r, http.MethodPost) || !s.authorized(w, r) {
			return
		}
		s.chat(w, r, received, true)
	case "/admin/contexts":
		if !s.cfg.Admin {
			s.notFound(w, r)
			return
		}
		s.adminContexts(w, r)
	case "/admin/faults":
		if !s.cfg.Admin {
			s.notFound(w, r)
			return
		}
		s.admin(w, r)
	default:
		s.notFound(w, r)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, &apiError{status: http.StatusNotFound, typ: "invalid_request_error", code: "not_found",
		message: "no route for " + r.Method + " " + r.URL.Path})
}

func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", fmt.Sprint(methods))
	(&apiError{status: http.StatusMethodNotAllowed, typ: "invalid_request_error", code: "method_not_allowed",
		message: r.Method + " is not allowed on " + r.URL.Path}).write(w)
	return false
}

// authorized checks the bearer token in constant time. The error never
// repeats what the client sent.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.APIKey == "" {
		return true
	}
	const prefix = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) > len(prefix) && h[:len(prefix)] == prefix &&
		subtle.ConstantTimeCompare([]byte(h[len(prefix):]), []byte(s.cfg.APIKey)) == 1 {
		return true
	}
	s.writeError(w, &apiError{status: http.StatusUnauthorized, typ: "invalid_request_error", code: "invalid_api_key",
		message: "incorrect or missing API key; send it as 'Authorization: Bearer <key>'"})
	return false
}

func encodeModelList(names []string) []byte {
	type entry struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []entry `json:"data"`
	}{Object: "list", Data: make([]entry, 0, len(names))}
	for _, n := range names {
		list.Data = append(list.Data, entry{ID: n, Object: "model", Created: 1767225600, OwnedBy: "seedbench-mock"})
	}
	b, _ := json.Marshal(list)
	return append(b, '\n')
}

// requestNumber numbers requests for seeding. A client that wants the same
// outcome for the same request whatever the arrival order sends its own
// number in X-Seedbench-Seq; otherwise requests are numbered by arrival.
func (s *Server) requestNumber(r *http.Request) uint64 {
	if v := r.Header.Get("X-Seedbench-Seq"); v != "" {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			return n
		}
	}
	return s.seq.Add(1) - 1
}
