package selfcheck

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// serverStamps splits each request's TTFT error between the two sides. The
// mock's truth says when it was about to write the first token; it cannot
// say when its handler was entered on the client's clock, nor how long the
// write itself took. Both are in the error, and both can be the mock's
// fault (net/http reading the request, the mock's goroutine losing its CPU
// in the write) or the client's (its transport, its wake-up to read). So
// selfcheck wraps the mock's handler and stamps, on the one clock client
// and mock share in this process:
//
//   - entered: when the handler was called, so request = entered − sent is
//     the request's way in (the client's transport and write, loopback,
//     net/http on the mock's side parsing it);
//   - each flush's return, so mock write = (first flush returned at or
//     after the truth's TTFT) − truth TTFT is the mock writing the first
//     token (the syscall that puts the bytes in the client's socket, and
//     any time the mock was descheduled in it);
//
// and client read = TTFT error − request − mock write is the rest: from
// the bytes being in the client's socket to the runner stamping them (the
// client's wake-up, its read path). Client read is the runner's own error;
// mock write is the mock's; request is both sides', mostly the client's.
type serverStamps struct {
	mu  sync.Mutex
	byK map[int64]*reqStamps
}

// reqStamps is one request's server-side instants. The handler may still
// be appending (its last flush) when the client has read everything and
// the collector takes them, hence the mutex.
type reqStamps struct {
	entered time.Time
	mu      sync.Mutex
	flushes []int64 // µs from entered at which each flush returned
}

func newServerStamps() *serverStamps { return &serverStamps{byK: map[int64]*reqStamps{}} }

// wrap returns h with the stamps taken around it. Requests without an
// X-Seedbench-Seq header are served unstamped.
func (s *serverStamps) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered := time.Now()
		k, err := strconv.ParseInt(r.Header.Get("X-Seedbench-Seq"), 10, 64)
		if err != nil {
			h.ServeHTTP(w, r)
			return
		}
		st := &reqStamps{entered: entered, flushes: make([]int64, 0, 80)}
		s.mu.Lock()
		s.byK[k] = st
		s.mu.Unlock()
		h.ServeHTTP(&stampingWriter{ResponseWriter: w, st: st}, r)
	})
}

// reset forgets every request's stamps (a new step starts).
func (s *serverStamps) reset() {
	s.mu.Lock()
	clear(s.byK)
	s.mu.Unlock()
}

// take returns and forgets request k's stamps.
func (s *serverStamps) take(k int64) (*reqStamps, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.byK[k]
	delete(s.byK, k)
	return st, ok
}

// stampingWriter notes when each flush returns. Unwrap lets the mock's
// http.ResponseController reach the connection's other controls.
type stampingWriter struct {
	http.ResponseWriter
	st *reqStamps
}

func (w *stampingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	at := time.Since(w.st.entered).Microseconds()
	w.st.mu.Lock()
	w.st.flushes = append(w.st.flushes, at)
	w.st.mu.Unlock()
}

func (w *stampingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ttftSplit is one request's TTFT error in its three parts (µs), which sum
// to the error.
type ttftSplit struct{ request, mockWrite, clientRead int64 }

// split divides ttftErr given the request's absolute send time. ok is false
// when no flush returned at or after the truth's TTFT (the stamps are not
// this request's).
func (st *reqStamps) split(sent time.Time, truthTTFTUS, ttftErr int64) (ttftSplit, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, f := range st.flushes {
		if f >= truthTTFTUS {
			req := st.entered.Sub(sent).Microseconds()
			write := f - truthTTFTUS
			return ttftSplit{request: req, mockWrite: write, clientRead: ttftErr - req - write}, true
		}
	}
	return ttftSplit{}, false
}
