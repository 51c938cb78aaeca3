package runner

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// TrustLimit decides when a run's own timing is too poor to trust its
// latencies. A send is late when its schedule lag exceeds
//
//	limit = max(Floor, TTFTFraction · TTFT p50)
//
// A generator that sends 20 ms late cannot claim a 50 ms TTFT p99; a 5 ms
// floor keeps short mock runs, whose TTFT is tiny, from failing on timer
// granularity alone. The run is untrustworthy when, with at least
// MinSamples sends, more than LateShare of them were late; or when any send
// was later than MaxLagFactor × limit (one stall that long distorts every
// request around it); or, with fewer than MinSamples sends to judge (closed
// loop), when the wake-up probe (a goroutine sleeping 10 ms in a loop) was
// late by more than the limit at its p99. One scheduler hiccup among 50 sends is 2 % of
// them but under the max bound: it no longer flips the verdict alone.
//
// A closed-loop send has no plan time; its lag is the user's own delay
// between its previous answer and its next send, judged by the same share
// and max rules (the user delays' own samples and late count).
type TrustLimit struct {
	Floor        time.Duration
	TTFTFraction float64
	// LateShare, MinSamples and MaxLagFactor: zero means the default.
	LateShare    float64
	MinSamples   int64
	MaxLagFactor float64
}

// DefaultTrustLimit is 5 ms or 5% of TTFT p50, whichever is larger; at most
// 1 % of at least 100 sends late; no send later than 20 × the limit.
var DefaultTrustLimit = TrustLimit{Floor: 5 * time.Millisecond, TTFTFraction: 0.05}

const (
	defaultLateShare    = 0.01
	defaultMinSamples   = 100
	defaultMaxLagFactor = 20
)

// Limit is the lag allowed for a run whose TTFT p50 is ttftP50.
func (l TrustLimit) Limit(ttftP50 time.Duration) time.Duration {
	return max(l.Floor, time.Duration(l.TTFTFraction*float64(ttftP50)))
}

func (l TrustLimit) withDefaults() TrustLimit {
	if l.LateShare <= 0 {
		l.LateShare = defaultLateShare
	}
	if l.MinSamples <= 0 {
		l.MinSamples = defaultMinSamples
	}
	if l.MaxLagFactor <= 0 {
		l.MaxLagFactor = defaultMaxLagFactor
	}
	return l
}

// lateSends counts the sends of lag (µs) over limit.
func lateSends(lag *hdrhistogram.Histogram, limit time.Duration) (samples, late int64) {
	samples = lag.TotalCount()
	lim := limit.Microseconds()
	for _, b := range lag.Distribution() {
		if b.From > lim {
			late += b.Count
		}
	}
	return samples, late
}

// evaluate fills the verdict fields of t (LagSamples and LateSends set).
func (l TrustLimit) evaluate(t *Trust) {
	l = l.withDefaults()
	limit := l.Limit(time.Duration(t.TTFTP50US) * time.Microsecond)
	t.LagLimitUS = us(limit)
	maxLag := time.Duration(l.MaxLagFactor * float64(limit))
	share := 0.0
	if t.LagSamples > 0 {
		share = float64(t.LateSends) / float64(t.LagSamples)
	}
	userShare := 0.0
	if t.UserDelaySamples > 0 {
		userShare = float64(t.UserDelayLate) / float64(t.UserDelaySamples)
	}
	what := ""
	switch {
	case t.LagSamples >= l.MinSamples && share > l.LateShare:
		what = fmt.Sprintf("%d of %d requests (%.1f%%) were sent more than %s late (allowed %.0f%%; lag p99 %s)",
			t.LateSends, t.LagSamples, 100*share, fmtUS(t.LagLimitUS), 100*l.LateShare, fmtUS(t.LagP99US))
	case t.LagMaxUS > us(maxLag):
		what = fmt.Sprintf("a request was sent %s late, over %g × the limit %s", fmtUS(t.LagMaxUS), l.MaxLagFactor, fmtUS(t.LagLimitUS))
	case t.UserDelaySamples >= l.MinSamples && userShare > l.LateShare:
		what = fmt.Sprintf("%d of %d closed-loop requests (%.1f%%) were sent more than %s after the user's previous answer (allowed %.0f%%; per-user send delay p99 %s)",
			t.UserDelayLate, t.UserDelaySamples, 100*userShare, fmtUS(t.LagLimitUS), 100*l.LateShare, fmtUS(t.UserDelayP99US))
	case t.UserDelayMaxUS > us(maxLag):
		what = fmt.Sprintf("a closed-loop user sent %s after its previous answer, over %g × the limit %s", fmtUS(t.UserDelayMaxUS), l.MaxLagFactor, fmtUS(t.LagLimitUS))
	case t.LagSamples < l.MinSamples && t.WakeupP99US > t.LagLimitUS:
		// Closed loop (few or no planned sends to judge): the wake-up
		// probe is the evidence. With enough sends, their own lag is.
		what = fmt.Sprintf("the wake-up probe's p99 lag %s exceeds the limit %s: timers fired late, closed-loop users and sends alike", fmtUS(t.WakeupP99US), fmtUS(t.LagLimitUS))
	default:
		return
	}
	t.Untrustworthy = true
	t.Reason = what + "; " + t.likelyCause()
}

// likelyCause names what most probably delayed the generator, from the
// host figures recorded beside the verdict.
func (t *Trust) likelyCause() string {
	switch {
	case t.CPUs > 0 && t.LoadAvg1 > float64(t.CPUs):
		return fmt.Sprintf("load average %.1f on %d CPUs: other processes delayed the generator; rerun on a quiet machine or raise --max-lag", t.LoadAvg1, t.CPUs)
	case t.StealShare > 0.05:
		return fmt.Sprintf("CPU steal %.0f%%: the hypervisor gave this machine's CPUs to others; rerun on a quiet machine or raise --max-lag", 100*t.StealShare)
	case t.CPUShare > 0.8:
		return fmt.Sprintf("the generator used %.0f%% of the CPUs: it fell behind its schedule (lower the rate or use --workers)", 100*t.CPUShare)
	}
	return "the generator fell behind its schedule"
}

// hostSample is what the host says about its CPUs at one instant.
type hostSample struct{ steal, total int64 }

// sampleHost reads the CPU times of /proc/stat (Linux; zero elsewhere).
func sampleHost() hostSample {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return hostSample{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return hostSample{}
	}
	var s hostSample
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		s.total += n
		if i == 7 { // user nice system idle iowait irq softirq steal
			s.steal = n
		}
	}
	return s
}

// recordHost fills the host figures of t: load average now, CPU steal
// since start, the CPU count.
func (t *Trust) recordHost(start hostSample) {
	t.CPUs = runtime.NumCPU()
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			t.LoadAvg1, _ = strconv.ParseFloat(f[0], 64)
		}
	}
	end := sampleHost()
	if d := end.total - start.total; d > 0 {
		t.StealShare = float64(end.steal-start.steal) / float64(d)
	}
}

func fmtUS(v int64) string {
	return (time.Duration(v) * time.Microsecond).String()
}
