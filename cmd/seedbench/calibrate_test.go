package main

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/mockserver/mocktest"
)

// TestRunCalibrate: the mock counts tokens its own way (about 20% more than
// our estimate, plus a chat template); after --calibrate the plan's
// estimates match the server's usage.prompt_tokens closely, and the fitted
// calibration is recorded in the results header.
func TestRunCalibrate(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.02)
	mismatch := func(calibrate bool) float64 {
		out := filepath.Join(t.TempDir(), "run")
		args := []string{"seedbench", "run", "--quiet", "--no-plots", "--max-lag", "1m", "--target", url, "--out", out}
		if calibrate {
			args = append(args, "--calibrate")
		}
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), append(args, writeScenario(t, shortScenario)), &stdout, &stderr); code != exitOK {
			t.Fatalf("exit %d:\n%s", code, stderr.String())
		}
		if calibrate && !strings.Contains(stderr.String(), "calibrated token estimate: tokenizer: {ratio: ") {
			t.Errorf("the fitted calibration is not printed:\n%s", stderr.String())
		}
		recs := readRecords(t, filepath.Join(out, "results.jsonl"))
		tok, _ := recs["header"][0]["resolved_scenario"].(map[string]any)["tokenizer"].(map[string]any)
		if calibrate && (tok == nil || tok["ratio"] == nil) {
			t.Errorf("no calibration in the header's resolved scenario: %v", tok)
		}
		var est, srv float64
		for _, r := range recs["result"] {
			est += r["est_prompt_tokens"].(float64)
			srv += r["usage"].(map[string]any)["prompt_tokens"].(float64)
		}
		return est/srv - 1
	}
	before, after := mismatch(false), mismatch(true)
	t.Logf("estimate vs server prompt tokens: %+.1f%% uncalibrated, %+.1f%% calibrated", 100*before, 100*after)
	if math.Abs(before) < 0.05 {
		t.Fatalf("the mock agrees with our estimate already (%+.1f%%): the test shows nothing", 100*before)
	}
	if math.Abs(after) > 0.02 {
		t.Errorf("after calibration the estimate is still %+.1f%% off the server's count", 100*after)
	}
}

func TestCalibrateRefusesShards(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "run", "--calibrate", "--shard", "0/2", "--start-at", "2030-01-01T00:00:00Z", "quickstart"}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--calibrate does not go with sharding") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
