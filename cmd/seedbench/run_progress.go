package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seedbench/seedbench/runner"
	"golang.org/x/term"
)

// Progress of a run on stderr: a bar redrawn in place four times a second on
// a terminal, a plain line every --progress-every otherwise (CI logs, files),
// nothing with --quiet.
type progress struct {
	w     io.Writer
	tty   bool
	every time.Duration
	live  *runner.Live

	stop chan struct{}
	done sync.WaitGroup

	// recent (time, issued) samples for the achieved rate
	samples []rateSample
}

type rateSample struct {
	at     time.Time
	issued int64
}

const (
	ttyRefresh = 250 * time.Millisecond
	// rateWindow is how far back the achieved rate looks on a terminal.
	rateWindow = 5 * time.Second
)

// isTerminal reports whether w is a terminal: a file the terminal ioctl
// answers for. A character device is not enough: /dev/null is one, and a
// progress bar redrawn into it four times a second helps no one.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func startProgress(w io.Writer, tty bool, every time.Duration, live *runner.Live) *progress {
	p := &progress{w: w, tty: tty, every: every, live: live, stop: make(chan struct{}),
		samples: []rateSample{{at: time.Now()}}}
	interval := every
	if tty {
		interval = ttyRefresh
	}
	if interval <= 0 {
		return p
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				if p.tty {
					fmt.Fprint(p.w, "\r\x1b[2K") // leave a clean line for the summary
				}
				return
			case now := <-t.C:
				s := live.Snapshot()
				rate := p.rate(now, s.Issued)
				if p.tty {
					fmt.Fprint(p.w, "\r\x1b[2K"+barLine(s, rate))
				} else {
					fmt.Fprintln(p.w, plainLine(s, rate))
				}
			}
		}
	}()
	return p
}

// Stop ends the progress display; safe to call more than once.
func (p *progress) Stop() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.done.Wait()
}

// rate is the achieved send rate: requests issued over the last rateWindow
// on a terminal, since the previous line otherwise.
func (p *progress) rate(now time.Time, issued int64) float64 {
	p.samples = append(p.samples, rateSample{now, issued})
	if p.tty {
		// keep one sample at least rateWindow old as the base
		for len(p.samples) > 2 && now.Sub(p.samples[1].at) >= rateWindow {
			p.samples = p.samples[1:]
		}
	} else if len(p.samples) > 2 {
		p.samples = p.samples[len(p.samples)-2:]
	}
	first := p.samples[0]
	if d := now.Sub(first.at).Seconds(); d > 0 {
		return float64(issued-first.issued) / d
	}
	return 0
}

// barLine is the terminal line:
//
//	[#########-----------] 12s/20s  4.9/s of 5.0/s  in flight 3  ok 58  err 1  on time 59  late 1  drop 0  TTFT p50 152ms p99 310ms
//
// "warmup" precedes the clock while a warmup stage runs.
func barLine(s runner.Snapshot, rate float64) string {
	const width = 20
	filled := 0
	if s.Planned > 0 {
		filled = int(float64(width) * min(s.Elapsed.Seconds()/s.Planned.Seconds(), 1))
	}
	var b strings.Builder
	b.WriteString("[" + strings.Repeat("#", filled) + strings.Repeat("-", width-filled) + "] ")
	b.WriteString(clock(s))
	fmt.Fprintf(&b, "  %s  in flight %d  ok %d  err %d", rateText(s, rate), s.InFlight, s.OK, s.Failed)
	if s.OnTime+s.Late > 0 {
		fmt.Fprintf(&b, "  on time %d  late %d", s.OnTime, s.Late)
	}
	fmt.Fprintf(&b, "  drop %d", s.Dropped)
	if s.TTFTP50 > 0 {
		fmt.Fprintf(&b, "  TTFT p50 %s p99 %s", runner.ShortDuration(s.TTFTP50), runner.ShortDuration(s.TTFTP99))
	}
	return b.String()
}

// plainLine is the periodic line when stderr is not a terminal:
//
//	seedbench: 10s/20s  sent 50 (5.0/s of 5.0/s; 49 on time, 1 later than 5ms)  in flight 3  ok 45  errors 1 [http_429 1]  dropped 0  ttft p50 152ms p99 310ms  lag p99 0.3ms
//
// "warmup" precedes the clock while a warmup stage runs.
func plainLine(s runner.Snapshot, rate float64) string {
	var b strings.Builder
	b.WriteString("seedbench: " + clock(s))
	fmt.Fprintf(&b, "  sent %d (%s", s.Issued, rateText(s, rate))
	if s.OnTime+s.Late > 0 {
		fmt.Fprintf(&b, "; %d on time, %d later than %s", s.OnTime, s.Late, runner.ShortDuration(s.LateLimit))
	}
	fmt.Fprintf(&b, ")  in flight %d  ok %d  errors %d", s.InFlight, s.OK, s.Failed)
	if len(s.Errors) > 0 {
		var parts []string
		for _, c := range slices.Sorted(maps.Keys(s.Errors)) {
			parts = append(parts, fmt.Sprintf("%s %d", c, s.Errors[c]))
		}
		b.WriteString(" [" + strings.Join(parts, ", ") + "]")
	}
	fmt.Fprintf(&b, "  dropped %d", s.Dropped)
	if s.TTFTP50 > 0 {
		fmt.Fprintf(&b, "  ttft p50 %s p99 %s", runner.ShortDuration(s.TTFTP50), runner.ShortDuration(s.TTFTP99))
	}
	if s.LagP99 > 0 {
		fmt.Fprintf(&b, "  lag p99 %s", runner.ShortDuration(s.LagP99))
	}
	return b.String()
}

// clock is "elapsed/planned" (or just elapsed when the plan has no length),
// after "warmup " while a warmup stage runs: its figures count for nothing.
func clock(s runner.Snapshot) string {
	c := s.Elapsed.Truncate(time.Second).String()
	if s.Planned > 0 {
		c += "/" + s.Planned.Truncate(time.Second).String()
	}
	if s.Warmup {
		c = "warmup " + c
	}
	return c
}

// rateText is "achieved/target req/s" in an open-loop stage, "N users" in a
// closed-loop one.
func rateText(s runner.Snapshot, rate float64) string {
	if s.Concurrency > 0 {
		return fmt.Sprintf("%.1f req/s, %d users", rate, s.Concurrency)
	}
	return fmt.Sprintf("%.1f/s of %.1f/s", rate, s.TargetRate)
}
