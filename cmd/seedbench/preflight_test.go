package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver"
)

// countingMock serves a key-requiring mock (when key is set) and counts the
// requests it receives.
func countingMock(t *testing.T, key string) (string, *atomic.Int64) {
	t.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = 0.01
	cfg.APIKey = key
	ms := mockserver.New(cfg)
	var n atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		ms.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		ms.Close()
	})
	return hs.URL, &n
}

// TestPreflight: before the load, one request per target checks the URL,
// the key and the model; what proves the configuration wrong exits 2 at
// once with a hint, having sent exactly that one request.
func TestPreflight(t *testing.T) {
	withKey, withKeyCount := countingMock(t, "sk-preflight-right")
	open, openCount := countingMock(t, "")
	for _, tc := range []struct {
		name, target, keyEnv string
		count                *atomic.Int64
		want                 string
	}{
		// no key against a key-requiring server
		{"no key", withKey + "/v1", "SEEDBENCH_TEST_NO_SUCH_KEY", withKeyCount,
			"target mini rejected the key (HTTP 401 invalid_api_key): set SEEDBENCH_TEST_NO_SUCH_KEY or --api-key-file"},
		// a base URL without /v1
		{"404", open, "SEEDBENCH_TEST_NO_SUCH_KEY", openCount,
			"target mini answered HTTP 404"},
		// nothing listening
		{"refused", "http://127.0.0.1:1/v1", "SEEDBENCH_TEST_NO_SUCH_KEY", nil,
			"target mini: nothing answered at 127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.count != nil {
				tc.count.Store(0)
			}
			dir := filepath.Join(t.TempDir(), "run")
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := Main(context.Background(), []string{"seedbench", "run", "--no-plots", "--target", tc.target, "--out", dir,
				"--api-key-env", tc.keyEnv, writeScenario(t, shortScenario)}, &stdout, &stderr)
			took := time.Since(start)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr.String())
			}
			if took > 2*time.Second {
				t.Errorf("took %v, want under 2 s", took)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr.String())
			}
			// two targets in the scenario, one request each, nothing more
			if tc.count != nil {
				if n := tc.count.Load(); n != 2 {
					t.Errorf("the server received %d requests, want one per target (2)", n)
				}
			}
			if tc.name == "404" && !strings.Contains(stderr.String(), "the base URL usually ends in /v1 or /api/v3") {
				t.Errorf("no hint about the base URL:\n%s", stderr.String())
			}
		})
	}
}

// TestPreflightOutcomeInHeader: a passing preflight (and a skipped one) is
// recorded in the results header and sends one request per target besides
// the load (the built-in mock's pass without a request: run's
// TestPreflightBuiltinMock).
func TestPreflightOutcomeInHeader(t *testing.T) {
	url, count := countingMock(t, "")
	for _, tc := range []struct {
		name    string
		args    []string
		outcome string
		extra   int64 // requests besides the 20 of the plan
	}{
		{"external", []string{"--target", url + "/v1"}, "ok", 2},
		{"skipped", []string{"--target", url + "/v1", "--no-preflight"}, "skipped", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			count.Store(0)
			dir := filepath.Join(t.TempDir(), "run")
			var stdout, stderr bytes.Buffer
			args := append([]string{"seedbench", "run", "--no-plots", "--quiet", "--out", dir, "--max-lag", "1m"}, tc.args...)
			if code := Main(context.Background(), append(args, writeScenario(t, shortScenario)), &stdout, &stderr); code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
			}
			recs := readRecords(t, filepath.Join(dir, "results.jsonl"))
			checks, _ := recs["header"][0]["preflight"].([]any)
			if len(checks) != 2 {
				t.Fatalf("preflight in the header: %v", recs["header"][0]["preflight"])
			}
			for _, c := range checks {
				if o := c.(map[string]any)["outcome"]; o != tc.outcome {
					t.Errorf("outcome %v, want %s", o, tc.outcome)
				}
			}
			if len(recs["result"]) != 20 {
				t.Errorf("%d records: the preflight is not part of the results", len(recs["result"]))
			}
			if n := count.Load(); n != 20+tc.extra {
				t.Errorf("the server received %d requests, want %d", n, 20+tc.extra)
			}
		})
	}
}
