package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/seedbench/seedbench/run"
	"github.com/seedbench/seedbench/runner"
	"github.com/urfave/cli/v2"
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

// getenv is os.Getenv, replaceable in tests.
var getenv = os.Getenv

// sharding is what the sharding flags of run say.
type sharding struct {
	Shard     runner.Shard
	StartAt   time.Time // zero: start now
	Tolerance time.Duration
}

// shardingFlags are the run command's sharding flags. urfave/cli keeps a
// flag's parsed state in the flag value itself, so every app gets its own
// (tests run commands in parallel).
func shardingFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "shard", Usage: "run only shard `INDEX/COUNT` of the plan (requests with k mod COUNT == INDEX); auto/COUNT takes INDEX from JOB_COMPLETION_INDEX"},
		&cli.StringFlag{Name: "start-at", Usage: "the agreed start instant of every shard, `RFC3339` or Unix nanoseconds"},
		&cli.DurationFlag{Name: "start-tolerance", Value: run.DefaultStartTolerance, Usage: "how late after --start-at a shard may still start (later: exit 3)"},
		&cli.IntFlag{Name: "workers", Usage: "fork `N` worker processes on this machine, one shard each, and merge their results"},
	}
}

func shardingFromFlags(c *cli.Context) (sharding, error) {
	sh, err := parseShard(c.String("shard"), getenv)
	if err != nil {
		return sharding{}, usageErr("%v", err)
	}
	at, err := parseStartAt(c.String("start-at"))
	if err != nil {
		return sharding{}, usageErr("%v", err)
	}
	if c.Int("workers") < 0 {
		return sharding{}, usageErr("--workers %d: want a positive number", c.Int("workers"))
	}
	if c.Int("workers") > 0 && c.IsSet("shard") {
		return sharding{}, usageErr("--workers and --shard do not go together: --workers makes its own shards")
	}
	if sh.Count > 1 && at.IsZero() {
		return sharding{}, usageErr("--shard %s needs --start-at: every shard must start at the same instant", c.String("shard"))
	}
	return sharding{Shard: sh, StartAt: at, Tolerance: c.Duration("start-tolerance")}, nil
}
