package runner

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// constSource sends the same body to target 0 every time.
type constSource struct{ body []byte }

func (s constSource) Request(k int64) Request {
	return Request{K: k, Body: s.body, Class: "bench", MaxTokens: 1}
}

const miniModel = "doubao-seed-2.0-mini"

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkTTFTError: the runner's TTFT and per-event stamps against the
// mock's ground truth, with about 100 and 500 streams open at once. The mock
// runs in its own process: 50 ms to the first token, then 20 tokens 20 ms
// apart on average (jittered, as real servers are, so streams do not tick in
// lockstep). Requests are paced open-loop at streams / 0.45 s, so that many
// are open at any time. Error = measured − truth: it includes the request's
// trip to the mock's handler and the response's trip back, which is what a
// client-side TTFT really contains. The first second (new connections) is
// warm-up and excluded. The workload runs once per benchmark (b.N is 1).
func BenchmarkTTFTError(b *testing.B) {
	for _, streams := range []int{100, 500} {
		b.Run(fmt.Sprintf("streams=%d", streams), func(b *testing.B) {
			url := mockProcess(b, mockSpec{TimeScale: 1, Truth: true, TTFT: 50 * time.Millisecond, ITL: 20 * time.Millisecond,
				Spread: 0.25, Tokens: 20, MaxInFlight: 4096})
			for range b.N {
				ttft, ev, n, dropped, open := ttftErrors(b, url, streams)
				b.ReportMetric(float64(quantile(ttft, 0.5)), "ttft-err-p50-µs")
				b.ReportMetric(float64(quantile(ttft, 0.99)), "ttft-err-p99-µs")
				b.ReportMetric(float64(quantile(ev, 0.99)), "event-err-p99-µs")
				b.ReportMetric(float64(n), "requests")
				b.ReportMetric(float64(open), "peak-open")
				b.ReportMetric(float64(dropped), "dropped")
			}
		})
	}
}

func ttftErrors(b *testing.B, url string, streams int) (ttft, events []int64, n, dropped int, peak int64) {
	client := NewHTTPClient(2*streams, DefaultTimeouts, false)
	defer client.CloseIdleConnections()
	var c collector
	ctx := context.Background()
	perSec := int(float64(streams) / 0.45)
	pace := vegeta.ConstantPacer{Freq: perSec, Per: time.Second}
	live := NewLive(nil)
	stop := make(chan struct{})
	peakDone := make(chan int64)
	go func() { // peak concurrency, sampled
		var p int64
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				peakDone <- p
				return
			case <-t.C:
				p = max(p, live.inFlight.Load())
			}
		}
	}()
	_, err := Run(ctx, ctx, Config{
		Targets: []Target{{Name: "mini", Model: miniModel, BaseURL: url}},
		Stages: []Stage{
			{Pacer: pace, Duration: time.Second, Warmup: true},
			{Pacer: pace, Duration: 3 * time.Second},
		},
		Requests: constSource{chatBody(miniModel, 64, "hi")}, Client: client, Sink: c.sink, Timeouts: DefaultTimeouts,
		MaxInFlight: 4 * streams, Live: live,
	})
	close(stop)
	peak = <-peakDone
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range c.sorted() {
		if r.Warmup {
			continue
		}
		if r.Status == StatusDropped { // a loaded machine: counted, not measured
			dropped++
			continue
		}
		if !r.OK() || len(r.TruthEventsUS) != len(r.EventsUS) || r.TruthTTFTUS == 0 {
			b.Fatalf("k=%d: %s %s (%d events, %d truth)", r.K, r.Status, r.Error, len(r.EventsUS), len(r.TruthEventsUS))
		}
		n++
		ttft = append(ttft, r.TTFTUS-r.TruthTTFTUS)
		for i := range r.EventsUS {
			events = append(events, r.EventsUS[i]-r.TruthEventsUS[i])
		}
	}
	return ttft, events, n, dropped, peak
}

func quantile(xs []int64, q float64) int64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

// BenchmarkOpenStreamsRSS: the resident memory one open stream costs the
// runner, with 4,000 streams open at once (the mock, in its own process,
// holds each one for a minute). RSS is read from /proc after returning freed
// memory to the OS, before the run and with every stream open and past its
// first token. Linux only; runs once per benchmark.
func BenchmarkOpenStreamsRSS(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc/self/status")
	}
	const streams = 4000
	url := mockProcess(b, mockSpec{TimeScale: 1, TTFT: 100 * time.Millisecond, ITL: time.Second, Tokens: 60, MaxInFlight: 2 * streams})
	for range b.N {
		client := NewHTTPClient(streams, DefaultTimeouts, false)
		before := rss(b)
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		live := NewLive(nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan Stats, 1)
		go func() {
			st, err := Run(ctx, ctx, Config{
				Targets:  []Target{{Name: "mini", Model: miniModel, BaseURL: url}},
				Stages:   []Stage{{Pacer: vegeta.ConstantPacer{Freq: 2000, Per: time.Second}, MaxRequests: streams}},
				Requests: constSource{chatBody(miniModel, 64, "hi")}, MaxInFlight: streams, Client: client, Live: live,
				Sink: func(*Result) {}, Timeouts: DefaultTimeouts,
			})
			if err != nil {
				b.Error(err)
			}
			done <- st
		}()
		deadline := time.Now().Add(30 * time.Second)
		for live.Snapshot().InFlight < streams && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if got := live.Snapshot().InFlight; got < streams {
			b.Fatalf("only %d streams open after 30s", got)
		}
		time.Sleep(1500 * time.Millisecond) // every stream past its first token
		during := rss(b)
		runtime.ReadMemStats(&m1)
		goroutines := runtime.NumGoroutine()
		cancel()
		<-done
		client.CloseIdleConnections()
		b.ReportMetric(float64(during-before)/streams, "rss-B/stream")
		b.ReportMetric(float64(during)/(1<<20), "rss-MiB")
		// Where it goes: goroutine stacks and live heap.
		b.ReportMetric(float64(int64(m1.StackInuse)-int64(m0.StackInuse))/streams, "stack-B/stream")
		b.ReportMetric(float64(int64(m1.HeapInuse)-int64(m0.HeapInuse))/streams, "heap-B/stream")
		b.ReportMetric(float64(goroutines)/streams, "goroutines/stream")
	}
}

// rss is this process's resident set size after returning free memory.
func rss(b *testing.B) int64 {
	debug.FreeOSMemory()
	s, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(s), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// BenchmarkPromptSize: one streamed 1-token request with a 4K-token prompt
// and with a 250K-token one (≈1 MB of body, near Seed 2.0's 256K window),
// sent back to back to a zero-latency mock in its own process. B/op and
// allocs/op are the runner's alone; wrote-µs is the time to write the
// request. "No collapse": the 250K request costs about its size in bytes
// more, not a multiple of it (the body is sent from the []byte the plan
// built, never re-encoded).
func BenchmarkPromptSize(b *testing.B) {
	url := mockProcess(b, mockSpec{TimeScale: 0, Tokens: 1, MaxInFlight: 64})
	for _, tokens := range []int{4000, 250000} {
		// " abc" is one token for the mock's tokenizer
		body := chatBody(miniModel, 1, strings.Repeat(" abc", tokens))
		b.Run(fmt.Sprintf("prompt=%dK", tokens/1000), func(b *testing.B) {
			client := NewHTTPClient(4, DefaultTimeouts, false)
			defer client.CloseIdleConnections()
			s := newStreamer(client, DefaultTimeouts, []Target{{Name: "mini", Model: miniModel, BaseURL: url}})
			req := &Request{Body: body}
			var wrote, e2e int64
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				res := &Result{}
				s.do(context.Background(), req, res)
				if !res.OK() || res.Usage == nil || res.Usage.PromptTokens < tokens {
					b.Fatalf("%s %s, usage %+v", res.Status, res.Error, res.Usage)
				}
				wrote += res.WroteUS
				e2e += res.E2EUS
			}
			b.ReportMetric(float64(wrote)/float64(b.N), "wrote-µs")
			b.ReportMetric(float64(e2e)/float64(b.N), "e2e-µs")
		})
	}
}

// BenchmarkScheduleLag: schedule lag (sent − intended) of an open loop at
// several rates against a fast mock in its own process (10 ms to the first
// token, 5 tokens 2 ms apart), with the last 2 ms of each wait slept on a Go
// timer only (sleep=timer) or in the kernel (sleep=kernel, the default).
// Runs 3 s per rate, once per benchmark (b.N is 1).
func BenchmarkScheduleLag(b *testing.B) {
	url := mockProcess(b, mockSpec{TimeScale: 1, TTFT: 10 * time.Millisecond, ITL: 2 * time.Millisecond, Tokens: 5, MaxInFlight: 4096})
	for _, perSec := range []int{200, 1000, 4000} {
		for _, kernel := range []bool{false, true} {
			name := map[bool]string{false: "timer", true: "kernel"}[kernel]
			b.Run(fmt.Sprintf("rate=%d/sleep=%s", perSec, name), func(b *testing.B) {
				defer func(p bool) { precise = p }(precise)
				precise = kernel
				client := NewHTTPClient(1024, DefaultTimeouts, false)
				defer client.CloseIdleConnections()
				for range b.N {
					ctx := context.Background()
					st, err := Run(ctx, ctx, Config{
						Targets:  []Target{{Name: "mini", Model: miniModel, BaseURL: url}},
						Stages:   []Stage{{Pacer: vegeta.ConstantPacer{Freq: perSec, Per: time.Second}, Duration: 3 * time.Second}},
						Requests: constSource{chatBody(miniModel, 8, "hi")}, MaxInFlight: 1024, Client: client,
						Sink: func(*Result) {}, Timeouts: DefaultTimeouts,
					})
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(st.Trust.LagP50US), "lag-p50-µs")
					b.ReportMetric(float64(st.Trust.LagP99US), "lag-p99-µs")
					b.ReportMetric(float64(st.Trust.WakeupP99US), "wake-p99-µs")
					b.ReportMetric(float64(st.Dropped), "dropped")
				}
			})
		}
	}
}
