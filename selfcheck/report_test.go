package selfcheck

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestJudge(t *testing.T) {
	good := func() Step {
		return Step{StepPlan: StepPlan{Kind: KindStreams, Streams: 10}, Requests: 10, OK: 10,
			TTFTErr: &Dist{N: 10, P99: 900}, ITLAbsErr: &Dist{N: 90, P99: 400}}
	}
	for _, tc := range []struct {
		name string
		edit func(*Step)
		want []string
	}{
		// Below the limit everywhere.
		{"within", func(*Step) {}, nil},
		// Exactly at the limit is within.
		{"at limit", func(s *Step) { s.TTFTErr.P99 = 1000 }, nil},
		{"ttft over", func(s *Step) { s.TTFTErr.P99 = 1001 }, []string{"ttft"}},
		{"itl over", func(s *Step) { s.ITLAbsErr.P99 = 5000 }, []string{"itl"}},
		// No sample is a failure, never a pass.
		{"no ttft sample", func(s *Step) { s.TTFTErr = nil }, []string{"ttft"}},
		// Failed requests would be missing from the figures.
		{"errors", func(s *Step) { s.Errors = map[string]int{"http_5xx": 1} }, []string{"errors"}},
		{"dropped", func(s *Step) { s.Dropped = 2 }, []string{"dropped"}},
		{"no truth", func(s *Step) { s.NoTruth = 1 }, []string{"truth"}},
		// A large schedule lag is shown, not judged.
		{"lag", func(s *Step) { s.Kind, s.Lag = KindRate, &Dist{N: 10, P99: 50_000} }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := good()
			tc.edit(&st)
			st.judge(DefaultConfig())
			if st.Within != (len(tc.want) == 0) || len(st.Failed) != len(tc.want) ||
				len(tc.want) > 0 && st.Failed[0] != tc.want[0] {
				t.Fatalf("judge: within %v failed %q, want %q", st.Within, st.Failed, tc.want)
			}
		})
	}
}

func TestVerdict(t *testing.T) {
	s := func(n int, ok bool) Step {
		return Step{StepPlan: StepPlan{Kind: KindStreams, Streams: n}, Within: ok, Failed: failedIf(!ok)}
	}
	r := func(n int, ok bool) Step {
		return Step{StepPlan: StepPlan{Kind: KindRate, Rate: n}, Within: ok, Failed: failedIf(!ok)}
	}
	for _, tc := range []struct {
		name       string
		steps      []Step
		trusted    bool
		maxStreams int
		maxRate    int
	}{
		// Everything within: the highest of each kind.
		{"all ok", []Step{s(100, true), r(85, true), s(500, true), r(424, true)}, true, 500, 424},
		// The top steps fail: the ones below them.
		{"top fails", []Step{s(100, true), r(85, true), s(500, false), r(424, false)}, true, 100, 85},
		// A pass above a failure does not count: "up to N" means every step to N.
		{"not monotone", []Step{s(100, true), s(200, false), s(500, true)}, true, 100, 0},
		// The lowest closed-loop step fails: not trusted.
		{"lowest streams fails", []Step{s(100, false), r(85, true)}, false, 0, 85},
		// The lowest open-loop step fails: not trusted either.
		{"lowest rate fails", []Step{s(100, true), r(85, false)}, false, 100, 0},
		// Nothing ran.
		{"empty", nil, false, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verdict(DefaultConfig(), 2, tc.steps)
			if v.Trusted != tc.trusted || v.MaxStreams != tc.maxStreams || v.MaxRate != tc.maxRate || v.Text == "" {
				t.Fatalf("verdict = %+v, want trusted %v, %d streams, %d/s", v, tc.trusted, tc.maxStreams, tc.maxRate)
			}
		})
	}
}

func ptr(f float64) *float64 { return &f }

func failedIf(b bool) []string {
	if b {
		return []string{"ttft"}
	}
	return nil
}

func TestCollectorLeavesOutWarmupAndDials(t *testing.T) {
	col := newCollector(time.Second, time.Time{}, nil)
	ok := func(sent int64, connect int64) *runner.Result {
		return &runner.Result{SentUS: sent, IntendedUS: -1, Status: runner.StatusOK, ConnectUS: connect, Reused: connect == 0,
			TTFTUS: 1200, TruthTTFTUS: 1000, EventsUS: []int64{1200, 1300}, TruthEventsUS: []int64{1000, 1100}}
	}
	col.add(ok(500_000, 0))    // warm-up: left out entirely
	col.add(ok(1_500_000, 0))  // counted
	col.add(ok(1_600_000, 80)) // new connection: no TTFT sample, gaps kept
	col.add(&runner.Result{SentUS: -1, IntendedUS: 2_000_000, Status: runner.StatusDropped})
	col.add(&runner.Result{SentUS: -1, IntendedUS: 10, Status: runner.StatusDropped}) // warm-up drop
	col.add(&runner.Result{SentUS: 3_000_000, IntendedUS: -1, Status: runner.StatusError, ErrorClass: "http_5xx"})
	c := DefaultConfig()
	c.Duration = 2 * time.Second
	st := col.step(c, StepPlan{Kind: KindStreams, Streams: 1}, 1)
	if st.Requests != 4 || st.OK != 2 || st.Dropped != 1 || st.NewConns != 1 || st.Errors["http_5xx"] != 1 {
		t.Fatalf("counts: %+v", st)
	}
	if st.TTFTErr.N != 1 || st.TTFTErr.P50 != 200 || st.ITLErr.N != 2 || st.ITLErr.Max != 0 {
		t.Fatalf("samples: ttft %+v itl %+v", st.TTFTErr, st.ITLErr)
	}
	if st.RPS != 2 {
		t.Fatalf("rps %v, want 4 requests / 2 s", st.RPS)
	}
}

// TestWriteTextGolden pins the text report's layout (go test -update to
// rewrite it).
func TestWriteTextGolden(t *testing.T) {
	c := DefaultConfig()
	rep := &Report{
		Machine: Machine{CPUs: 2, GOMAXPROCS: 2, OS: "linux", Arch: "amd64", Go: "go1.26.0", Load1: ptr(0.5)},
		Config:  c.info(),
		Steps: []Step{
			{StepPlan: StepPlan{Kind: KindStreams, Streams: 100}, Requests: 1700, OK: 1700, RPS: 85, NewConns: 3,
				TTFTErr:     &Dist{N: 1697, Min: -12, P50: 80, P99: 420, Max: 900},
				TTFTRequest: &Dist{N: 1697, P99: 150}, TTFTMockWrite: &Dist{N: 1697, P99: 40}, TTFTClientRead: &Dist{N: 1697, P99: 260}, ITLAbsErr: &Dist{N: 80000, P50: 10, P99: 200, Max: 2000},
				Wakeup: &Dist{N: 2000, P50: 300, P99: 1100, Max: 3000}, CPU: &CPU{UserS: 3, SysS: 2, Cores: 0.25}, Load1: ptr(0.7), Within: true},
			{StepPlan: StepPlan{Kind: KindRate, Rate: 424}, Requests: 8480, OK: 8470, RPS: 424, Dropped: 4,
				Errors:  map[string]int{"timeout": 6},
				TTFTErr: &Dist{N: 8470, Min: 5, P50: 300, P99: 4200, Max: 9000}, ITLAbsErr: &Dist{N: 400000, P50: 40, P99: 1500, Max: 8000},
				Lag: &Dist{N: 8476, P50: 200, P99: 1800, Max: 5000}, Wakeup: &Dist{N: 2000, P50: 600, P99: 2500, Max: 6000},
				Load1: ptr(6.5), Failed: []string{"errors", "dropped", "ttft", "itl"}},
		},
	}
	rep.Verdict = verdict(c, rep.Machine.CPUs, rep.Steps)
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("text report differs from %s (go test -update to accept):\n%s", golden, buf.Bytes())
	}
}

// TestVerdictNamesABusyMachine: a failure while the load average exceeded
// the CPU count says so; a quiet failure does not.
func TestVerdictNamesABusyMachine(t *testing.T) {
	step := func(load float64, within bool) Step {
		return Step{StepPlan: StepPlan{Kind: KindStreams, Streams: 100}, Within: within, Failed: failedIf(!within), Load1: ptr(load)}
	}
	for _, tc := range []struct {
		name  string
		steps []Step
		busy  bool
	}{
		{"busy failure", []Step{step(6.5, false)}, true},
		{"quiet failure", []Step{step(0.8, false)}, false},
		{"busy but within", []Step{step(6.5, true)}, false},
		// At exactly the CPU count nothing else needed a CPU.
		{"load equals cpus", []Step{step(2, false)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verdict(DefaultConfig(), 2, tc.steps)
			if got := strings.Contains(v.Text, "rerun on a quiet machine"); got != tc.busy {
				t.Fatalf("verdict %q: mentions a busy machine %v, want %v", v.Text, got, tc.busy)
			}
		})
	}
}
