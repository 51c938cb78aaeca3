package runner

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
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

// BenchmarkMaxRate: how many streamed 1-token requests per second get
// through when both tools are paced above what the machine can do, with the
// same 32 connections, against the same zero-latency mock (in its own
// process). seedbench drops what it cannot send at the planned time and
// records every request, drops included, to a results file; vegeta's
// attacker waits for a free worker and keeps its results in memory. The two
// run in alternating rounds inside one benchmark, so machine noise hits both
// alike; reported are the medians of the rounds' ok/s and their ratio
// (seedbench / vegeta: ≥ 1 means seedbench pushes at least as much through).
// Each round plans SEEDBENCH_BENCH_N requests (default 20,000) at
// SEEDBENCH_BENCH_PACE req/s (default 20,000); SEEDBENCH_BENCH_TIMER=1 paces
// with Go timers only (no kernel sleep). Run with -benchtime 1x.
func BenchmarkMaxRate(b *testing.B) {
	url := mockProcess(b, mockSpec{TimeScale: 0, Tokens: 1, MaxInFlight: 4096})
	body := chatBody(miniModel, 1, "hi")
	const conns, rounds = 32, 5
	pace := envInt("SEEDBENCH_BENCH_PACE", 20000)
	n := envInt("SEEDBENCH_BENCH_N", 20000)
	timersOnly := os.Getenv("SEEDBENCH_BENCH_TIMER") != "" // Go timers only, no kernel sleep
	for range b.N {
		var ours, theirs []float64
		var lag []int64
		for range rounds {
			ok, lagP99 := maxRateSeedbench(b, url, body, conns, pace, n, timersOnly)
			ours, lag = append(ours, ok), append(lag, lagP99)
			theirs = append(theirs, maxRateVegeta(b, url, body, conns, pace, n))
		}
		slices.Sort(ours)
		slices.Sort(theirs)
		b.ReportMetric(ours[rounds/2], "seedbench-ok/s")
		b.ReportMetric(theirs[rounds/2], "vegeta-ok/s")
		b.ReportMetric(ours[rounds/2]/theirs[rounds/2], "ratio")
		b.ReportMetric(float64(quantile(lag, 0.5)), "seedbench-lag-p99-µs")
	}
}

func maxRateSeedbench(b *testing.B, url string, body []byte, conns, pace, n int, timersOnly bool) (okPerSec float64, lagP99 int64) {
	w, err := CreateResults(filepath.Join(b.TempDir(), "results.jsonl"), Header{Scenario: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	client := NewHTTPClient(conns, DefaultTimeouts, false)
	defer client.CloseIdleConnections()
	var ok atomic.Int64
	ctx := context.Background()
	start := time.Now()
	st, err := Run(ctx, ctx, Config{
		Targets:  []Target{{Name: "mini", Model: miniModel, BaseURL: url}},
		Stages:   []Stage{{Pacer: vegeta.ConstantPacer{Freq: pace, Per: time.Second}, MaxRequests: int64(n)}},
		Requests: constSource{body}, MaxInFlight: conns, Client: client, Timeouts: DefaultTimeouts, TimersOnly: timersOnly,
		Sink: func(r *Result) {
			if r.OK() {
				ok.Add(1)
			}
			w.Write(r)
		},
	})
	elapsed := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Close(Footer{}); err != nil {
		b.Fatal(err)
	}
	if ok.Load()+st.Dropped != int64(n) {
		b.Fatalf("%d ok + %d dropped of %d: some failed", ok.Load(), st.Dropped, n)
	}
	return float64(ok.Load()) / elapsed.Seconds(), st.Trust.LagP99US
}

func maxRateVegeta(b *testing.B, url string, body []byte, conns, pace, n int) float64 {
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodPost, URL: url + "/chat/completions", Body: body,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"text/event-stream"}}})
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)), vegeta.Connections(conns), vegeta.KeepAlive(true))
	pacer := cappedPacer{vegeta.ConstantPacer{Freq: pace, Per: time.Second}, uint64(n)}
	var ok, bad int64
	var firstErr string
	start := time.Now()
	for res := range atk.Attack(tr, pacer, 0, "bench") {
		if res.Code == http.StatusOK && res.Error == "" && strings.Contains(string(res.Body), "[DONE]") {
			ok++
		} else if bad++; firstErr == "" {
			firstErr = fmt.Sprintf("%d %s", res.Code, res.Error)
		}
	}
	elapsed := time.Since(start)
	if bad > 0 {
		b.Fatalf("%d of %d vegeta requests failed (%s)", bad, n, firstErr)
	}
	return float64(ok) / elapsed.Seconds()
}

// cappedPacer stops a pacer after n hits (vegeta's Attack has no count).
type cappedPacer struct {
	vegeta.ConstantPacer
	n uint64
}

func (p cappedPacer) Pace(el time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= p.n {
		return 0, true
	}
	return p.ConstantPacer.Pace(el, hits)
}

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
				ttft, ev, n, open := ttftErrors(b, url, streams)
				b.ReportMetric(float64(quantile(ttft, 0.5)), "ttft-err-p50-µs")
				b.ReportMetric(float64(quantile(ttft, 0.99)), "ttft-err-p99-µs")
				b.ReportMetric(float64(quantile(ev, 0.99)), "event-err-p99-µs")
				b.ReportMetric(float64(n), "requests")
				b.ReportMetric(float64(open), "peak-open")
			}
		})
	}
}

func ttftErrors(b *testing.B, url string, streams int) (ttft, events []int64, n int, peak int64) {
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
		if !r.OK() || len(r.TruthEventsUS) != len(r.EventsUS) || r.TruthTTFTUS == 0 {
			b.Fatalf("k=%d: %s %s (%d events, %d truth)", r.K, r.Status, r.Error, len(r.EventsUS), len(r.TruthEventsUS))
		}
		n++
		ttft = append(ttft, r.TTFTUS-r.TruthTTFTUS)
		for i := range r.EventsUS {
			events = append(events, r.EventsUS[i]-r.TruthEventsUS[i])
		}
	}
	return ttft, events, n, peak
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
		cancel()
		<-done
		client.CloseIdleConnections()
		b.ReportMetric(float64(during-before)/streams, "rss-B/stream")
		b.ReportMetric(float64(during)/(1<<20), "rss-MiB")
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
				client := NewHTTPClient(1024, DefaultTimeouts, false)
				defer client.CloseIdleConnections()
				for range b.N {
					ctx := context.Background()
					st, err := Run(ctx, ctx, Config{
						Targets:  []Target{{Name: "mini", Model: miniModel, BaseURL: url}},
						Stages:   []Stage{{Pacer: vegeta.ConstantPacer{Freq: perSec, Per: time.Second}, Duration: 3 * time.Second}},
						Requests: constSource{chatBody(miniModel, 8, "hi")}, MaxInFlight: 1024, Client: client,
						Sink: func(*Result) {}, Timeouts: DefaultTimeouts, TimersOnly: !kernel,
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

// BenchmarkMaxPacedRate: the highest pace each tool keeps. Paces rise from
// 2,000 to 20,000 req/s in steps of 2,000; at each step seedbench and then vegeta send 1.5 s
// worth of streamed 1-token requests (at most 256 in flight each, the same
// zero-latency mock in its own process). A tool keeps a pace when ≥ 99% of
// the planned requests succeeded (seedbench drops what it cannot send on
// time; vegeta sends it late) and they went out at ≥ 99% of the pace over
// the window (first to last successful send). Reported: the highest pace
// each kept, and their ratio (seedbench / vegeta). Every step runs (a
// noisy neighbour can fail one step and not the next); run with
// -benchtime 1x.
func BenchmarkMaxPacedRate(b *testing.B) {
	url := mockProcess(b, mockSpec{TimeScale: 0, Tokens: 1, MaxInFlight: 4096})
	body := chatBody(miniModel, 1, "hi")
	const conns, window = 256, 1500 * time.Millisecond
	for range b.N {
		var ours, theirs int
		for pace := 2000; pace <= 20000; pace += 2000 {
			n := int(float64(pace) * window.Seconds())
			okOurs := pacedSeedbench(b, url, body, conns, pace, n)
			okTheirs := pacedVegeta(b, url, body, conns, pace, n)
			if okOurs {
				ours = pace
			}
			if okTheirs {
				theirs = pace
			}
		}
		b.ReportMetric(float64(ours), "seedbench-req/s")
		b.ReportMetric(float64(theirs), "vegeta-req/s")
		if theirs > 0 {
			b.ReportMetric(float64(ours)/float64(theirs), "ratio")
		}
	}
}

// keptPace: n sends spanning first..last kept ≥ 99% of pace.
func keptPace(n int, first, last time.Duration, pace int) bool {
	if n < 2 || last <= first {
		return false
	}
	return float64(n-1)/(last-first).Seconds() >= 0.99*float64(pace)
}

func pacedSeedbench(b *testing.B, url string, body []byte, conns, pace, n int) bool {
	w, err := CreateResults(filepath.Join(b.TempDir(), "results.jsonl"), Header{Scenario: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	client := NewHTTPClient(conns, DefaultTimeouts, false)
	defer client.CloseIdleConnections()
	var ok atomic.Int64
	var first, last atomic.Int64
	first.Store(1 << 62)
	ctx := context.Background()
	_, err = Run(ctx, ctx, Config{
		Targets:  []Target{{Name: "mini", Model: miniModel, BaseURL: url}},
		Stages:   []Stage{{Pacer: vegeta.ConstantPacer{Freq: pace, Per: time.Second}, MaxRequests: int64(n)}},
		Requests: constSource{body}, MaxInFlight: conns, Client: client, Timeouts: DefaultTimeouts,
		Sink: func(r *Result) {
			if r.OK() {
				ok.Add(1)
				for s := first.Load(); r.SentUS < s && !first.CompareAndSwap(s, r.SentUS); s = first.Load() {
				}
				for s := last.Load(); r.SentUS > s && !last.CompareAndSwap(s, r.SentUS); s = last.Load() {
				}
			}
			w.Write(r)
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Close(Footer{}); err != nil {
		b.Fatal(err)
	}
	us := time.Microsecond
	return float64(ok.Load()) >= 0.99*float64(n) && keptPace(int(ok.Load()), time.Duration(first.Load())*us, time.Duration(last.Load())*us, pace)
}

func pacedVegeta(b *testing.B, url string, body []byte, conns, pace, n int) bool {
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodPost, URL: url + "/chat/completions", Body: body,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"text/event-stream"}}})
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)), vegeta.Connections(conns), vegeta.KeepAlive(true))
	pacer := cappedPacer{vegeta.ConstantPacer{Freq: pace, Per: time.Second}, uint64(n)}
	var ok int
	var first, last time.Time
	for res := range atk.Attack(tr, pacer, 0, "bench") {
		if res.Code != http.StatusOK || res.Error != "" || !strings.Contains(string(res.Body), "[DONE]") {
			continue
		}
		ok++
		if first.IsZero() || res.Timestamp.Before(first) {
			first = res.Timestamp
		}
		if res.Timestamp.After(last) {
			last = res.Timestamp
		}
	}
	return float64(ok) >= 0.99*float64(n) && keptPace(ok, 0, last.Sub(first), pace)
}
