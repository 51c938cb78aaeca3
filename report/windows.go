package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// Windowed objectives ({max: 2s, window: 5m}) are judged in every window of
// the run as well as over all of it: the windows tile the run from its start
// (offset 0) by send time; a window's latency percentile is of its
// successful requests, its availability of the requests sent in it (dropped
// ones were never sent). The objective holds when every window with
// requests holds; the report shows each window's figure as a timeline and
// names the worst.
//
// Per window a latency objective keeps a logHist (5 % bins, within 2.5 %
// of the exact percentile), not an HDR histogram: a day of 5-minute windows
// is 288 of them.

// windowAcc accumulates one target's windowed objectives.
type windowAcc struct {
	objs []scenarios.Objective
	wins [][]winBucket // per objective, per window index
}

type winBucket struct {
	issued, ok, failed int64
	hist               *logHist // latency objectives: values of ok requests
}

func newWindowAcc(objs []scenarios.Objective) *windowAcc {
	var w windowAcc
	for _, o := range objs {
		if o.Window > 0 {
			w.objs = append(w.objs, o)
		}
	}
	if len(w.objs) == 0 {
		return nil
	}
	w.wins = make([][]winBucket, len(w.objs))
	return &w
}

// add folds in one measured, sent (ok or failed) record.
func (w *windowAcc) add(r *runner.Result) {
	for i, o := range w.objs {
		b := w.bucket(i, r.SentUS/o.Window.Microseconds())
		b.issued++
		if !r.OK() {
			b.failed++
			continue
		}
		b.ok++
		if !o.IsLatency() {
			continue
		}
		m, ok := ParseMetric(o.Metric)
		if !ok {
			continue
		}
		if b.hist == nil {
			b.hist = &logHist{}
		}
		if m == ITL {
			for j := 1; j < len(r.EventsUS); j++ {
				b.hist.record(r.EventsUS[j] - r.EventsUS[j-1])
			}
		} else if us, ok := Value(m, r); ok {
			b.hist.record(us)
		}
	}
}

func (w *windowAcc) bucket(i int, idx int64) *winBucket {
	idx = max(idx, 0)
	for int64(len(w.wins[i])) <= idx {
		w.wins[i] = append(w.wins[i], winBucket{})
	}
	return &w.wins[i][idx]
}

func (w *windowAcc) merge(o *windowAcc) {
	for i := range o.wins {
		for j := range o.wins[i] {
			ob := &o.wins[i][j]
			b := w.bucket(i, int64(j))
			b.issued += ob.issued
			b.ok += ob.ok
			b.failed += ob.failed
			if ob.hist != nil {
				if b.hist == nil {
					b.hist = &logHist{}
				}
				b.hist.merge(ob.hist)
			}
		}
	}
}

// WindowedCheck is one windowed objective judged on one target, window by
// window.
type WindowedCheck struct {
	Target    string  `json:"target"`
	Objective string  `json:"objective"` // "ttft_p99"
	Text      string  `json:"text"`      // "ttft_p99 <= 2s in every 5m window"
	Window    float64 `json:"window_s"`
	Op        string  `json:"op"`
	Limit     float64 `json:"limit"` // ms for latency, else a fraction
	Unit      string  `json:"unit"`
	Pass      bool    `json:"pass"`   // every window with requests passed
	Failed    int     `json:"failed"` // windows that failed
	// Worst is the index in Windows of the worst window (-1 when none had
	// requests).
	Worst   int           `json:"worst"`
	Windows []WindowValue `json:"windows"`
}

// WindowValue is one window's figure.
type WindowValue struct {
	Start    float64  `json:"start_s"` // offset from the run's start
	Issued   int64    `json:"issued"`
	Measured *float64 `json:"measured"` // null: nothing to measure in it
	Pass     bool     `json:"pass"`
}

// windowChecks judges every windowed objective; each also joins the
// verdict as one check carrying the worst window's figure.
func windowChecks(s *Summary, accs map[string]*windowAcc) []WindowedCheck {
	var out []WindowedCheck
	for _, t := range s.Targets {
		w := accs[t.Name]
		if w == nil {
			continue
		}
		for i, o := range w.objs {
			out = append(out, judgeWindows(t.Name, o, w.wins[i]))
		}
	}
	return out
}

func judgeWindows(target string, o scenarios.Objective, wins []winBucket) WindowedCheck {
	c := WindowedCheck{Target: target, Objective: o.Key(), Text: objectiveText(o) + " in every " + shortDur(o.Window) + " window",
		Window: o.Window.Seconds(), Op: objectiveOp(o), Limit: limitIn(o), Unit: unitOf(o), Pass: true, Worst: -1}
	worst := math.NaN()
	for j, b := range wins {
		wv := WindowValue{Start: float64(j) * o.Window.Seconds(), Issued: b.issued}
		v := math.NaN()
		switch {
		case b.issued == 0:
		case o.IsLatency():
			if b.hist != nil && b.hist.n > 0 {
				if q := o.Quantile; o.Stat == "mean" || q <= 0 {
					v = math.NaN() // a logHist keeps no sum: means are judged over the whole run only
				} else {
					v = round3(b.hist.quantile(q) / 1000)
				}
			}
		case o.Metric == "availability":
			v = round6(float64(b.ok) / float64(b.issued))
		case o.Metric == "error_rate":
			v = round6(float64(b.failed) / float64(b.issued))
		}
		if !math.IsNaN(v) {
			wv.Measured = &v
			if o.IsLatency() {
				wv.Pass = v <= c.Limit // both in ms
			} else {
				wv.Pass = o.Met(v)
			}
			if !wv.Pass {
				c.Pass = false
				c.Failed++
			}
			if math.IsNaN(worst) || (c.Op == "<=" && v > worst) || (c.Op == ">=" && v < worst) {
				worst, c.Worst = v, j
			}
		}
		c.Windows = append(c.Windows, wv)
	}
	if c.Worst < 0 {
		c.Pass = false // nothing measured in any window must not pass silently
	}
	return c
}

// asCheck is the windowed check as one line of the verdict: the worst
// window's figure.
func (c WindowedCheck) asCheck(source string) Check {
	ch := Check{Target: c.Target, Objective: c.Objective + "@" + shortDur(time.Duration(c.Window*float64(time.Second))), Op: c.Op, Limit: c.Limit,
		Unit: c.Unit, Pass: c.Pass, Source: source, Text: c.Text}
	if c.Worst >= 0 {
		w := c.Windows[c.Worst]
		ch.Measured = w.Measured
		ch.Basis = fmt.Sprintf("worst of %d windows (from %s), %d failed", len(c.Windows), shortDur(time.Duration(w.Start*float64(time.Second))), c.Failed)
	} else {
		ch.Basis = "no window had requests"
	}
	return ch
}

// shortDur is "5m", "1h", "10s", "1h30m".
func shortDur(d time.Duration) string {
	s := d.String()
	s = strings.Replace(s, "m0s", "m", 1)
	s = strings.Replace(s, "h0m", "h", 1)
	return s
}

// writeWindowTimelines draws each windowed check as a row of marks, one a
// window (✓ pass, ✗ fail, · no requests), and names the worst window:
//
//	[mini] ttft_p99 <= 2s in every 5m window: FAIL, 2 of 12 windows
//	  ✓✓✓✗✗✓✓✓✓✓✓✓   worst 15m–20m: 3.12s
func writeWindowTimelines(w io.Writer, s *Summary, indent string) {
	for _, c := range s.SLO.Windows {
		verdict := "PASS"
		if !c.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "%s[%s] %s: %s, %d of %d windows failed\n", indent, c.Target, c.Text, verdict, c.Failed, len(c.Windows))
		var marks strings.Builder
		for _, v := range c.Windows {
			switch {
			case v.Measured == nil:
				marks.WriteString("·")
			case v.Pass:
				marks.WriteString("✓")
			default:
				marks.WriteString("✗")
			}
		}
		worst := ""
		if c.Worst >= 0 {
			v := c.Windows[c.Worst]
			win := time.Duration(c.Window * float64(time.Second))
			start := time.Duration(v.Start * float64(time.Second))
			worst = fmt.Sprintf("   worst %s–%s: %s", shortDur(start), shortDur(start+win), fmtWindowValue(c, *v.Measured))
		}
		fmt.Fprintf(w, "%s  %s%s\n", indent, marks.String(), worst)
	}
}

func fmtWindowValue(c WindowedCheck, v float64) string {
	if c.Unit == "ms" {
		return time.Duration(v * float64(time.Millisecond)).Round(time.Millisecond / 10).String()
	}
	return fmt.Sprintf("%.3f%%", 100*v)
}

func windowAccs(ag *aggregator) map[string]*windowAcc {
	m := map[string]*windowAcc{}
	for name, t := range ag.targets {
		if t.windows != nil {
			m[name] = t.windows
		}
	}
	return m
}

// windowSource is where the windowed objective came from (scenario, flag).
func windowSource(objs []scenarios.Objective, c WindowedCheck) string {
	for _, o := range objs {
		if o.Key() == c.Objective && o.Window > 0 && (o.Target == "" || o.Target == c.Target) {
			return o.Source
		}
	}
	return ""
}
