package runner

import (
	"context"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// probeInterval is the wake-up probe's sleep.
const probeInterval = 10 * time.Millisecond

// wakeProbe sleeps probeInterval in a loop and records by how much each
// wake-up overshot. It measures the machine, not the plan: when the Go
// scheduler or the OS is slow to wake a sleeping goroutine, every timed
// send and every stamp is late by as much, whatever the load generator does.
func wakeProbe(ctx context.Context, h *hdrhistogram.Histogram, lateness *timerLateness, done chan<- struct{}) {
	defer close(done)
	t := time.NewTimer(probeInterval)
	defer t.Stop()
	due := time.Now().Add(probeInterval)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		RecordMicros(h, us(now.Sub(due)))
		lateness.observe(now.Sub(due))
		due = now.Add(probeInterval)
		t.Reset(probeInterval)
	}
}
