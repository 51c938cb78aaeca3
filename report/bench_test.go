package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/seedbench/seedbench/report/internal/synth"
	"github.com/seedbench/seedbench/runner"
)

// benchConfig is a million-request soak: four variants, the three tiers,
// 2% failures, up to 64 token events per request (≈1 KB a record).
var benchConfig = synth.Config{Seed: 77, Scenario: "million", Requests: 1_000_000, Rate: 200, FailureRate: 0.02, DropRate: 0.001, MaxEvents: 64,
	Targets: []synth.Target{
		{Name: "mini", Model: "doubao-seed-2.0-mini"}, {Name: "lite", Model: "doubao-seed-2.0-mini", TTFTScale: 1.2},
		{Name: "pro", Model: "doubao-seed-2.0-pro", TTFTScale: 1.6}, {Name: "code", Model: "doubao-seed-2.0-pro", TTFTScale: 1.4},
	},
	Resolved: []byte(`{"slo":{"ttft_p99":"1s","tpot_p95":"50ms","availability":"97%"}}`),
}

// benchFile writes the synthetic results once per machine (it takes longer
// than reporting it) under the temp dir, and reuses it.
func benchFile(b *testing.B, cfg synth.Config) string {
	b.Helper()
	p := filepath.Join(os.TempDir(), fmt.Sprintf("seedbench-bench-%d-%d-%d.jsonl", cfg.Requests, cfg.Seed, cfg.MaxEvents))
	if st, err := os.Stat(p); err == nil && st.Size() > 0 {
		return p
	}
	f, err := os.Create(p + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	if err := synth.Write(f, cfg); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkReportMillion reports a million records — every output file,
// plots included — as `seedbench report` does, and reports the peak RSS
// (VmHWM) of the process while it ran.
//
//	go test ./report -run '^$' -bench ReportMillion -benchtime 1x -count 3
func BenchmarkReportMillion(b *testing.B) {
	benchReport(b, benchConfig)
}

// BenchmarkReport100k is the same at a tenth of the size, for quick checks.
func BenchmarkReport100k(b *testing.B) {
	cfg := benchConfig
	cfg.Requests = 100_000
	benchReport(b, cfg)
}

func benchReport(b *testing.B, cfg synth.Config) {
	in := benchFile(b, cfg)
	st, _ := os.Stat(in)
	runtime.GC()
	resetPeakRSS()
	b.SetBytes(st.Size())
	b.ResetTimer()
	for range b.N {
		dir := b.TempDir()
		s, err := WriteAll(dir, []string{in}, Options{Pricing: testPrices{}})
		if err != nil {
			b.Fatal(err)
		}
		if s.Overall.Requests != int64(cfg.Requests) {
			b.Fatalf("%d requests reported, want %d", s.Overall.Requests, cfg.Requests)
		}
	}
	b.StopTimer()
	if kb := peakRSSKB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
	}
	b.ReportMetric(float64(cfg.Requests), "records")
}

// resetPeakRSS resets the kernel's high-water mark of this process's RSS
// (Linux: writing 5 to /proc/self/clear_refs), so VmHWM measures what
// follows.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakRSSKB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
			n, _ := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkDecode compares the fast record decoder with encoding/json on
// the same runner-written lines, side by side.
//
//	go test ./report -run '^$' -bench Decode -count 5
func BenchmarkDecode(b *testing.B) {
	var lines [][]byte
	var size int64
	cfg := benchConfig
	cfg.Requests = 2000
	if err := synth.Records(cfg, func(r *runner.Result) error {
		l, err := json.Marshal(r)
		lines = append(lines, l)
		size += int64(len(l))
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		d := runner.NewRecordDecoder()
		var r runner.Result
		b.SetBytes(size)
		b.ReportAllocs()
		for range b.N {
			for _, l := range lines {
				if err := d.Decode(l, &r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for range b.N {
			for _, l := range lines {
				var r runner.Result
				if err := json.Unmarshal(l, &r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
