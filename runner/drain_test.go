package runner

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestDrainAfterDone: a server that keeps the body open after [DONE] does
// not hold the request (it is recorded ok, its E2E ends at [DONE]) and the
// next request opens a new connection (the held one is dropped); a server
// that ends the body right after [DONE] gets its connection reused. With
// and without a watchdog (no timeouts set: the drain has its own timer).
func TestDrainAfterDone(t *testing.T) {
	for _, tc := range []struct {
		name     string
		hold     bool
		timeouts Timeouts
	}{
		{"closes, watchdog", false, DefaultTimeouts},
		{"holds, watchdog", true, DefaultTimeouts},
		{"holds, no timeouts", true, Timeouts{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			var conns atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = w.Write([]byte(fakeStream))
				w.(http.Flusher).Flush()
				if tc.hold {
					select {
					case <-release:
					case <-r.Context().Done():
					}
				}
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			defer close(release)
			client := NewHTTPClient(4, tc.timeouts, false)
			defer client.CloseIdleConnections()
			s := newStreamer(client, tc.timeouts, []Target{{Name: "t", Model: "m", BaseURL: srv.URL}})
			for i := range 2 {
				res := &Result{}
				start := time.Now()
				s.do(context.Background(), &Request{Body: []byte(`{}`)}, res)
				if !res.OK() {
					t.Fatalf("request %d: %s %s %s", i, res.Status, res.ErrorClass, res.Error)
				}
				if took := time.Since(start); took > 10*drainWait+5*time.Second {
					t.Fatalf("request %d took %v: the drain did not end", i, took)
				}
				if res.E2EUS <= 0 {
					t.Errorf("request %d: e2e %d µs", i, res.E2EUS)
				}
			}
			want := int64(1)
			if tc.hold {
				want = 2
			}
			if got := conns.Load(); got != want {
				t.Errorf("%d connections for 2 requests, want %d", got, want)
			}
		})
	}
}
