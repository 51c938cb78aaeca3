package selfcheck

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/seedbench/seedbench/runner"
)

// Run starts the mock, runs every step of c.Plan() in order and returns the
// report. It returns an error for a setup failure or when ctx is canceled;
// the report then holds the steps finished so far.
func Run(ctx context.Context, c Config) (*Report, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	plan := c.Plan()
	maxConc := 1
	for _, p := range plan {
		maxConc = max(maxConc, c.concurrency(p))
	}
	stamps := newServerStamps()
	base, stop, err := startMock(mockConfig(c, maxConc), stamps)
	if err != nil {
		return nil, err
	}
	defer stop()

	d := c.RequestDuration()
	timeouts := runner.Timeouts{Connect: 5 * time.Second, TTFB: c.TTFT + 30*time.Second,
		Idle: c.ITL + 30*time.Second, Total: 10*d + time.Minute}
	client := runner.NewHTTPClient(4*maxConc, timeouts, false)
	defer client.CloseIdleConnections()

	rep := &Report{Machine: thisMachine(), Config: c.info()}
	for _, p := range plan {
		st, err := runStep(ctx, c, p, base, client, timeouts, stamps)
		if err != nil {
			rep.Verdict = verdict(c, rep.Machine.CPUs, rep.Steps)
			return rep, err
		}
		rep.Steps = append(rep.Steps, st)
		if c.Progress != nil {
			c.Progress(st)
		}
	}
	rep.Verdict = verdict(c, rep.Machine.CPUs, rep.Steps)
	return rep, nil
}

// runStep runs one load for c.Warmup + c.Duration in one runner.Run, with
// the wake-up probe and the CPU window covering the measured window and the
// drain of its last requests.
func runStep(ctx context.Context, c Config, p StepPlan, base string, client *http.Client, timeouts runner.Timeouts, stamps *serverStamps) (Step, error) {
	conc := c.concurrency(p)
	// One stage covers the warm-up and the measured window: a second stage
	// would start its N users together again and undo the spread the
	// warm-up built up. The collector leaves out what was sent (or, if
	// dropped, meant to be sent) during the warm-up.
	st := runner.Stage{Name: p.String(), Duration: c.Warmup + c.Duration}
	if p.Kind == KindRate {
		st.Pacer = vegeta.ConstantPacer{Freq: p.Rate, Per: time.Second}
	} else {
		st.Concurrency = p.Streams
	}

	start := time.Now().Add(10 * time.Millisecond)
	stamps.reset()
	col := newCollector(c.Warmup, start, stamps)
	measuredAt := start.Add(c.Warmup)

	probeCtx, stopProbe := context.WithCancel(ctx)
	defer stopProbe()
	var wake []int64
	var cpu cpuWindow
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		t := time.NewTimer(time.Until(measuredAt))
		defer t.Stop()
		select {
		case <-t.C:
		case <-probeCtx.Done():
			return
		}
		cpu = startCPU()
		wake = wakeupProbe(probeCtx)
	}()

	_, err := runner.Run(ctx, ctx, runner.Config{
		Targets:     []runner.Target{{Name: "selfcheck", Model: model, BaseURL: base}},
		Stages:      []runner.Stage{st},
		Requests:    newSource(c),
		MaxInFlight: 4*conc + 16,
		Timeouts:    timeouts,
		Start:       start,
		Client:      client,
		Sink:        col.add,
	})
	stopProbe()
	<-probed
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return Step{}, fmt.Errorf("selfcheck: %s: %w", p, err)
	}
	step := col.step(c, p, conc)
	step.Wakeup = Summarize(wake)
	if cpu.ok {
		step.CPU = cpu.end()
	}
	if l, ok := loadAverage1(); ok {
		step.Load1 = &l
	}
	step.judge(c)
	return step, nil
}

// thisMachine describes where the figures were measured.
func thisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		OS: runtime.GOOS, Arch: runtime.GOARCH, Go: runtime.Version()}
	if l, ok := loadAverage1(); ok {
		m.Load1 = &l
	}
	return m
}
