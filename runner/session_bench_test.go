package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// parkedSessions plans sessions whose user messages are msgBytes long and
// whose users, after turn park, think for an hour: a run of them holds
// every session active, mid-conversation, for as long as the caller likes.
type parkedSessions struct {
	msg  []byte
	park int
}

func (p parkedSessions) Turns(int64) int { return p.park + 1 }
func (p parkedSessions) Think(_ int64, t int) time.Duration {
	if t == p.park {
		return time.Hour
	}
	return 0
}
func (p parkedSessions) Turn(s int64, t int) SessionTurn {
	return SessionTurn{Request: Request{K: s*100 + int64(t), Body: []byte(`{"model":"m","stream":true,"messages":[`)},
		Messages: p.msg, Tail: []byte(`],"max_tokens":256}`)}
}

// BenchmarkSessionMemory reports the memory one active session holds: the
// live heap (as the last GC marked it; HeapInuse would count whole spans)
// and goroutine stacks in use with sessions parked in a think time after
// their third turn, less the same before they started, per session.
// conv-B/session is the conversation text itself (3 user messages of 4 KB
// and 3 answers of 1 KB, as they are sent back), so the difference is the
// runner's own cost of a session.
func BenchmarkSessionMemory(b *testing.B) {
	const sessions, park, msgBytes, answerBytes = 500, 3, 4096, 1024
	frag := strings.Repeat("x", answerBytes/8)
	var answered atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for range 8 {
			fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"content\":%q}}]}\n\n", frag)
		}
		fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
		answered.Add(1)
	}))
	defer hs.Close()
	msg := []byte(`{"role":"user","content":"` + strings.Repeat("y", msgBytes) + `"}`)
	conv := park * (len(msg) + 1 + len(assistantOpen) + answerBytes + len(assistantClose) + 1)
	var perSession, heap, stack float64
	for b.Loop() {
		answered.Store(0)
		runtime.GC()
		heap0, stack0 := liveHeap(), stackInuse()
		ctx, cancel := context.WithCancel(context.Background())
		client := NewHTTPClient(sessions, DefaultTimeouts, false)
		done := make(chan struct{})
		go func() {
			defer close(done)
			cfg := Config{Targets: []Target{{Name: "a", Model: "m", BaseURL: hs.URL}}, Sessions: parkedSessions{msg: msg, park: park},
				Stages: []Stage{{Concurrency: sessions, MaxRequests: sessions}}, MaxInFlight: sessions, Client: client, Sink: func(*Result) {}}
			if _, err := Run(ctx, context.Background(), cfg); err != nil {
				b.Error(err)
			}
		}()
		for answered.Load() < sessions*park {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // the last answers reach their think time
		// Idle connections (and the test server's side of them) are the
		// transport's, shared by every request; close them to count only
		// what the sessions hold.
		client.CloseIdleConnections()
		hs.CloseClientConnections()
		time.Sleep(300 * time.Millisecond) // both sides' connection goroutines end
		runtime.GC()
		runtime.GC()
		heap1, stack1 := liveHeap(), stackInuse()
		cancel()
		<-done
		heap = float64(heap1-heap0) / sessions
		stack = float64(stack1-stack0) / sessions
		perSession = heap + stack
	}
	b.ReportMetric(perSession, "B/session")
	b.ReportMetric(heap, "heap-B/session")
	b.ReportMetric(stack, "stack-B/session")
	b.ReportMetric(float64(conv), "conv-B/session")
}

// liveHeap is the heap the last GC found live, in bytes.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

func stackInuse() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.StackInuse)
}
