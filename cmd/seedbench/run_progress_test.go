package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
)

func TestProgressLines(t *testing.T) {
	t.Parallel()
	s := runner.Snapshot{Elapsed: 12*time.Second + 300*time.Millisecond, Planned: 20 * time.Second, TargetRate: 5,
		Issued: 60, OK: 55, Failed: 2, Dropped: 1, InFlight: 3, TTFTP50: 152 * time.Millisecond, TTFTP99: 1240 * time.Millisecond,
		LagP99: 310 * time.Microsecond, Errors: map[string]int64{"http_429": 1, "timeout": 1},
		OnTime: 58, Late: 2, LateLimit: 5 * time.Millisecond}
	warm := runner.Snapshot{Elapsed: 3 * time.Second, Planned: 20 * time.Second, TargetRate: 5, Warmup: true, Issued: 15, OK: 14, InFlight: 1, OnTime: 15, LateLimit: 5 * time.Millisecond}
	for _, tc := range []struct{ got, want string }{
		// a terminal: 12 of 20 s is 12 of 20 bar cells
		{barLine(s, 4.94), "[############--------] 12s/20s  4.9/s of 5.0/s  in flight 3  ok 55  err 2  on time 58  late 2  drop 1  TTFT p50 152ms p99 1.24s"},
		// a log: errors by class, sends on time and late, lag
		{plainLine(s, 4.94), "seedbench: 12s/20s  sent 60 (4.9/s of 5.0/s; 58 on time, 2 later than 5ms)  in flight 3  ok 55  errors 2 [http_429 1, timeout 1]  dropped 1  ttft p50 152ms p99 1.24s  lag p99 310µs"},
		// a warmup stage says so
		{barLine(warm, 5), "[###-----------------] warmup 3s/20s  5.0/s of 5.0/s  in flight 1  ok 14  err 0  on time 15  late 0  drop 0"},
		{plainLine(warm, 5), "seedbench: warmup 3s/20s  sent 15 (5.0/s of 5.0/s; 15 on time, 0 later than 5ms)  in flight 1  ok 14  errors 0  dropped 0"},
		// a closed-loop stage shows its users
		{plainLine(runner.Snapshot{Elapsed: time.Second, Concurrency: 8}, 12), "seedbench: 1s  sent 0 (12.0 req/s, 8 users)  in flight 0  ok 0  errors 0  dropped 0"},
	} {
		if tc.got != tc.want {
			t.Errorf("got  %q\nwant %q", tc.got, tc.want)
		}
	}
}

// /dev/null is a character device but no terminal: progress written there
// is lines (or nothing), never a redrawn bar. So are a pipe and a file.
func TestIsTerminal(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, f := range []*os.File{devNull, w, file} {
		if isTerminal(f) {
			t.Errorf("isTerminal(%s) = true", f.Name())
		}
	}
	if isTerminal(&strings.Builder{}) {
		t.Error("isTerminal(a strings.Builder) = true")
	}
}
