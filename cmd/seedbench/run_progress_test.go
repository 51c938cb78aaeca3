package main

import (
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
)

func TestProgressLines(t *testing.T) {
	t.Parallel()
	s := runner.Snapshot{Elapsed: 12*time.Second + 300*time.Millisecond, Planned: 20 * time.Second, TargetRate: 5,
		Issued: 60, OK: 55, Failed: 2, Dropped: 1, InFlight: 3, TTFTP50: 152 * time.Millisecond, TTFTP99: 1240 * time.Millisecond,
		LagP99: 310 * time.Microsecond, Errors: map[string]int64{"http_429": 1, "timeout": 1}}
	for _, tc := range []struct{ got, want string }{
		// a terminal: 12 of 20 s is 12 of 20 bar cells
		{barLine(s, 4.94), "[############--------] 12s/20s  4.9/s of 5.0/s  in flight 3  ok 55  err 2  drop 1  TTFT p50 152ms p99 1.24s"},
		// a log: errors by class, lag
		{plainLine(s, 4.94), "seedbench: 12s/20s  sent 60 (4.9/s of 5.0/s)  in flight 3  ok 55  errors 2 [http_429 1, timeout 1]  dropped 1  ttft p50 152ms p99 1.24s  lag p99 310µs"},
		// a closed-loop stage shows its users
		{plainLine(runner.Snapshot{Elapsed: time.Second, Concurrency: 8}, 12), "seedbench: 1s  sent 0 (12.0 req/s, 8 users)  in flight 0  ok 0  errors 0  dropped 0"},
	} {
		if tc.got != tc.want {
			t.Errorf("got  %q\nwant %q", tc.got, tc.want)
		}
	}
}
