package main

import (
	"context"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// asMainEnv makes the test binary act as the seedbench command, so tests of
// --workers can fork it like the real executable forks itself.
const asMainEnv = "SEEDBENCH_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(Main(context.Background(), os.Args, os.Stdout, os.Stderr))
	}
	// Calibrations a run caches go to a directory of the tests' own, never
	// the user's cache.
	dir, err := os.MkdirTemp("", "seedbench-cache")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	os.Setenv("XDG_CACHE_HOME", dir)
	// No goroutine may outlive the tests: every run, mock and metrics
	// server a command starts is stopped before it returns.
	goleak.VerifyTestMain(m)
}
