package report

import (
	"fmt"
	"math"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/seedbench/seedbench/runner"
)

// Load delivered: what the plan asked of the generator and what it sent,
// per target and stage. A run whose load was not delivered measured a
// different workload than the one it names, whatever its latencies say.
//
//	planned   the stage's request count from the plan (the header), shared
//	          evenly among the targets (every prompt goes to each in turn)
//	sent      requests sent (succeeded or failed)
//	late      sent later than the run's lag limit after their planned time
//	dropped   planned but never sent (max_in_flight reached)
//	achieved  requests sent inside the stage's own window (by plan time for
//	          open-loop sends) ÷ its length: the load window, not the drain
//	          after it
//	target    the stage's planned rate for the target

// Delivered is the load delivered to one target (or all, Target "") in one
// stage.
type Delivered struct {
	Target     string  `json:"target"` // "" for every target together
	Stage      string  `json:"stage"`
	StageIndex int     `json:"stage_index"`
	Planned    int64   `json:"planned"` // -1: unknown in advance (closed loop)
	Sent       int64   `json:"sent"`
	SentLate   int64   `json:"sent_late"`
	Dropped    int64   `json:"dropped"`
	TargetRate float64 `json:"target_rate"` // req/s; 0 for a closed-loop stage
	Achieved   float64 `json:"achieved_rate"`
	Seconds    float64 `json:"seconds"` // the stage's load window
}

// stageAcc counts one target's requests in one stage.
type stageAcc struct {
	sent, dropped, inWindow int64
	last                    int64                   // latest plan (or send) time seen, µs
	lag                     *hdrhistogram.Histogram // of the open-loop requests sent
}

func newStageAcc() *stageAcc { return &stageAcc{lag: runner.NewHistogram(), last: -1} }

func (a *stageAcc) merge(o *stageAcc) {
	a.sent += o.sent
	a.dropped += o.dropped
	a.inWindow += o.inWindow
	a.last = max(a.last, o.last)
	a.lag.Merge(o.lag)
}

// countStage folds a measured record into its target's stage counts.
func (ag *aggregator) countStage(t *targetAcc, r *runner.Result) {
	if r.Stage < 0 || r.Stage > 1<<16 || r.Turn > 1 {
		return // a session's later turns are not arrivals: its stage delivers sessions
	}
	for len(t.stages) <= r.Stage {
		t.stages = append(t.stages, newStageAcc())
	}
	a := t.stages[r.Stage]
	at := r.SentUS
	if r.IntendedUS >= 0 {
		at = r.IntendedUS
	}
	a.last = max(a.last, at)
	if r.Status == runner.StatusDropped {
		a.dropped++
		return
	}
	a.sent++
	if r.IntendedUS >= 0 {
		runner.RecordMicros(a.lag, r.LagUS)
	}
	if r.Stage < len(ag.stages) {
		st := ag.stages[r.Stage]
		// An open-loop send belongs to the window its plan time is in
		// (the last one is planned at the window's very end, and sent a
		// moment after); how late it went is sent_late's business.
		from, to := int64(st.StartS*1e6), int64((st.StartS+st.Seconds)*1e6)
		if at >= from && at <= to {
			a.inWindow++
		}
	}
}

// delivered is the load delivered per target and measured stage, then per
// stage over every target. share is the part of the plan the files hold
// (their shards' share); lateUS the lag over which a send is late. A run
// that was cut short (interrupted, or a file without its footer) is judged
// over the part of each window it reached, not the plan's whole window.
func delivered(ag *aggregator, names []string, stages []runner.StageInfo, share float64, lateUS int64, cut bool) []Delivered {
	out := []Delivered{}
	n := len(stages)
	for _, name := range names {
		n = max(n, len(ag.targets[name].stages))
	}
	for i := range n {
		var info runner.StageInfo
		known := i < len(stages)
		if known {
			info = stages[i]
			if info.Warmup {
				continue
			}
		} else {
			info = runner.StageInfo{Name: fmt.Sprintf("stage %d", i), Planned: -1}
		}
		if info.Planned > 0 {
			info.Planned = int64(math.Round(float64(info.Planned) * share))
		}
		all := Delivered{Stage: info.Name, StageIndex: i, Planned: info.Planned, TargetRate: round6(info.Rate * share), Seconds: info.Seconds}
		allAcc := newStageAcc()
		accs := make([]*stageAcc, len(names))
		for j, name := range names {
			t := ag.targets[name]
			accs[j] = newStageAcc()
			if i < len(t.stages) {
				accs[j] = t.stages[i]
			}
			allAcc.merge(accs[j])
		}
		if cut && known {
			reached := math.Max(0, float64(allAcc.last)/1e6-info.StartS)
			if reached < all.Seconds {
				all.Seconds = round3(reached)
				all.Planned = -1 // the plan's count is of the whole window
			}
		}
		for j, name := range names {
			out = append(out, deliveredOf(accs[j], name, all, len(names), lateUS))
		}
		if len(names) > 1 { // with one target, its row is the stage's
			all = deliveredOf(allAcc, "", all, 1, lateUS)
			out = append(out, all)
		}
	}
	return out
}

// deliveredOf fills a Delivered from a stage's counts; the plan's figures
// are shared among n targets.
func deliveredOf(a *stageAcc, target string, stage Delivered, n int, lateUS int64) Delivered {
	d := stage
	d.Target = target
	if d.Planned > 0 && n > 1 {
		d.Planned = int64(math.Round(float64(d.Planned) / float64(n)))
	}
	d.TargetRate = round6(stage.TargetRate / float64(n))
	d.Sent, d.Dropped = a.sent, a.dropped
	if lateUS > 0 {
		d.SentLate = a.lag.TotalCount() - countAtMost(a.lag, lateUS)
	}
	if d.Seconds > 0 {
		d.Achieved = round6(float64(a.inWindow) / d.Seconds)
	}
	return d
}

// countAtMost is how many recorded values of h are at most v (µs).
func countAtMost(h *hdrhistogram.Histogram, v int64) int64 {
	var n int64
	for _, b := range h.Distribution() {
		if b.To <= v {
			n += b.Count
		}
	}
	return n
}

// loadHeader and loadRow are the per-stage load table every format shows:
// the same columns and cells, so text, Markdown and HTML cannot disagree.
var loadHeader = []string{"target", "stage", "planned", "sent", "sent late", "dropped", "target req/s", "achieved req/s", "window"}

// loadRow formats one Delivered: "-" for what the plan does not fix in
// advance (a closed-loop stage's count and rate).
func loadRow(d Delivered) []string {
	target := d.Target
	if target == "" {
		target = "all"
	}
	planned, rate := "-", "-"
	if d.Planned >= 0 {
		planned = itoa(d.Planned)
	}
	if d.TargetRate > 0 {
		rate = fmtRate(d.TargetRate)
	}
	return []string{target, d.Stage, planned, itoa(d.Sent), itoa(d.SentLate), itoa(d.Dropped), rate, fmtRate(d.Achieved), fmt.Sprintf("%.1fs", d.Seconds)}
}

// loadCaption says what the table's columns are measured against.
func loadCaption(s *Summary) string {
	late := "sent late: over the run's lag limit"
	if s.Trust != nil && s.Trust.LagLimitUS > 0 {
		late = "sent late: over the lag limit " + fmtMS(float64(s.Trust.LagLimitUS)/1000)
	}
	return "per target and measured stage; " + late + "; achieved over the stage's own window, not the drain"
}

func loadRows(s *Summary) [][]string {
	rows := make([][]string, len(s.Load))
	for i, d := range s.Load {
		rows[i] = loadRow(d)
	}
	return rows
}
