package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/mockserver/mocktest"
	"github.com/seedbench/seedbench/report"
)

// workersScenario plans exactly 1,000 open-loop requests over five seconds.
const workersScenario = `name: workers
description: 1000 requests over 5 s, for the sharding test
targets:
  - name: mini
    model: doubao-seed-2.0-mini
  - name: lite
    model: doubao-seed-2.0-lite
mix:
  - name: chat
    weight: 1
    prompt_tokens: 100
    output_tokens: 8
load:
  seed: 11
  max_in_flight: 500
  stages:
    - kind: constant
      rate: 200/s
      duration: 5s
`

// TestWorkersEndToEnd forks three local worker processes of this binary
// against one mock on loopback, merges their shards and checks that the
// merged run is the whole plan, once.
func TestWorkersEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("forks three processes for five seconds")
	}
	url := mocktest.ServeScaled(t, 0.01)
	t.Setenv(asMainEnv, "1")

	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "run", "--workers", "3", "--target", url,
		// This test is about splitting and merging, not about the generator
		// keeping its schedule on a machine busy with other tests under -race.
		"--max-lag", "1m",
		// A report flag reaches the merged report too.
		"--no-plots",
		"--out", out, writeScenario(t, workersScenario)}, &stdout, &stderr)
	if code != exitOK {
		for i := 0; i < 3; i++ {
			b, _ := os.ReadFile(filepath.Join(out, "shard-"+string(rune('0'+i)), "worker.log"))
			t.Logf("worker %d log:\n%s", i, b)
		}
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr.String())
	}
	if m := regexp.MustCompile(`(?m)^  shard \d start skew `).FindAllString(stderr.String(), -1); len(m) != 3 {
		t.Errorf("want the start skew of 3 shards printed, got:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "merged 1000 records from shards [0 1 2] of 3") {
		t.Errorf("merge line missing or wrong:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, report.FileHTML)); err != nil {
		t.Errorf("no merged report: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, report.DirPlots)); !os.IsNotExist(err) {
		t.Errorf("run --workers --no-plots: the merged report drew its charts (%v)", err)
	}
	var shardFiles []string
	counts := 0
	for i := 0; i < 3; i++ {
		p := filepath.Join(out, "shard-"+string(rune('0'+i)), "results.jsonl")
		recs := readRecords(t, p)
		for _, r := range recs["result"] {
			if int(r["k"].(float64))%3 != i {
				t.Fatalf("shard %d ran request k=%v", i, r["k"])
			}
		}
		counts += len(recs["result"])
		shardFiles = append(shardFiles, p)
	}
	merged := filepath.Join(out, "results.jsonl")
	if n := len(readRecords(t, merged)["result"]); n != 1000 || counts != 1000 {
		t.Fatalf("merged %d records, shards hold %d; want 1000 and 1000", n, counts)
	}

	// The merged run reports exactly as the shards' records read together.
	fromMerged, err := report.Aggregate([]string{merged}, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromShards, err := report.Aggregate(shardFiles, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := report.WriteText(&a, fromMerged); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteText(&b, fromShards); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("merged summary differs from the shards' summary:\n%s\nvs\n%s", a.String(), b.String())
	}
}
