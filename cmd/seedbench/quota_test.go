package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/mockserver/mocktest"
)

const quotaScenario = `name: quota
targets:
  - name: mini
    model: doubao-seed-2-0-mini-260215
    quota: {rpm: 6, tpm: 100000}
mix:
  - name: chat
    weight: 1
    prompt_tokens: 200
    output_tokens: 16
load:
  seed: 3
  max_in_flight: 100
  stages:
    - kind: constant
      rate: 10/s
      duration: 2s
`

// TestQuotaDeclaredRun: a target whose plan exceeds its declared quota is
// warned about at validate time; run against the mock's Ark flavour with
// that RPM, the throttled requests are classed quota_rpm from Ark's code,
// kept beside it, and the report shows them apart with the headroom the
// x-ratelimit headers gave.
func TestQuotaDeclaredRun(t *testing.T) {
	path := writeScenario(t, quotaScenario)
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"seedbench", "scenarios", "validate", path}, &stdout, &stderr); code != exitOK {
		t.Fatalf("validate: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "peaks at 600 requests per minute to mini, above its quota of 6 rpm") {
		t.Errorf("validate does not warn about the quota:\n%s", stderr.String())
	}

	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = 0.02
	cfg.Flavor = mockserver.FlavorArk
	p := cfg.Models["doubao-seed-2.0-mini"]
	p.RPM = 6
	cfg.Models["doubao-seed-2.0-mini"] = p
	root := mocktest.ServeRoot(t, cfg)

	out := filepath.Join(t.TempDir(), "run")
	stdout.Reset()
	stderr.Reset()
	code := Main(context.Background(), []string{"seedbench", "run", "--no-plots", "--max-lag", "1m", "--target", root + "/api/v3", "--out", out, path}, &stdout, &stderr)
	if code != exitOK && code != exitCheck {
		t.Fatalf("run: exit %d:\n%s", code, stderr.String())
	}
	recs := readRecords(t, filepath.Join(out, "results.jsonl"))
	var throttled int
	for _, r := range recs["result"] {
		if r["error_class"] == "quota_rpm" {
			throttled++
			if r["error_code"] != "RateLimitExceeded.EndpointRPMExceeded" {
				t.Errorf("quota_rpm without Ark's code beside it: %v", r["error_code"])
			}
		}
		if r["status"] == "ok" && r["rl_limit_requests"] != float64(6) {
			t.Errorf("a response's quota headers are not recorded: %v", r)
		}
	}
	if throttled == 0 {
		t.Fatalf("no request was throttled at 10/s against 6 rpm")
	}
	report, err := os.ReadFile(filepath.Join(out, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`quota mini: throttled (\d+) of \d+ issued requests \(quota_rpm (\d+)\), apart from the latency failures above; headroom \(least left, from x-ratelimit headers on \d+ responses\): requests \d+ of 6 per minute`)
	if !re.Match(report) {
		t.Errorf("the report does not show throttling apart:\n%s", report)
	}
	if !strings.Contains(stdout.String()+stderr.String(), "above its quota of 6 rpm") {
		t.Errorf("run does not warn about the quota:\n%s", stderr.String())
	}
}
