package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver"
)

var soakRequests = flag.Int("soak.requests", 100_000, "requests BenchmarkSoakRSS sends (the README's figure: 1000000)")

// rssBytes is this process's resident set size (Linux; 0 elsewhere).
func rssBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkSoakRSS: a long soak compressed — the mock at 1/1000 of real
// time answers in about a millisecond, so a day's worth of requests goes
// through in minutes — with /metrics served and windowed objectives judged.
// It samples the process's RSS (runner, its live figures and exposition,
// and the in-process mock) every second while requests flow, and reports
// it after the first 10 % (warm) and at the end: flat memory means the end
// figure is the warm one, whatever the number of requests.
//
//	go test -run '^$' -bench SoakRSS -benchtime 1x ./cmd/seedbench/ -soak.requests 1000000
func BenchmarkSoakRSS(b *testing.B) {
	const rate = 2000
	n := *soakRequests
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = 0.001
	ms := mockserver.New(cfg)
	hs := httptest.NewServer(ms)
	defer func() { hs.CloseClientConnections(); hs.Close(); ms.Close() }()
	dur := time.Duration(float64(n)/rate*float64(time.Second)).Round(time.Second) + time.Second
	scen := fmt.Sprintf(`name: soak-rss
description: a compressed soak for the memory benchmark
targets:
  - name: mini
    model: doubao-seed-2.0-mini
mix:
  - name: chat
    weight: 1
    prompt_tokens: {dist: uniform, min: 100, max: 2000}
    output_tokens: 4
load:
  seed: 1
  max_in_flight: 400
  max_requests: %d
  stages:
    - kind: poisson
      rate: %d/s
      duration: %s
slo:
  ttft_p99: {max: 1s, window: 10s}
  availability: {min: 99%%, window: 10s}
`, n, rate, dur)
	dir := b.TempDir()
	path := filepath.Join(dir, "soak.yaml")
	if err := os.WriteFile(path, []byte(scen), 0o644); err != nil {
		b.Fatal(err)
	}
	for range b.N {
		var stdout, stderr bytes.Buffer
		done := make(chan int, 1)
		start := time.Now()
		go func() {
			done <- Main(context.Background(), []string{"seedbench", "run", "--quiet", "--no-plots", "--max-lag", "1h",
				"--target", hs.URL + "/v1", "--metrics-addr", "127.0.0.1:0", "--out", filepath.Join(dir, "run"), path}, &stdout, &stderr)
		}()
		var samples []int64
		tick := time.NewTicker(time.Second)
	loop:
		for {
			select {
			case code := <-done:
				if code != exitOK && code != exitCheck && code != exitUntrusted {
					b.Fatalf("exit %d: %s", code, stderr.String())
				}
				break loop
			case now := <-tick.C:
				if now.Sub(start) < dur { // the report at the end reads everything back: not the soak's memory
					runtime.GC()
					samples = append(samples, rssBytes())
				}
			}
		}
		tick.Stop()
		if len(samples) < 10 {
			b.Fatalf("only %d RSS samples", len(samples))
		}
		warm := samples[len(samples)/10]
		end := samples[len(samples)-1]
		peak := int64(0)
		for _, s := range samples {
			peak = max(peak, s)
		}
		b.ReportMetric(float64(warm)/(1<<20), "warm_RSS_MiB")
		b.ReportMetric(float64(end)/(1<<20), "end_RSS_MiB")
		b.ReportMetric(float64(peak)/(1<<20), "peak_RSS_MiB")
		b.ReportMetric(float64(n), "requests")
	}
}
