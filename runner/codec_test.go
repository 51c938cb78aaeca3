package runner

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleResults are records with every kind of field set.
func sampleResults() []*Result {
	return []*Result{
		{K: 0, Target: "mini", Model: "doubao-seed-2.0-mini", Class: "chat", Tier: "32k", IntendedUS: 100000, SentUS: 100012, LagUS: 12,
			ConnectUS: 300, WroteUS: 320, TTFBUS: 900, TTFTUS: 150000, TTFATUS: 150000, E2EUS: 400000,
			EventsUS: []int64{150000, 170000, 190000}, EventChars: []int32{4, 5, 3}, TokensPerEvent: 1, Status: StatusOK, Finish: "stop",
			Usage: &Usage{PromptTokens: 1000, CompletionTokens: 3, CachedTokens: 512}, EstPromptTokens: 990, EstCompletionTokens: 3, MaxTokens: 64,
			ContentChars: 12, TruthHeadersUS: 20, TruthTTFTUS: 149900, TruthEventsUS: []int64{149900, 169900, 189900}},
		{K: 1, Target: "pro", Model: "doubao-seed-2.0-pro", Stage: 1, Warmup: true, IntendedUS: 200000, SentUS: -1,
			Status: StatusDropped, ErrorClass: ClassDropped, Error: "not sent"},
		{K: 2, Target: "pro", Model: "doubao-seed-2.0-pro", IntendedUS: -1, SentUS: 5, E2EUS: 10, HTTPStatus: 429,
			Status: StatusError, ErrorClass: ClassHTTP429, Error: "HTTP 429: \"quoted\" \n newline", RetryAfter: "1", RequestID: "req-1"},
	}
}

func writeSample(t testing.TB, dir string, footer bool) (string, []*Result) {
	t.Helper()
	p := filepath.Join(dir, "results.jsonl")
	w, err := CreateResults(p, Header{Tool: "seedbench test", Scenario: "s", Seed: 7, Start: time.Unix(1767225600, 0).UTC(), ShardCount: 1,
		Targets: []TargetInfo{{Name: "mini", Model: "doubao-seed-2.0-mini", BaseURL: "builtin-mock"}}})
	if err != nil {
		t.Fatal(err)
	}
	rs := sampleResults()
	for _, r := range rs {
		w.Write(r)
	}
	if footer {
		if err := w.Close(Footer{Issued: 2, Dropped: 1, Trust: Trust{LagP99US: 12}}); err != nil {
			t.Fatal(err)
		}
	} else {
		// stop the writer without a footer, as a crash would (the
		// flush-every-second guarantee is checked by TestFlushedWithinASecond)
		w.mu.Lock()
		w.closing = true
		w.mu.Unlock()
		w.wake()
		<-w.done
		w.f.Close()
	}
	return p, rs
}

// TestResultsRoundTrip: what the writer writes, the reader reads back equal.
func TestResultsRoundTrip(t *testing.T) {
	p, want := writeSample(t, t.TempDir(), true)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := NewReader(f, p)
	if err != nil {
		t.Fatal(err)
	}
	if rd.Header.Seed != 7 || rd.Header.Scenario != "s" {
		t.Errorf("header %+v", rd.Header)
	}
	for i := 0; ; i++ {
		var r Result
		err := rd.Next(&r)
		if err == io.EOF {
			if i != len(want) {
				t.Fatalf("read %d records, want %d", i, len(want))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&r, want[i]) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, r, *want[i])
		}
	}
	if rd.Footer == nil || rd.Footer.Dropped != 1 || rd.Footer.Trust.LagP99US != 12 {
		t.Errorf("footer %+v", rd.Footer)
	}
}

// TestResultsCutShort: a file cut mid-line (a crash during a write) reads
// as its complete records plus a warning.
func TestResultsCutShort(t *testing.T) {
	p, _ := writeSample(t, t.TempDir(), false)
	b, _ := os.ReadFile(p)
	cut := b[:len(b)-20]
	rd, err := NewReader(bytes.NewReader(cut), "cut.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		var r Result
		err := rd.Next(&r)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 || len(rd.Warnings) != 1 || rd.Footer != nil {
		t.Errorf("%d records, warnings %q, footer %v; want 2 records and one warning", n, rd.Warnings, rd.Footer)
	}
}

// TestFlushedWithinASecond: a record is on disk within FlushEvery of being
// written, without Close (what a kill -9 would leave).
func TestFlushedWithinASecond(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a second")
	}
	p := filepath.Join(t.TempDir(), "results.jsonl")
	w, err := CreateResults(p, Header{Scenario: "s"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(Footer{})
	w.Write(&Result{K: 42, Status: StatusOK})
	deadline := time.Now().Add(FlushEvery + 500*time.Millisecond)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), `"k":42`) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("record not on disk after %s", FlushEvery+500*time.Millisecond)
}

// FuzzReader: the results decoder never panics or loops on any input, and
// either fails with a message naming the file or reads records.
func FuzzReader(f *testing.F) {
	dir := f.TempDir()
	p, _ := writeSample(f, dir, true)
	b, _ := os.ReadFile(p)
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte(`{"type":"header"}` + "\n" + `{"type":"result","k":"x"}`))
	f.Add([]byte(`{"type":"header"}` + "\n\n" + `{"type":"footer"}` + "\n" + `{"type":"nope"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data), "fuzz.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.jsonl") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for i := 0; ; i++ {
			if i > lines {
				t.Fatalf("more records than lines")
			}
			var r Result
			err := rd.Next(&r)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz.jsonl:") {
					t.Fatalf("error does not name the file and line: %v", err)
				}
				return
			}
		}
	})
}
