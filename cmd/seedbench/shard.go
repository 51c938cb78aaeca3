package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/seedbench/seedbench/runner"
)

// parseShard reads "--shard i/N", or "auto/N" to take i from the Kubernetes
// Indexed Job's JOB_COMPLETION_INDEX.
func parseShard(s string, getenv func(string) string) (runner.Shard, error) {
	if s == "" {
		return runner.Shard{Index: 0, Count: 1}, nil
	}
	is, ns, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return runner.Shard{}, fmt.Errorf("--shard %q: want INDEX/COUNT such as 0/4, or auto/4", s)
	}
	if is == "auto" {
		is = getenv("JOB_COMPLETION_INDEX")
		if is == "" {
			return runner.Shard{}, fmt.Errorf("--shard %q: JOB_COMPLETION_INDEX is not set (auto is for Kubernetes Indexed Jobs)", s)
		}
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return runner.Shard{}, fmt.Errorf("--shard %q: index %q is not a number in 0..%d", s, is, n-1)
	}
	return runner.Shard{Index: i, Count: n}, nil
}

// parseStartAt reads an RFC 3339 instant or Unix nanoseconds.
func parseStartAt(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if ns, err := strconv.ParseInt(s, 10, 64); err == nil && ns > 0 {
		return time.Unix(0, ns), nil
	}
	return time.Time{}, fmt.Errorf("--start-at %q: want RFC 3339 (2026-05-01T12:00:00Z) or Unix nanoseconds", s)
}

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

// getenv is os.Getenv, replaceable in tests.
var getenv = os.Getenv
