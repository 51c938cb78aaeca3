package run

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// DefaultStartTolerance is how late a shard may start after --start-at
// before it refuses to run: a late shard would shift its part of the plan.
const DefaultStartTolerance = 2 * time.Second

// checkStart returns an error when now is too far past the agreed start.
func checkStart(start, now time.Time, tolerance time.Duration) error {
	if late := now.Sub(start); late > tolerance {
		return fmt.Errorf("started %s after --start-at %s (tolerance %s); refusing to run late",
			late.Round(time.Millisecond), start.Format(time.RFC3339Nano), tolerance)
	}
	return nil
}

// DefaultDir is runs/<time>-<scenario name or file stem>.
func DefaultDir(scenario string) string {
	name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(scenario), ".yaml"), ".yml")
	return filepath.Join("runs", time.Now().Format("20060102-150405")+"-"+name)
}

// plannedOpenLoop counts the open-loop requests of the whole plan (all
// shards), for merge to find requests that left no record. Closed-loop
// stages make the count unknowable in advance, and a random pacer's count
// is only known by walking it, which is not done before the first request
// for more than about a million hits: 0 (unknown) in both cases.
func plannedOpenLoop(stages []runner.Stage) int64 {
	const walkLimit = 1 << 20
	var n int64
	for _, st := range stages {
		if !st.Open() {
			return 0
		}
		c, ok := runner.CountUpTo(st, walkLimit)
		if !ok {
			return 0
		}
		n += c
	}
	return n
}

// PlannedText is the plan's request count as validate and run print it:
// "600 requests planned", "~1200 requests planned" when estimated, with
// " + closed-loop" when a closed-loop stage adds uncounted requests;
// "8 sessions planned" for multi-turn sessions.
func PlannedText(plan *scenarios.Plan) string {
	n, exact, closed := plan.Requests()
	approx, more := "", ""
	if !exact {
		approx = "~"
	}
	if closed {
		more = " + closed-loop"
	}
	unit := "requests"
	if plan.Sessions != nil {
		unit = "sessions" // each of several turns
	}
	return fmt.Sprintf("%s%d %s planned%s", approx, n, unit, more)
}
