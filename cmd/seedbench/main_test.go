package main

import (
	"context"
	"os"
	"testing"
)

// asMainEnv makes the test binary act as the seedbench command, so tests of
// --workers can fork it like the real executable forks itself.
const asMainEnv = "SEEDBENCH_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(Main(context.Background(), os.Args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
