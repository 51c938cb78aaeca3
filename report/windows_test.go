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
			c := judgeWindows("mini", tc.obj, w2.wins[0])
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
