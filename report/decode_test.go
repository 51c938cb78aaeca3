package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/seedbench/seedbench/report/internal/synth"
	"github.com/seedbench/seedbench/runner"
)

// TestDecodeSyntheticRecords runs a synthetic file, with the failures and
// escaped error messages a real run has, through runner.RecordDecoder and
// encoding/json: they must agree and every line must take the fast path.
func TestDecodeSyntheticRecords(t *testing.T) {
	var buf bytes.Buffer
	cfg := synth.Config{Seed: 3, Requests: 300, Warmup: 10, Rate: 50, FailureRate: 0.2, DropRate: 0.05,
		Targets: []synth.Target{{Name: "mini", Model: "doubao-seed-2.0-mini"}, {Name: "pro", Model: "doubao-seed-2.0-pro"}}}
	if err := synth.Records(cfg, func(r *runner.Result) error {
		b, err := json.Marshal(r)
		buf.Write(b)
		buf.WriteByte('\n')
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d := runner.NewRecordDecoder()
	for line := range bytes.Lines(buf.Bytes()) {
		l := bytes.TrimSuffix(line, []byte("\n"))
		var want, got runner.Result
		if err := json.Unmarshal(l, &want); err != nil {
			t.Fatal(err)
		}
		if err := d.Decode(l, &got); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		// Re-encoded, nil and empty slices (both omitted) look alike,
		// as they do to every reader of a Result.
		wb, _ := json.Marshal(&want)
		gb, _ := json.Marshal(&got)
		if !bytes.Equal(wb, gb) {
			t.Fatalf("line %q:\nencoding/json %s\ndecoder       %s", l, wb, gb)
		}
	}
	// Lines with escaped error messages decode their strings with
	// encoding/json but stay on the fast path.
	if fast, slow := d.Counts(); slow != 0 {
		t.Errorf("%d of %d runner-written lines left the fast path", slow, slow+fast)
	}
}
