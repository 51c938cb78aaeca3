package report

import (
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

func windowed(t *testing.T, name, value string, w time.Duration) scenarios.Objective {
	t.Helper()
	o, err := scenarios.ParseObjective(name, value)
	if err != nil {
		t.Fatal(err)
	}
	o.Window = w
	return o
}

// feed adds n requests sent at second sec: failed of them fail, the others
// succeed with TTFT ttft.
func feed(w *windowAcc, sec float64, n, failed int, ttft time.Duration) {
	for i := range n {
		r := &runner.Result{SentUS: int64(sec * 1e6), Status: runner.StatusOK, TTFTUS: ttft.Microseconds(), E2EUS: 2 * ttft.Microseconds()}
		if i < failed {
			r.Status, r.ErrorClass = runner.StatusError, runner.ClassHTTP5xx
		}
		w.add(r)
	}
}

func TestJudgeWindows(t *testing.T) {
	avail := windowed(t, "availability", "99%", 10*time.Second)
	ttft := windowed(t, "ttft_p99", "500ms", 10*time.Second)
	for _, tc := range []struct {
		name       string
		obj        scenarios.Objective
		fill       func(w *windowAcc)
		pass       bool
		failed     int
		worst      int
		timeline   string
		worstValue float64
	}{
		// every window at 100 %
		{"all good", avail, func(w *windowAcc) { feed(w, 1, 100, 0, 0); feed(w, 15, 100, 0, 0); feed(w, 25, 100, 0, 0) }, true, 0, 0, "✓✓✓", 1},
		// 5 % failures in the middle window only: 1.7 % over the run, but that window fails
		{"one bad window", avail, func(w *windowAcc) { feed(w, 1, 100, 0, 0); feed(w, 15, 100, 5, 0); feed(w, 25, 100, 0, 0) }, false, 1, 1, "✓✗✓", 0.95},
		// a window with no requests neither passes nor fails
		{"a gap", avail, func(w *windowAcc) { feed(w, 1, 100, 0, 0); feed(w, 25, 100, 1, 0) }, true, 0, 2, "✓·✓", 0.99},
		// latency: the slow window's p99 is over 500 ms
		{"slow window", ttft, func(w *windowAcc) {
			feed(w, 1, 100, 0, 100*time.Millisecond)
			feed(w, 12, 100, 0, 900*time.Millisecond)
		}, false, 1, 1, "✓✗", 900},
		// failed requests have no latency: a window of failures only has no figure
		{"failures only", ttft, func(w *windowAcc) { feed(w, 1, 100, 0, 100*time.Millisecond); feed(w, 12, 10, 10, 0) }, true, 0, 0, "✓·", 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWindowAcc([]scenarios.Objective{tc.obj})
			tc.fill(w)
			// and merging two halves gives the same as one
			w2 := newWindowAcc([]scenarios.Objective{tc.obj})
			w2.merge(w)
			c := judgeWindows("mini", tc.obj, w2.wins[0], w2.hists[0])
			if c.Pass != tc.pass || c.Failed != tc.failed || c.Worst != tc.worst {
				t.Errorf("pass %v failed %d worst %d, want %v %d %d", c.Pass, c.Failed, c.Worst, tc.pass, tc.failed, tc.worst)
			}
			if got := *c.Windows[c.Worst].Measured; got < tc.worstValue*0.97 || got > tc.worstValue*1.03 {
				t.Errorf("worst window %v, want %v within the 2.5 %% of a window histogram", got, tc.worstValue)
			}
			var b strings.Builder
			writeWindowTimelines(&b, &Summary{SLO: Verdict{Windows: []WindowedCheck{c}}}, "")
			if !strings.Contains(b.String(), "\n  "+tc.timeline+"   worst ") {
				t.Errorf("timeline:\n%s\nwant marks %s", b.String(), tc.timeline)
			}
		})
	}
}

// TestWindowFigure: a window's verdict comes from its exact counts, its
// figure from a histogram, on the verdict's side of the limit.
func TestWindowFigure(t *testing.T) {
	hist := func(values ...int64) *logHist {
		h := &logHist{}
		for _, v := range values {
			h.record(v)
		}
		return h
	}
	many := func(n int, v int64) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		b      winBucket
		q      float64
		h      *logHist
		pass   bool
		lo, hi float64 // µs
	}{
		// 100 values, p99 is the 2nd largest (r = 100 − 99 + 1 = 2): one
		// over the 500 ms limit passes, two fail
		{"one over passes", winBucket{values: 100, over: 1}, 0.99, hist(append(many(99, 100_000), 900_000)...), true, 97_000, 103_000},
		{"two over fail", winBucket{values: 100, over: 2}, 0.99, hist(append(many(98, 100_000), 900_000, 900_000)...), false, 877_000, 923_000},
		// max: any value over fails
		{"max", winBucket{values: 10, over: 1}, 1, hist(append(many(9, 100_000), 600_000)...), false, 585_000, 615_000},
		// a group histogram (this window and a slower neighbour): the
		// window's own counts say it passes, so its figure stays at or
		// below the limit though the group's p99 is over it
		{"group, passing window", winBucket{values: 100, over: 0}, 0.99, hist(append(many(100, 100_000), many(100, 900_000)...)...), true, 97_000, 103_000},
		// and a failing window in a fast group is put just over the limit
		{"group, failing window", winBucket{values: 100, over: 5}, 0.99, hist(many(200, 100_000)...), false, 500_001, 500_001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, pass := windowFigure(tc.b, tc.q, 500_000, tc.h)
			if pass != tc.pass || v < tc.lo || v > tc.hi {
				t.Errorf("figure %.0f µs pass %v, want %v in [%.0f, %.0f]", v, pass, tc.pass, tc.lo, tc.hi)
			}
		})
	}
}

// TestWindowHistogramsBounded: a day of 1-second windows keeps 512
// figure histograms, not 86,400, and still judges every window exactly.
func TestWindowHistogramsBounded(t *testing.T) {
	o := windowed(t, "ttft_p99", "500ms", time.Second)
	w := newWindowAcc([]scenarios.Objective{o})
	const days = 86_400
	for sec := range days {
		ttft := 100 * time.Millisecond
		if sec == 50_000 {
			ttft = 900 * time.Millisecond // one slow second
		}
		feed(w, float64(sec)+0.5, 3, 0, ttft)
	}
	if h := w.hists[0]; len(h.hists) > maxWindowHists || h.span != 256 {
		t.Fatalf("%d histograms of %d windows each, want at most %d", len(h.hists), h.span, maxWindowHists)
	}
	c := judgeWindows("mini", o, w.wins[0], w.hists[0])
	if len(c.Windows) != days || c.Failed != 1 || c.Worst != 50_000 || c.Windows[50_000].Pass || !c.Windows[49_999].Pass {
		t.Fatalf("%d windows, %d failed, worst %d", len(c.Windows), c.Failed, c.Worst)
	}
	// its group is 255 fast seconds and this one: the figure is read from
	// the group's values over the limit, the slow second's own
	if v := *c.Windows[50_000].Measured; v < 877 || v > 923 {
		t.Errorf("slow window's figure %v ms, want 900 within 2.5 %%", v)
	}
	if v := *c.Windows[50_001].Measured; v < 97 || v > 103 || c.HistogramSpan != 256 {
		t.Errorf("fast neighbour's figure %v ms (span %d), want 100", v, c.HistogramSpan)
	}
}
