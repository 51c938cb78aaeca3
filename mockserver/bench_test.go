package mockserver

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// discardWriter is a ResponseWriter that counts and drops the body, so a
// benchmark measures the mock's own work and not a socket.
type discardWriter struct {
	h http.Header
	n int64
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush()                      {}

const benchTokens = 4096

func benchConfig() Config {
	cfg := DefaultConfig()
	cfg.TimeScale = 0 // unpaced
	p := cfg.Models["doubao-seed-2.0-mini"]
	p.MaxInFlight = 8192
	p.MaxQueue = 8192
	cfg.Models["doubao-seed-2.0-mini"] = p
	return cfg
}

var benchBody = fmt.Sprintf(`{"model":"doubao-seed-2.0-mini","stream":true,"stream_options":{"include_usage":true},"max_tokens":%d,"ignore_eos":true,"messages":[{"role":"user","content":"Write a long story."}]}`, benchTokens)

// BenchmarkStreamUnpaced is the mock's own cost per streamed token: one
// 4,096-token stream per op through ServeHTTP into a discarding writer, one
// event per token, no waiting. Run with -cpu 1 for the one-core figure.
func BenchmarkStreamUnpaced(b *testing.B) {
	s := New(benchConfig())
	defer s.Close()
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(benchBody))
		s.ServeHTTP(w, r)
	}
	b.ReportMetric(float64(b.N)*benchTokens/b.Elapsed().Seconds(), "tok/s")
	b.ReportMetric(float64(w.n)/float64(b.N)/benchTokens, "B/tok")
}

// BenchmarkStreamUnpacedLoopback is the same stream over a real loopback
// connection, read and discarded by a raw HTTP/1.1 client in the same
// process (so client and server share the CPU).
func BenchmarkStreamUnpacedLoopback(b *testing.B) {
	benchLoopback(b, benchConfig())
}

// BenchmarkStreamFlushPerEventLoopback is the paced path at a time scale so
// small that no wait is ever due (1e-9): every event still gets its own
// write and flush, as in a real-time stream, so this is the per-event
// syscall cost a paced stream pays.
func BenchmarkStreamFlushPerEventLoopback(b *testing.B) {
	cfg := benchConfig()
	cfg.TimeScale = 1e-9
	benchLoopback(b, cfg)
}

func benchLoopback(b *testing.B, cfg Config) {
	s := New(cfg)
	hs := httptest.NewServer(s)
	defer s.Close()
	defer hs.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Post(hs.URL+"/v1/chat/completions", "application/json", strings.NewReader(benchBody))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N)*benchTokens/b.Elapsed().Seconds(), "tok/s")
}

// BenchmarkOpenStreams measures the memory one open stream costs the
// server: 4,000 raw loopback connections each get their headers and role
// chunk, then sit in a one-hour prefill. The heap and stack growth over the
// idle baseline, divided by 4,000, is the figure (the raw clients hold a
// socket and a 512-byte read buffer each, included and negligible).
func BenchmarkOpenStreams(b *testing.B) {
	const streams = 4000
	for b.Loop() {
		cfg := benchConfig()
		cfg.TimeScale = 1
		p := cfg.Models["doubao-seed-2.0-mini"]
		p.TTFTBase = time.Hour
		cfg.Models["doubao-seed-2.0-mini"] = p
		s := New(cfg)
		hs := httptest.NewServer(s)
		addr := hs.Listener.Addr().String()
		req := "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
			fmt.Sprint(len(benchBody)) + "\r\n\r\n" + benchBody

		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		conns := make([]net.Conn, 0, streams)
		for range streams {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatalf("dial %d: %v", len(conns), err)
			}
			if _, err := io.WriteString(c, req); err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
		}
		// Wait for every role chunk: then every stream is open and waiting.
		for i, c := range conns {
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
			br := bufio.NewReaderSize(c, 512)
			for {
				line, err := br.ReadSlice('\n')
				if err != nil {
					b.Fatalf("stream %d: %v", i, err)
				}
				if strings.HasPrefix(string(line), "data: ") {
					break
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		g1 := runtime.NumGoroutine()
		heap := float64(after.HeapInuse) - float64(before.HeapInuse)
		stack := float64(after.StackInuse) - float64(before.StackInuse)
		b.ReportMetric((heap+stack)/streams, "B/stream")
		b.ReportMetric(heap/streams, "heapB/stream")
		b.ReportMetric(stack/streams, "stackB/stream")
		b.ReportMetric(float64(g1-g0)/streams, "goroutines/stream")

		s.Close()
		for _, c := range conns {
			c.Close()
		}
		hs.Close()
	}
}
