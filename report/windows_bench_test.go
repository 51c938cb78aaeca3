package report

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/seedbench/seedbench/scenarios"
)

// BenchmarkWindowMemory is the heap a windowed latency objective's
// accumulator holds for a soak of n one-second windows (three requests
// each), after a GC: bytes per window, and MiB in all.
func BenchmarkWindowMemory(b *testing.B) {
	o, err := scenarios.ParseObjective("ttft_p99", "500ms")
	if err != nil {
		b.Fatal(err)
	}
	o.Window = time.Second
	for _, n := range []int{1_000, 10_000, 86_400} {
		b.Run(fmt.Sprintf("windows=%d", n), func(b *testing.B) {
			var perWindow, total float64
			for range b.N {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				w := newWindowAcc([]scenarios.Objective{o})
				for sec := range n {
					feed(w, float64(sec)+0.5, 3, 0, 100*time.Millisecond)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				total = float64(after.HeapAlloc) - float64(before.HeapAlloc)
				perWindow = total / float64(n)
				runtime.KeepAlive(w)
			}
			b.ReportMetric(perWindow, "B/window")
			b.ReportMetric(total/(1<<20), "MiB")
		})
	}
}
