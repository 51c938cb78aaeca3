package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver/mocktest"
)

// killScenario runs for a minute unless stopped: 20 req/s of Mini answers
// of 64 tokens (one target, short answers: the report at the end stays
// cheap under the race detector).
var killScenario = strings.NewReplacer("rate: 40/s", "rate: 20/s", "duration: 500ms", "duration: 60s", "output_tokens: 16", "output_tokens: 64").Replace(faultScenario)

// startRunProcess runs `seedbench run` as a child process (this test binary
// acting as seedbench) against url, writing into dir. Its stderr goes to
// dir/../stderr.log for diagnostics.
func startRunProcess(t *testing.T, url, dir string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "run", "--quiet", "--no-plots", "--grace", "10s", "--max-lag", "1m", "--target", url, "--out", dir, writeScenario(t, killScenario))
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &bytes.Buffer{}, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, &stderr
}

// completeLines counts the result lines of a results file that end with a
// newline, and reports whether the file ends in the middle of a line.
func completeLines(t *testing.T, path string) (results int, partial bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(b, []byte{'\n'})
	partial = len(lines[len(lines)-1]) > 0
	for _, l := range lines[:len(lines)-1] {
		if bytes.Contains(l, []byte(`"type":"result"`)) {
			results++
		}
	}
	return results, partial
}

// reportRun runs `seedbench report` on a results file into its own
// directory and returns the summary and stderr.
func reportRun(t *testing.T, results string) (*summaryView, string) {
	t.Helper()
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"seedbench", "report", "--no-plots", "--out", out, results}, &stdout, &stderr); code != exitOK {
		t.Fatalf("report: exit %d; stderr:\n%s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s summaryView
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s, stdout.String() + stderr.String()
}

// summaryView is the part of summary.json these tests read.
type summaryView struct {
	Complete bool `json:"complete"`
	Overall  struct {
		Requests int `json:"requests"`
	} `json:"overall"`
	Warnings []string `json:"warnings"`
}

// TestKillRun stops a running `seedbench run` child process with SIGINT,
// SIGTERM and SIGKILL. Each time the results file it leaves must be
// readable by `seedbench report`, which counts every complete record; after
// SIGINT and SIGTERM the file is complete (footer marked interrupted, exit
// 3); after SIGKILL it has no footer, the report says the run was cut
// short, and a partial last line, if the kill left one, is skipped with a
// warning.
func TestKillRun(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("forks seedbench processes")
	}
	for _, tc := range []struct {
		sig      syscall.Signal
		graceful bool // the process gets to close the file
	}{
		{syscall.SIGINT, true},  // Ctrl-C
		{syscall.SIGTERM, true}, // docker stop, a Kubernetes eviction
		{syscall.SIGKILL, false},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			url := mocktest.ServeScaled(t, 0.05) // streams of a few hundred ms: some always in flight
			dir := filepath.Join(t.TempDir(), "run")
			results := filepath.Join(dir, "results.jsonl")
			cmd, stderr := startRunProcess(t, url, dir)
			waitForResults(t, results, 10)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("the run did not end within 30s of %s; stderr:\n%s", tc.sig, stderr.String())
			}
			code := cmd.ProcessState.ExitCode()
			if tc.graceful && code != exitUntrusted {
				t.Errorf("exit %d after %s, want 3; stderr:\n%s", code, tc.sig, stderr.String())
			}
			if !tc.graceful && code != -1 {
				t.Errorf("exit %d, want killed by a signal", code)
			}

			n, partial := completeLines(t, results)
			recs := 0
			if tc.graceful {
				r := readRecords(t, results) // every line is JSON
				recs = len(r["result"])
				if len(r["footer"]) != 1 || r["footer"][0]["interrupted"] != true {
					t.Fatalf("footer %v, want one marked interrupted", r["footer"])
				}
				// No request lost: one record per request issued.
				if issued, _ := r["footer"][0]["issued"].(float64); int(issued) != recs {
					t.Errorf("the footer says %v issued, the file holds %d records", issued, recs)
				}
				if partial {
					t.Error("a graceful stop left a partial line")
				}
				if n != recs {
					t.Fatalf("%d complete lines but %d records", n, recs)
				}
			}
			sum, out := reportRun(t, results)
			if sum.Overall.Requests != n {
				t.Errorf("report counts %d requests, the file has %d complete records", sum.Overall.Requests, n)
			}
			warnings := strings.Join(sum.Warnings, "\n")
			if tc.graceful {
				if !sum.Complete || !strings.Contains(warnings, "interrupted") {
					t.Errorf("complete %v, warnings:\n%s", sum.Complete, warnings)
				}
			} else {
				if sum.Complete || !strings.Contains(warnings, "no footer") {
					t.Errorf("complete %v, warnings:\n%s", sum.Complete, warnings)
				}
				if partial != strings.Contains(warnings, "partial last line skipped") {
					t.Errorf("the file ends mid-line: %v; warnings:\n%s", partial, warnings)
				}
				if !strings.Contains(out, "cut short") {
					t.Errorf("the report output does not say the run was cut short:\n%s", out)
				}
			}
			t.Logf("%s: exit %d, %d records, partial last line %v", tc.sig, code, n, partial)
		})
	}
}

// TestReportPartialLastLine: a results file cut in the middle of its last
// line (a kill during a write) is read up to the cut; the cut line is
// skipped with a warning naming the file and line. The file is a real run's,
// cut at several points of its last record.
func TestReportPartialLastLine(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.01)
	dir := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	sc := faultScenario
	if code := Main(context.Background(), []string{"seedbench", "run", "--quiet", "--no-plots", "--max-lag", "1m", "--target", url, "--out", dir, writeScenario(t, sc)}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	full, err := os.ReadFile(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// Drop the footer: the run was killed after its last result.
	lines := bytes.SplitAfter(bytes.TrimSuffix(full, []byte{'\n'}), []byte{'\n'})
	body := bytes.Join(lines[:len(lines)-1], nil)
	last := lines[len(lines)-2]
	n := bytes.Count(body, []byte(`"type":"result"`))
	for _, cut := range []int{1, 2, len(last) / 2, len(last) - 2} {
		// The file ends cut bytes into the last result line (at most
		// len−2: without only its newline the line is a whole record).
		data := body[:len(body)-len(last)+cut]
		p := filepath.Join(t.TempDir(), "results.jsonl")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum, _ := reportRun(t, p)
		if sum.Overall.Requests != n-1 {
			t.Errorf("cut at %d of %d: %d requests, want %d", cut, len(last), sum.Overall.Requests, n-1)
		}
		want := p + ":" + strconv.Itoa(len(lines)-1) + ": partial last line skipped"
		if !strings.Contains(strings.Join(sum.Warnings, "\n"), want) {
			t.Errorf("cut at %d: warnings %q, want %q", cut, sum.Warnings, want)
		}
	}
}

// waitForResults polls the results file until it holds n result lines.
func waitForResults(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(path)
		if strings.Count(string(b), `"type":"result"`) >= n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: fewer than %d results after 20s", path, n)
}
