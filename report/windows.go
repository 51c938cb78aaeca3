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
// Memory stays flat however many windows a soak has. Every window keeps
// five counters (issued, ok, failed; for a latency objective its values
// and how many were over the threshold), which judge it exactly: a
// window's q-quantile is over the threshold exactly when more than
// n − ⌈q·n⌉ of its n values are. The figure shown for it comes from a
// logHist (5 % bins): one per window while an objective has at most
// maxWindowHists windows; beyond that, adjacent windows share one (2, 4, 8
// … windows a histogram, a day of 1-second windows in 512 histograms), and
// a window's figure is read from its group's histogram on the side of the
// threshold its own counts put it (windowFigure) — so it never contradicts
// the window's verdict, within 2.5 % while a histogram is one window's.

// windowAcc accumulates one target's windowed objectives.
type windowAcc struct {
	objs  []scenarios.Objective
	wins  [][]winBucket // per objective, per window index
	hists []winHists    // per objective (latency objectives)
}

type winBucket struct {
	issued, ok, failed int64
	values, over       int64 // latency objectives: values of ok requests, and those over the threshold
}

// winHists are an objective's figure histograms, span windows to each.
type winHists struct {
	span  int64
	hists []*logHist
}

// maxWindowHists bounds the figure histograms of one objective on one
// target (1.8 KB each): a day of 5-minute windows keeps one per window.
const maxWindowHists = 512

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
	w.hists = make([]winHists, len(w.objs))
	for i := range w.hists {
		w.hists[i].span = 1
	}
	return &w
}

// add folds in one measured, sent (ok or failed) record.
func (w *windowAcc) add(r *runner.Result) {
	for i, o := range w.objs {
		idx := max(r.SentUS/o.Window.Microseconds(), 0)
		b := w.bucket(i, idx)
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
		h := w.hists[i].at(idx)
		limit := o.Threshold.Microseconds()
		record := func(us int64) {
			b.values++
			if us > limit {
				b.over++
			}
			h.record(us)
		}
		if m == ITL {
			for j := 1; j < len(r.EventsUS); j++ {
				record(r.EventsUS[j] - r.EventsUS[j-1])
			}
		} else if us, ok := Value(m, r); ok {
			record(us)
		}
	}
}

func (w *windowAcc) bucket(i int, idx int64) *winBucket {
	for int64(len(w.wins[i])) <= idx {
		w.wins[i] = append(w.wins[i], winBucket{})
	}
	return &w.wins[i][idx]
}

// at is the histogram of window idx's group, coarsening when the run
// outgrows maxWindowHists.
func (h *winHists) at(idx int64) *logHist {
	for idx/h.span >= maxWindowHists {
		h.coarsen()
	}
	g := int(idx / h.span)
	for len(h.hists) <= g {
		h.hists = append(h.hists, nil)
	}
	if h.hists[g] == nil {
		h.hists[g] = &logHist{}
	}
	return h.hists[g]
}

// coarsen merges pairs of histograms and doubles the span.
func (h *winHists) coarsen() {
	n := (len(h.hists) + 1) / 2
	for i := range n {
		a := h.hists[2*i]
		if 2*i+1 < len(h.hists) && h.hists[2*i+1] != nil {
			if a == nil {
				a = &logHist{}
			}
			a.merge(h.hists[2*i+1])
		}
		h.hists[i] = a
	}
	clear(h.hists[n:])
	h.hists = h.hists[:n]
	h.span *= 2
}

func (h *winHists) merge(o *winHists) {
	oc := &winHists{span: o.span}
	for _, x := range o.hists {
		var c *logHist
		if x != nil {
			c = &logHist{}
			c.merge(x)
		}
		oc.hists = append(oc.hists, c)
	}
	for oc.span < h.span {
		oc.coarsen()
	}
	for h.span < oc.span {
		h.coarsen()
	}
	for len(h.hists) < len(oc.hists) {
		h.hists = append(h.hists, nil)
	}
	for i, x := range oc.hists {
		if x == nil {
			continue
		}
		if h.hists[i] == nil {
			h.hists[i] = &logHist{}
		}
		h.hists[i].merge(x)
	}
}

func (w *windowAcc) merge(o *windowAcc) {
	for i := range o.wins {
		for j := range o.wins[i] {
			ob := &o.wins[i][j]
			b := w.bucket(i, int64(j))
			b.issued += ob.issued
			b.ok += ob.ok
			b.failed += ob.failed
			b.values += ob.values
			b.over += ob.over
		}
		w.hists[i].merge(&o.hists[i])
	}
}

// windowFigure is a latency window's q-quantile in µs and whether it is
// within limit (µs). Its rank from the top is r = n − ⌈q·n⌉ + 1 of its n
// values; it is over the limit exactly when r ≤ over. The value is read
// from the histogram h of the window (or of its group of windows): the
// r-th largest of the window's over values is taken at the same relative
// rank among h's values over the limit (and likewise below), then kept on
// its side of the limit.
func windowFigure(b winBucket, q float64, limit float64, h *logHist) (float64, bool) {
	n := b.values
	r := n - int64(math.Ceil(q*float64(n))) + 1
	r = min(max(r, 1), n)
	pass := r > b.over
	if h == nil || h.n == 0 {
		return limit, pass
	}
	below := h.countAtMost(limit)
	above := h.n - below
	if !pass {
		if above == 0 {
			return limit + 1, false
		}
		top := int64(math.Ceil(float64(r) / float64(b.over) * float64(above)))
		return max(h.valueAt(h.n-top+1), limit+1), false
	}
	if below == 0 {
		return limit, true
	}
	top := int64(math.Ceil(float64(r-b.over) / float64(n-b.over) * float64(below)))
	return min(h.valueAt(below-top+1), limit), true
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
	// HistogramSpan is how many windows share the histogram a latency
	// window's figure is read from: 1 while the objective has at most 512
	// windows, then 2, 4 … (its pass or fail is exact either way).
	HistogramSpan int64 `json:"histogram_span,omitempty"`
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
			out = append(out, judgeWindows(t.Name, o, w.wins[i], w.hists[i]))
		}
	}
	return out
}

func judgeWindows(target string, o scenarios.Objective, wins []winBucket, hists winHists) WindowedCheck {
	c := WindowedCheck{Target: target, Objective: o.Key(), Text: objectiveText(o) + " in every " + shortDur(o.Window) + " window",
		Window: o.Window.Seconds(), Op: objectiveOp(o), Limit: limitIn(o), Unit: unitOf(o), Pass: true, Worst: -1}
	if o.IsLatency() {
		c.HistogramSpan = hists.span
	}
	worst := math.NaN()
	for j, b := range wins {
		wv := WindowValue{Start: float64(j) * o.Window.Seconds(), Issued: b.issued}
		v := math.NaN()
		pass := false
		switch {
		case b.issued == 0:
		case o.IsLatency():
			// a logHist keeps no sum: means are judged over the whole run only
			if b.values > 0 && o.Stat != "mean" && o.Quantile > 0 {
				var h *logHist
				if g := int64(j) / hists.span; g < int64(len(hists.hists)) {
					h = hists.hists[g]
				}
				us, ok := windowFigure(b, o.Quantile, float64(o.Threshold.Microseconds()), h)
				v, pass = round3(us/1000), ok
			}
		case o.Metric == "availability":
			v = round6(float64(b.ok) / float64(b.issued))
			pass = o.Met(v)
		case o.Metric == "error_rate":
			v = round6(float64(b.failed) / float64(b.issued))
			pass = o.Met(v)
		}
		if !math.IsNaN(v) {
			wv.Measured = &v
			wv.Pass = pass
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
