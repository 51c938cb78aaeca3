package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/seedbench/seedbench/report/internal/synth"
	"github.com/seedbench/seedbench/runner"
)

// TestShardsEqualWhole: the records of one run split into three shard files
// report exactly as the one file does (histograms merge exactly).
func TestShardsEqualWhole(t *testing.T) {
	cfg := synth.Config{Seed: 5, Scenario: "shards", Requests: 3000, Rate: 100, FailureRate: 0.1, DropRate: 0.01,
		Targets: []synth.Target{{Name: "mini", Model: "doubao-seed-2.0-mini"}, {Name: "pro", Model: "doubao-seed-2.0-pro"}}}
	if raceEnabled {
		cfg.Requests = 600
	}
	whole := writeSynth(t, cfg)
	dir := t.TempDir()
	var paths []string
	var ws []*bufio.Writer
	var fs []*os.File
	for i := range 3 {
		p := filepath.Join(dir, "shard-"+itoa(int64(i))+".jsonl")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		h := synth.Header(cfg)
		h.ShardIndex, h.ShardCount = i, 3
		w := bufio.NewWriter(f)
		b, _ := json.Marshal(h)
		w.Write(append(b, '\n'))
		paths, ws, fs = append(paths, p), append(ws, w), append(fs, f)
	}
	if err := synth.Records(cfg, func(r *runner.Result) error {
		b, err := json.Marshal(r)
		ws[r.K%3].Write(append(b, '\n'))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ws[i].WriteString(`{"type":"footer"}` + "\n")
		ws[i].Flush()
		fs[i].Close()
	}
	render := func(paths []string, workers int) string {
		s, err := Aggregate(paths, Options{Pricing: testPrices{}, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		s.Files, s.Shards, s.ShardCount, s.Trust = nil, nil, 0, nil
		if err := WriteJSON(&b, s); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b, c := render([]string{whole}, 1), render(paths, 3), render(paths, 1)
	if a != b || b != c {
		t.Errorf("shards and whole differ:\n%s", diffLines(a, b)+diffLines(b, c))
	}
}
