package runner

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// fakeTransport answers every request after a fixed latency with a short,
// complete stream. Inside a synctest bubble the latency is virtual, so the
// scheduling tests can assert exact times.
type fakeTransport struct {
	latency time.Duration
	mu      sync.Mutex
	now     int // requests in flight
	peak    int
}

const fakeStream = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n" +
	"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n" +
	"data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
	"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n" +
	"data: [DONE]\n\n"

func (f *fakeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.now++
	f.peak = max(f.peak, f.now)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.now--
		f.mu.Unlock()
	}()
	t := time.NewTimer(f.latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"text/event-stream"}},
		Body:       io.NopCloser(strings.NewReader(fakeStream)),
		Request:    req,
	}, nil
}

// seqSource interleaves targets by k, like the scenarios package does.
type seqSource struct{ targets int }

func (s seqSource) Request(k int64) Request {
	return Request{K: k, Target: int(k % int64(max(s.targets, 1))), Class: "chat", Body: []byte(`{}`)}
}

// collector is a Sink that keeps every Result.
type collector struct {
	mu  sync.Mutex
	all []*Result
}

func (c *collector) sink(r *Result) {
	c.mu.Lock()
	c.all = append(c.all, r)
	c.mu.Unlock()
}

// sorted returns the results by k.
func (c *collector) sorted() []*Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.all)
	slices.SortFunc(out, func(a, b *Result) int { return int(a.K - b.K) })
	return out
}

func rate(perSecond int) vegeta.Pacer {
	return vegeta.ConstantPacer{Freq: perSecond, Per: time.Second}
}

// runFake runs cfg against a fake transport and returns the results by k.
func runFake(t *testing.T, ft *fakeTransport, cfg Config) ([]*Result, Stats) {
	t.Helper()
	cfg.TimersOnly = true // the tests run in a synctest bubble
	var c collector
	if cfg.Targets == nil {
		cfg.Targets = []Target{{Name: "a", Model: "m", BaseURL: "http://fake"}}
	}
	if cfg.Requests == nil {
		cfg.Requests = seqSource{targets: len(cfg.Targets)}
	}
	cfg.Client = &http.Client{Transport: ft}
	cfg.Sink = c.sink
	st, err := Run(context.Background(), context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c.sorted(), st
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
