package run

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver/mocktest"
	"github.com/seedbench/seedbench/runner"
)

// fullFile is a results file on a disk that fills up after room bytes:
// the write that crosses it writes what fits and fails, as write(2) does
// with ENOSPC, and so does every write after it. It counts the records of
// sent requests handed to it up to and including the failing write, and
// after it.
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
	// sent requests' records: every result that is not a drop
	lines := bytes.Count(b, []byte(`"type":"result"`)) - bytes.Count(b, []byte(`"status":"dropped"`))
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

// TestExecuteStopsWhenResultsCannotBeWritten: when the results file fills
// up, the run stops issuing at the failed write (only requests already in
// flight finish after it), ends Untrusted (exit 3) and says where and why;
// the results file keeps the records that fitted, and no report is made.
func TestExecuteStopsWhenResultsCannotBeWritten(t *testing.T) {
	url := mocktest.ServeScaled(t, 0.01)
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
	sc := parse(t, strings.NewReplacer("rate: 10/s", "rate: 50/s", "duration: 2s", "duration: 60s", "max_in_flight: 100", "max_in_flight: 20").Replace(shortScenario))
	o := options(t, sc, url)
	o.Grace = 5 * time.Second
	var stderr bytes.Buffer
	o.Stderr = &stderr
	out, err := Execute(context.Background(), context.Background(), o)
	if err == nil || ClassOf(err) != Untrusted {
		t.Fatalf("error %v (class %v); want Untrusted", err, ClassOf(err))
	}
	for _, want := range []string{"writing " + out.ResultsPath + ": no space left on device", "sent requests", "no report"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if want := "writing " + out.ResultsPath + " failed (no space left on device); stopping"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
	ff.mu.Lock()
	before, after := ff.linesBefore, ff.linesAft
	ff.mu.Unlock()
	t.Logf("%d sent requests' records handed to the file up to the failing write, %d after it; %d sent, %d dropped", before, after, out.Stats.Issued, out.Stats.Dropped)
	// Every request sent is recorded (written, or in the write that
	// failed), and those recorded after the failure were in flight then or
	// sent while the stop reached the scheduler: at 50/s, a busy machine's
	// second of that is 50 more at most.
	const rate = 50
	if sent := out.Stats.Issued; sent != int64(before+after) || after > maxInFlight+rate {
		t.Errorf("%d sent, %d recorded before the failure and %d after it: want sent = before + after, after ≤ %d", sent, before, after, maxInFlight+rate)
	}
	if before+after >= 3000/2 {
		t.Errorf("%d records: the run did not stop early", before+after)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(out.ResultsPath), "report.html")); err == nil {
		t.Error("a report was written from a results file known to be incomplete")
	}
}
