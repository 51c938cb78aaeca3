package selfcheck

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Report is everything selfcheck measured; it is also the --json output.
type Report struct {
	Machine Machine    `json:"machine"`
	Config  ConfigInfo `json:"config"`
	Steps   []Step     `json:"steps"`
	Verdict Verdict    `json:"verdict"`
}

// Machine is where the figures were measured.
type Machine struct {
	CPUs int `json:"cpus"`
	// Load1 is the system's 1-minute load average when selfcheck started
	// (Linux only).
	Load1      *float64 `json:"load1,omitempty"`
	GOMAXPROCS int      `json:"gomaxprocs"`
	OS         string   `json:"os"`
	Arch       string   `json:"arch"`
	Go         string   `json:"go"`
}

// ConfigInfo is the Config as recorded, durations in microseconds.
type ConfigInfo struct {
	TTFTUS    int64   `json:"ttft_us"`
	ITLUS     int64   `json:"itl_us"`
	Tokens    int     `json:"tokens"`
	RequestUS int64   `json:"request_us"` // TTFT + (tokens−1)·ITL
	DurationS float64 `json:"duration_s"`
	WarmupS   float64 `json:"warmup_s"`
	LimitUS   int64   `json:"limit_us"`
	Streams   []int   `json:"streams"`
	Rates     []int   `json:"rates"`
	RatesAuto bool    `json:"rates_auto"`
	Lockstep  bool    `json:"lockstep"`
	Phases    int     `json:"phases"` // distinct TTFTs, spread over one ITL
}

func (c Config) info() ConfigInfo {
	ci := ConfigInfo{TTFTUS: c.TTFT.Microseconds(), ITLUS: c.ITL.Microseconds(), Tokens: c.Tokens,
		RequestUS: c.RequestDuration().Microseconds(), DurationS: c.Duration.Seconds(),
		WarmupS: c.Warmup.Seconds(), LimitUS: c.Limit.Microseconds(), RatesAuto: c.Rates == nil && !c.NoRates,
		Lockstep: c.Lockstep, Phases: c.phases(), Streams: []int{}, Rates: []int{}}
	for _, p := range c.Plan() {
		if p.Kind == KindRate {
			ci.Rates = append(ci.Rates, p.Rate)
		} else {
			ci.Streams = append(ci.Streams, p.Streams)
		}
	}
	return ci
}

// Step is what one load showed. Every *_us figure is in microseconds.
type Step struct {
	StepPlan
	// Concurrency is the number of streams the step was expected to hold
	// open (for a rate step R·D, D the request duration).
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	OK          int     `json:"ok"`
	RPS         float64 `json:"rps"` // measured-window requests / duration
	// Errors counts failed requests by error class; Dropped the open-loop
	// requests not sent because max in-flight was reached.
	Errors  map[string]int `json:"errors,omitempty"`
	Dropped int            `json:"dropped"`
	// NewConns succeeded on a freshly dialed connection and are left out
	// of the TTFT error; NoTruth carried no ground truth; Mismatched had a
	// different number of events than the truth (left out of ITL error).
	NewConns   int `json:"new_conns"`
	NoTruth    int `json:"no_truth"`
	Mismatched int `json:"mismatched"`

	TTFTErr *Dist `json:"ttft_err_us"` // measured − truth, signed
	// The TTFT error's three parts (they sum to it, request by request):
	// the request's way in (client transport, loopback, the mock's
	// net/http), the mock writing the first token, and the client reading
	// it (the runner's own share). See serverStamps.
	TTFTRequest    *Dist `json:"ttft_err_request_us,omitempty"`
	TTFTMockWrite  *Dist `json:"ttft_err_mock_write_us,omitempty"`
	TTFTClientRead *Dist `json:"ttft_err_client_read_us,omitempty"`
	ITLErr         *Dist `json:"itl_err_us"`     // measured gap − true gap, signed
	ITLAbsErr      *Dist `json:"itl_abs_err_us"` // |measured gap − true gap|
	Lag            *Dist `json:"lag_us"`         // open loop only: sent − intended
	Wakeup         *Dist `json:"wakeup_lag_us"`  // 10 ms sleep overshoot
	CPU            *CPU  `json:"cpu"`
	// Load1 is the system's 1-minute load average when the step ended
	// (Linux; omitted elsewhere). Above the CPU count, other processes were
	// competing for the CPUs and the errors say more about them than about
	// the harness.
	Load1 *float64 `json:"load1,omitempty"`

	Within bool     `json:"within_limits"`
	Failed []string `json:"failed,omitempty"` // which checks were outside the limit
}

func (col *collector) step(c Config, p StepPlan, conc int) Step {
	col.mu.Lock()
	defer col.mu.Unlock()
	st := Step{StepPlan: p, Concurrency: conc, Requests: col.requests, OK: col.ok,
		RPS: float64(col.requests) / c.Duration.Seconds(), Dropped: col.dropped,
		NewConns: col.newConns, NoTruth: col.noTruth, Mismatched: col.mismatched}
	if len(col.errors) > 0 {
		st.Errors = maps.Clone(col.errors)
	}
	st.ITLAbsErr = Summarize(Abs(col.itl))
	st.TTFTErr, st.ITLErr = Summarize(col.ttft), Summarize(col.itl)
	st.TTFTRequest, st.TTFTMockWrite, st.TTFTClientRead = Summarize(col.request), Summarize(col.mockWrite), Summarize(col.clientRead)
	if p.Kind == KindRate {
		st.Lag = Summarize(col.lag)
	}
	return st
}

// judge decides whether the step is within limits. Any failed, dropped or
// truth-less request fails it (the figures would leave something out), as
// does a p99 beyond c.Limit of the TTFT error or of the absolute ITL
// error. The schedule lag is not checked: it is recorded per request and
// corrected for (corrected latency = E2E + lag), so it does not make a
// measured latency wrong; it is shown because it says whether the load
// shape was held. The wake-up lag and CPU explain a failure.
func (st *Step) judge(c Config) {
	limit := c.Limit.Microseconds()
	var failed []string
	if len(st.Errors) > 0 {
		failed = append(failed, "errors")
	}
	if st.Dropped > 0 {
		failed = append(failed, "dropped")
	}
	if st.NoTruth > 0 || st.Mismatched > 0 {
		failed = append(failed, "truth")
	}
	if st.TTFTErr == nil || st.TTFTErr.P99 > limit {
		failed = append(failed, "ttft")
	}
	if st.ITLAbsErr == nil || st.ITLAbsErr.P99 > limit {
		failed = append(failed, "itl")
	}
	st.Failed, st.Within = failed, len(failed) == 0
}

// Verdict is the conclusion: up to which load this machine measures
// accurately.
type Verdict struct {
	// Trusted is false when even the lowest step (of either kind) is
	// outside the limits: then no figure from this machine can be trusted
	// to the limit.
	Trusted bool `json:"trusted"`
	// MaxStreams and MaxRate are the highest steps within limits with
	// every lower step of their kind within limits too (0: none).
	MaxStreams int    `json:"max_streams"`
	MaxRate    int    `json:"max_rate"`
	Text       string `json:"text"`
}

func verdict(c Config, cpus int, steps []Step) Verdict {
	v := Verdict{Trusted: len(steps) > 0}
	var brokeStreams, brokeRate bool
	var firstFail *Step
	seen := map[string]bool{}
	for i := range steps {
		st := &steps[i]
		lowest := !seen[st.Kind]
		seen[st.Kind] = true
		if !st.Within {
			if lowest {
				v.Trusted = false
				if firstFail == nil {
					firstFail = st
				}
			}
			if st.Kind == KindRate {
				brokeRate = true
			} else {
				brokeStreams = true
			}
			continue
		}
		switch {
		case st.Kind == KindStreams && !brokeStreams:
			v.MaxStreams = st.Streams
		case st.Kind == KindRate && !brokeRate:
			v.MaxRate = st.Rate
		}
	}
	lim := c.Limit.String()
	switch {
	case len(steps) == 0:
		v.Text = "no step finished"
	case !v.Trusted:
		v.Text = fmt.Sprintf("this machine does not measure TTFT to within %s at p99 even at the lowest step (%s: %s outside the limit); do not trust its latency figures to that precision",
			lim, firstFail.StepPlan, strings.Join(firstFail.Failed, ", "))
	default:
		parts := []string{}
		if v.MaxStreams > 0 {
			parts = append(parts, fmt.Sprintf("%d concurrent streams", v.MaxStreams))
		}
		if v.MaxRate > 0 {
			parts = append(parts, fmt.Sprintf("%d req/s", v.MaxRate))
		}
		v.Text = fmt.Sprintf("this machine measures TTFT accurately (p99 error ≤ %s) up to %s", lim, strings.Join(parts, " / "))
	}
	// A busy machine explains a failure better than the harness does.
	var busiest float64
	for _, st := range steps {
		if !st.Within && st.Load1 != nil {
			busiest = max(busiest, *st.Load1)
		}
	}
	if cpus > 0 && busiest > float64(cpus) {
		v.Text += fmt.Sprintf(" (the system load average reached %.1f on %d CPUs during a step outside the limit: other processes competed for the CPUs; rerun on a quiet machine)", busiest, cpus)
	}
	return v
}

// WriteText writes the whole report as WriteHeader, one WriteStep per step
// and WriteVerdict would.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	writeHeader(ew, r.Machine, r.Config)
	for _, st := range r.Steps {
		writeStep(ew, st)
	}
	writeVerdict(ew, r.Verdict)
	return ew.err
}

// WriteHeader writes the lines that come before the first step, so a
// caller can print steps as they finish.
func WriteHeader(w io.Writer, c Config) error {
	ew := &errWriter{w: w}
	writeHeader(ew, thisMachine(), c.info())
	return ew.err
}

// WriteStep writes one step's line.
func WriteStep(w io.Writer, st Step) error {
	ew := &errWriter{w: w}
	writeStep(ew, st)
	return ew.err
}

// WriteVerdict writes the closing line.
func WriteVerdict(w io.Writer, v Verdict) error {
	ew := &errWriter{w: w}
	writeVerdict(ew, v)
	return ew.err
}

func writeHeader(w *errWriter, m Machine, c ConfigInfo) {
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	spread := fmt.Sprintf("streams spread over %d phases of the ITL", c.Phases)
	if c.Lockstep {
		spread = "every stream in lockstep"
	}
	w.printf("seedbench selfcheck: in-process mock on loopback, TTFT %v, ITL %v, %d tokens per answer, no jitter, %s\n",
		us(c.TTFTUS), us(c.ITLUS), c.Tokens, spread)
	load := ""
	if m.Load1 != nil {
		load = fmt.Sprintf(", load average %.2f", *m.Load1)
	}
	w.printf("%d CPUs (GOMAXPROCS %d%s), %s/%s, %s; %gs per step after %gs warm-up; limit: p99 ≤ %v\n",
		m.CPUs, m.GOMAXPROCS, load, m.OS, m.Arch, m.Go, c.DurationS, c.WarmupS, us(c.LimitUS))
	w.printf("errors = client measurement − server truth, in µs (method: go doc github.com/seedbench/seedbench/selfcheck);\n")
	w.printf("TTFT err p99 split = request in (client transport, loopback, mock's net/http) / mock writing the first token /\n")
	w.printf("  client reading it (the runner's own share); dials = requests that opened a new connection (left out of the TTFT error);\n")
	w.printf("CPU = runner + mock, in cores;\n")
	w.printf("load = system 1-minute load average at the step's end (above the CPU count, other processes competed)\n\n")
	w.printf("%-14s %6s %7s %5s  %-26s  %-20s  %-20s %8s %8s %5s %5s  %s\n", "step", "reqs", "req/s", "dials",
		"TTFT err min/p50/p99/max", "p99 req/mock/client", "|ITL err| p50/p99/max", "lag p99", "wake p99", "CPU", "load", "verdict")
}

func writeStep(w *errWriter, st Step) {
	lag := "-"
	if st.Lag != nil {
		lag = fmt.Sprint(st.Lag.P99)
	}
	wake := "-"
	if st.Wakeup != nil {
		wake = fmt.Sprint(st.Wakeup.P99)
	}
	cpu := "-"
	if st.CPU != nil {
		cpu = fmt.Sprintf("%.2f", st.CPU.Cores)
	}
	verdict := "ok"
	if !st.Within {
		verdict = "OUTSIDE: " + strings.Join(st.Failed, ", ")
	}
	if n := st.Dropped + sum(st.Errors); n > 0 {
		verdict += fmt.Sprintf(" (%d failed: %s)", n, errorList(st))
	}
	ttft := "-"
	if st.TTFTErr != nil {
		ttft = fmt.Sprintf("%d / %s", st.TTFTErr.Min, triple(st.TTFTErr))
	}
	load := "-"
	if st.Load1 != nil {
		load = fmt.Sprintf("%.1f", *st.Load1)
	}
	split := "-"
	if st.TTFTRequest != nil && st.TTFTMockWrite != nil && st.TTFTClientRead != nil {
		split = fmt.Sprintf("%d / %d / %d", st.TTFTRequest.P99, st.TTFTMockWrite.P99, st.TTFTClientRead.P99)
	}
	w.printf("%-14s %6d %7.1f %5d  %-26s  %-20s  %-20s %8s %8s %5s %5s  %s\n", st.StepPlan, st.Requests, st.RPS, st.NewConns,
		ttft, split, triple(st.ITLAbsErr), lag, wake, cpu, load, verdict)
}

func writeVerdict(w *errWriter, v Verdict) {
	w.printf("\n%s\n", v.Text)
}

func triple(d *Dist) string {
	if d == nil {
		return "-"
	}
	return fmt.Sprintf("%d / %d / %d", d.P50, d.P99, d.Max)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func errorList(st Step) string {
	var parts []string
	if st.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("dropped %d", st.Dropped))
	}
	for _, k := range slices.Sorted(maps.Keys(st.Errors)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, st.Errors[k]))
	}
	return strings.Join(parts, ", ")
}

// errWriter keeps the first write error so the text writers stay linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
