package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/seedbench/seedbench/runner"
)

// fullFile is a results file on a disk that fills up after room bytes:
// the write that crosses it writes what fits and fails, as write(2) does
// with ENOSPC, and so does every write after it. It counts the result
// lines handed to it up to and including the failing write, and after.
type fullFile struct {
	*os.File
	mu                    sync.Mutex
	room                  int
	failed                bool
	linesBefore, linesAft int
}

var errDiskFull = errors.New("no space left on device")

func (f *fullFile) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	lines := bytes.Count(b, []byte(`"type":"result"`))
	if f.failed {
		f.linesAft += lines
		return 0, errDiskFull
	}
	f.linesBefore += lines
	if len(b) > f.room {
		n, _ := f.File.Write(b[:f.room])
		f.room, f.failed = 0, true
		return n, errDiskFull
	}
	f.room -= len(b)
	return f.File.Write(b)
}

// TestRunStopsWhenResultsCannotBeWritten: when the results file fills up,
// the run stops issuing at the failed write (only requests already in
// flight finish after it), exits 3 and says where and why; the results
// file keeps the records that fitted.
func TestRunStopsWhenResultsCannotBeWritten(t *testing.T) {
	url := startTestMock(t, 0.01)
	var ff *fullFile
	createResults = func(path string, h runner.Header) (*runner.ResultsWriter, error) {
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		ff = &fullFile{File: f, room: 10_000}
		return runner.NewResultsWriter(ff, h)
	}
	defer func() { createResults = runner.CreateResults }()
	const maxInFlight = 20
	sc := strings.NewReplacer("rate: 10/s", "rate: 50/s", "duration: 2s", "duration: 60s", "max_in_flight: 100", "max_in_flight: 20").Replace(shortScenario)
	dir := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "run", "--quiet", "--no-plots", "--max-lag", "1m", "--grace", "5s",
		"--target", url, "--out", dir, writeScenario(t, sc)}, &stdout, &stderr)
	if code != exitUntrusted {
		t.Fatalf("exit %d, want 3: %s", code, stderr.String())
	}
	resultsPath := filepath.Join(dir, "results.jsonl")
	for _, want := range []string{"writing " + resultsPath + " failed (no space left on device); stopping", "writing " + resultsPath + ": no space left on device", "sent requests"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	ff.mu.Lock()
	before, after := ff.linesBefore, ff.linesAft
	ff.mu.Unlock()
	t.Logf("%d records handed to the file up to the failing write, %d after it", before, after)
	if after > maxInFlight {
		t.Errorf("%d requests recorded after the failure, more than the %d that can be in flight", after, maxInFlight)
	}
	if before+after >= 3000/2 {
		t.Errorf("%d records: the run did not stop early", before+after)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err == nil {
		t.Error("a report was written from a results file known to be incomplete")
	}
}
