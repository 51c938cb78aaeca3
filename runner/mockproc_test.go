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

	"github.com/seedbench/seedbench/bench/ssetarget"
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
	return "http://" + childServer(b, mockProcessEnv, string(js)) + "/v1"
}

// ssetargetProcessEnv carries an ssetarget.Config to the child process.
const ssetargetProcessEnv = "SEEDBENCH_TEST_SSETARGET_PROCESS"

// serveSSETargetProcess runs in the child: the minimal SSE server on a
// loopback port, until stdin closes.
func serveSSETargetProcess(cfgJSON string) int {
	var cfg ssetarget.Config
	if err := json.Unmarshal([]byte(cfgJSON), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "ssetarget process:", err)
		return 2
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ssetarget process:", err)
		return 2
	}
	s := ssetarget.Start(ln, cfg)
	fmt.Println(ln.Addr().String())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = s.Close()
	return 0
}

// ssetargetProcess starts the minimal SSE server (bench/ssetarget) in a
// child process and returns its base URL: a load target whose CPU is not
// the benchmark process's, so the client's own CPU is measured alone.
func ssetargetProcess(b testing.TB, cfg ssetarget.Config) string {
	b.Helper()
	js, _ := json.Marshal(cfg)
	return "http://" + childServer(b, ssetargetProcessEnv, string(js)) + "/v1"
}

// childServer re-runs this test binary with env=value set (TestMain then
// serves instead of testing), and returns the address it printed; the child
// ends when the benchmark does (its stdin closes).
func childServer(b testing.TB, env, value string) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+value)
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
		b.Fatalf("child server (%s): %v", env, err)
	}
	return strings.TrimSpace(line)
}
