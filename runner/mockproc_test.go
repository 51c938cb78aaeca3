package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver"
)

// mockProcessEnv carries a mockSpec to the child process.
const mockProcessEnv = "SEEDBENCH_TEST_MOCK_PROCESS"

// mockSpec is the mock a benchmark wants, with Mini set to fixed timing.
type mockSpec struct {
	TimeScale   float64       `json:"time_scale"`
	Truth       bool          `json:"truth"`
	TTFT        time.Duration `json:"ttft"`
	ITL         time.Duration `json:"itl"`
	Spread      float64       `json:"spread"` // ITL jitter (lognormal sigma)
	Tokens      int           `json:"tokens"`
	MaxInFlight int           `json:"max_in_flight"`
}

func (s mockSpec) config() mockserver.Config {
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale, cfg.Truth = s.TimeScale, s.Truth
	quietProfile(&cfg, s.TTFT, s.ITL, s.Tokens)
	p := cfg.Models["doubao-seed-2.0-mini"]
	p.MaxInFlight, p.MaxQueue = max(s.MaxInFlight, 1), 0
	p.ITLSpread = s.Spread
	p.PrefixCache = mockserver.CacheConfig{} // every request costs the same
	cfg.Models["doubao-seed-2.0-mini"] = p
	return cfg
}

// serveMockProcess runs in the child: it serves the mock on a loopback port,
// prints the address, and exits when its stdin closes (the parent ended).
func serveMockProcess(specJSON string) int {
	var spec mockSpec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "mock process:", err)
		return 2
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mock process:", err)
		return 2
	}
	ms := mockserver.New(spec.config())
	srv := &http.Server{Handler: ms, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with the process
	fmt.Println(ln.Addr().String())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// mockProcess starts the mock in a child process and returns its OpenAI
// base URL; the child ends with the benchmark.
func mockProcess(b testing.TB, spec mockSpec) string {
	b.Helper()
	js, _ := json.Marshal(spec)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mockProcessEnv+"="+string(js))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("mock process: %v", err)
	}
	return "http://" + strings.TrimSpace(line) + "/v1"
}
