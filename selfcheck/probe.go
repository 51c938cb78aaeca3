package selfcheck

import (
	"context"
	"time"
)

// wakeupPeriod is how long the probe asks to sleep each time.
const wakeupPeriod = 10 * time.Millisecond

// wakeupProbe sleeps wakeupPeriod in a loop until ctx is done and returns
// each overshoot in microseconds: how much later than asked the goroutine
// ran again. It is the scheduler's delay that every timestamp of the step
// is exposed to (timer resolution, run-queue wait, GC assists), measured
// without any network in the way.
func wakeupProbe(ctx context.Context) []int64 {
	out := make([]int64, 0, 4096)
	for ctx.Err() == nil {
		t0 := time.Now()
		time.Sleep(wakeupPeriod)
		out = append(out, int64((time.Since(t0)-wakeupPeriod)/time.Microsecond))
	}
	return out
}

// CPU is the process's CPU time over a window; the runner and the mock
// share the process, so it is both of them.
type CPU struct {
	UserS float64 `json:"user_s"`
	SysS  float64 `json:"sys_s"`
	// Cores is (user + sys) / wall: 1.0 is one core busy all the time.
	Cores float64 `json:"cores"`
}

// cpuWindow measures process CPU from its creation to end.
type cpuWindow struct {
	t0          time.Time
	user0, sys0 time.Duration
	ok          bool
}

func startCPU() cpuWindow {
	u, s, ok := processCPU()
	return cpuWindow{t0: time.Now(), user0: u, sys0: s, ok: ok}
}

// end returns the CPU used since start, or nil where the platform cannot
// tell.
func (w cpuWindow) end() *CPU {
	u, s, ok := processCPU()
	wall := time.Since(w.t0).Seconds()
	if !ok || !w.ok || wall <= 0 {
		return nil
	}
	c := &CPU{UserS: (u - w.user0).Seconds(), SysS: (s - w.sys0).Seconds()}
	c.Cores = (c.UserS + c.SysS) / wall
	return c
}
