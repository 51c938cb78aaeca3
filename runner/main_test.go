package runner

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The benchmarks re-run this test binary as a mock server process (see
	// mockProcess), so the runner's CPU and memory are measured alone.
	if spec := os.Getenv(mockProcessEnv); spec != "" {
		os.Exit(serveMockProcess(spec))
	}
	if cfg := os.Getenv(ssetargetProcessEnv); cfg != "" {
		os.Exit(serveSSETargetProcess(cfg))
	}
	goleak.VerifyTestMain(m)
}
