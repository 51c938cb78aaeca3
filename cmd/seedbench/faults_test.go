package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/mockserver/mocktest"
	"github.com/seedbench/seedbench/report"
)

// faultScenario: one Mini target, 20 requests at 40/s (half a second),
// short prompts and answers.
const faultScenario = `name: faults
description: 20 requests at 40/s against one target
targets:
  - name: mini
    model: doubao-seed-2.0-mini
mix:
  - name: chat
    weight: 1
    prompt_tokens: 50
    output_tokens: 16
load:
  seed: 11
  max_in_flight: 100
  stages:
    - kind: constant
      rate: 40/s
      duration: 500ms
`

const (
	faultRequests = 20 // planned by faultScenario
	faultModel    = "doubao-seed-2.0-mini"
	// faultTimeScale runs the mock 10× faster than real time: a clean
	// stream takes about a millisecond, a 20 s stall 2 s.
	faultTimeScale = 0.1
)

// faultMock serves a Mini profile with fixed timing (5 ms to the first of 8
// tokens, 1 ms apart, no keep-alives, no thinking; ×faultTimeScale) and
// the given faults, and returns the mock's URL.
func faultMock(t *testing.T, f mockserver.Faults) string {
	t.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = faultTimeScale
	cfg.Seed = 5
	p := cfg.Models[faultModel]
	p.TTFTBase, p.PrefillPerToken, p.ITL, p.ITLSpread, p.LoadFactor = 5*time.Millisecond, 0, time.Millisecond, 0, 0
	p.OutputTokens = mockserver.Length{Mean: 8, Min: 8, Max: 8}
	p.Thinking = "disabled"
	p.KeepAlive = 0
	p.Faults = f
	cfg.Models[faultModel] = p
	return mocktest.ServeRoot(t, cfg)
}

// mockCounters reads the mock's Prometheus counters for faultModel:
// requests by status code and injected faults by kind.
func mockCounters(t *testing.T, url string) (requests, faults map[string]int) {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	requests, faults = map[string]int{}, map[string]int{}
	re := regexp.MustCompile(`^seedbench_mock_(requests|faults)_total\{(\w+)="([^"]*)",(\w+)="([^"]*)"\} (\d+)$`)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		labels := map[string]string{m[2]: m[3], m[4]: m[5]}
		if labels["model"] != faultModel {
			continue
		}
		n, _ := strconv.Atoi(m[6])
		if m[1] == "requests" {
			requests[labels["code"]] += n
		} else {
			faults[labels["fault"]] += n
		}
	}
	return requests, faults
}

// TestFaultMatrix runs the whole pipeline (seedbench run → results.jsonl →
// report) against the mock injecting one fault at a time into half of the
// requests. For each fault: the run completes without panicking; every
// failed request carries the fault's error class and every other request
// succeeded; the number of failures equals the number of faults the mock
// says it injected; there is one record per request issued, and the mock
// saw exactly that many requests; the report's counts, error classes and
// availability agree with the records.
func TestFaultMatrix(t *testing.T) {
	// Not parallel with the other tests: its timeouts are tight enough to
	// tell a fault from a slow answer.
	// Timeouts of the run: short, so the stall and slow-header rows end
	// quickly, and far above a clean stream's gaps (about 0.1 ms) even on a
	// CI machine busy with other packages' tests under -race.
	const ttfb, idle = time.Second, time.Second
	for _, tc := range []struct {
		name   string
		faults mockserver.Faults
		class  string // error class of the faulted requests; "" = they must succeed
		// check looks at one faulted record (class set) or at every
		// record (class ""), and at the report.
		check func(t *testing.T, rec map[string]any)
		// report checks the summary beyond counts.
		report func(t *testing.T, sum *report.Summary, faulted int)
		// idle replaces the idle timeout for a row whose fault is not a
		// silence (0: the shared one).
		idle time.Duration
	}{
		// 429 with Retry-After: 1, recorded verbatim.
		{name: "http_429", faults: mockserver.Faults{HTTP429: 0.5}, class: "http_429", check: func(t *testing.T, r map[string]any) {
			if r["retry_after"] != "1" || r["http_status"] != 429.0 {
				t.Errorf("k=%v: retry_after %v status %v", r["k"], r["retry_after"], r["http_status"])
			}
		}},
		// 429 without Retry-After: same class, no retry_after field.
		{name: "http_429_no_retry_after", faults: mockserver.Faults{HTTP429NoRetryAfter: 0.5}, class: "http_429", check: func(t *testing.T, r map[string]any) {
			if _, ok := r["retry_after"]; ok || r["http_status"] != 429.0 {
				t.Errorf("k=%v: retry_after %v status %v", r["k"], r["retry_after"], r["http_status"])
			}
		}},
		// 500 and 503: server errors, status kept.
		{name: "http_500", faults: mockserver.Faults{HTTP500: 0.5}, class: "http_5xx", check: status(500)},
		{name: "http_503", faults: mockserver.Faults{HTTP503: 0.5}, class: "http_5xx", check: status(503)},
		// The connection closes before any response byte.
		{name: "reset_before_headers", faults: mockserver.Faults{ResetBeforeHeaders: 0.5}, class: "reset", check: func(t *testing.T, r map[string]any) {
			if _, ok := r["http_status"]; ok {
				t.Errorf("k=%v: an HTTP status %v although no response came", r["k"], r["http_status"])
			}
		}},
		// A TCP RST after some tokens: a reset, not a clean truncation.
		{name: "reset_mid_stream", faults: mockserver.Faults{ResetMidStream: 0.5}, class: "reset", check: status(200)},
		// data: {"error":…} mid-stream; the message is kept.
		{name: "error_event", faults: mockserver.Faults{ErrorEvent: 0.5}, class: "stream_error", check: func(t *testing.T, r map[string]any) {
			if msg, _ := r["error"].(string); !strings.Contains(msg, "injected fault") {
				t.Errorf("k=%v: message %q does not carry the server's", r["k"], msg)
			}
		}},
		// The body ends cleanly without [DONE]; the tokens before are kept.
		{name: "truncate", faults: mockserver.Faults{Truncate: 0.5}, class: "stream_truncated", check: hasEvents},
		// A 3 s silence (30 s × 0.1) against a 1 s idle timeout.
		{name: "stall", faults: mockserver.Faults{Stall: 0.5, StallFor: 30 * time.Second}, class: "idle_timeout", check: hasEvents},
		// Headers 3 s late against a 1 s TTFB timeout.
		{name: "slow_headers", faults: mockserver.Faults{SlowHeaders: 0.5, SlowHeadersFor: 30 * time.Second}, class: "ttfb_timeout"},
		// One data line that is not JSON.
		{name: "invalid_json", faults: mockserver.Faults{InvalidJSON: 0.5}, class: "bad_sse"},
		// Usage chunk missing: the request succeeds, counted without
		// server usage (and so not costed).
		{name: "no_usage", faults: mockserver.Faults{NoUsage: 0.5}, report: func(t *testing.T, sum *report.Summary, faulted int) {
			if got := sum.Overall.Tokens.WithoutUsage; got != int64(faulted) {
				t.Errorf("report: %d requests without usage, want %d", got, faulted)
			}
			if got := sum.Overall.Tokens.WithUsage; got != int64(faultRequests-faulted) {
				t.Errorf("report: %d requests with usage, want %d", got, faultRequests-faulted)
			}
		}},
		// 2 s (20 s × 0.1) of keep-alive comments every 100 ms: longer
		// than the idle timeout in total, but the stream is alive.
		{name: "keep_alive_only", faults: mockserver.Faults{KeepAliveOnly: 0.5, KeepAliveFor: 20 * time.Second, KeepAliveEvery: time.Second}},
		// Every line ends in \r\n.
		{name: "crlf", faults: mockserver.Faults{CRLF: 0.5}},
		// One ~1 MiB event.
		// Reading and scanning a 1 MiB line under -race on a busy machine
		// can take longer than the stall rows' idle timeout.
		{name: "big_event", faults: mockserver.Faults{BigEvent: 0.5}, idle: 10 * time.Second},
	} {
		// Rows run one after the other: Main is not safe for concurrent
		// use (urfave/cli's help flag is a package-level value it writes).
		t.Run(tc.name, func(t *testing.T) {
			url := faultMock(t, tc.faults)
			out := filepath.Join(t.TempDir(), "run")
			idle := idle
			if tc.idle > 0 {
				idle = tc.idle
			}
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), []string{"seedbench", "run", "--quiet", "--no-plots", "--no-preflight", "--target", url + "/v1", "--out", out,
				"--ttfb-timeout", ttfb.String(), "--idle-timeout", idle.String(),
				// A loaded CI machine under -race may lag: the lag check is
				// not what this test is about.
				"--max-lag", "1m",
				writeScenario(t, faultScenario)}, &stdout, &stderr)
			if code != exitOK {
				t.Fatalf("exit %d, want 0 (some requests succeed); stderr:\n%s", code, stderr.String())
			}

			recs := readRecords(t, filepath.Join(out, "results.jsonl"))
			results := recs["result"]
			if len(recs["footer"]) != 1 {
				t.Fatalf("%d footers", len(recs["footer"]))
			}
			issued := int(recs["footer"][0]["issued"].(float64))
			if len(results) != faultRequests || issued != faultRequests {
				t.Fatalf("%d records, footer says %d issued; want %d each", len(results), issued, faultRequests)
			}
			seen := map[float64]bool{}
			ok, faulted := 0, 0
			for _, r := range results {
				k := r["k"].(float64)
				if seen[k] {
					t.Errorf("k=%v recorded twice", k)
				}
				seen[k] = true
				switch {
				case r["status"] == "ok":
					ok++
					if tc.class == "" && tc.check != nil {
						tc.check(t, r)
					}
				case r["status"] == "error" && r["error_class"] == tc.class && tc.class != "":
					faulted++
					if msg, _ := r["error"].(string); msg == "" {
						t.Errorf("k=%v: failure without a message", k)
					}
					if tc.check != nil {
						tc.check(t, r)
					}
				default:
					t.Errorf("k=%v: status %v class %v (%v); want ok or %q", k, r["status"], r["error_class"], r["error"], tc.class)
				}
			}

			// The mock's own books: one request per record, and one
			// failure per injected fault.
			requests, faults := mockCounters(t, url)
			seenByMock := 0
			for _, n := range requests {
				seenByMock += n
			}
			if seenByMock != faultRequests {
				t.Errorf("the mock counted %d requests (%v), want %d", seenByMock, requests, faultRequests)
			}
			injected := faults[tc.name]
			if injected == 0 || injected == faultRequests {
				t.Fatalf("the mock injected %q into %d of %d requests; the test needs some of each", tc.name, injected, faultRequests)
			}
			if tc.class != "" && faulted != injected {
				t.Errorf("%d records of class %s, the mock injected %d faults", faulted, tc.class, injected)
			}
			if tc.class == "" {
				faulted = injected
				if ok != faultRequests {
					t.Errorf("%d of %d requests succeeded; the fault must be tolerated", ok, faultRequests)
				}
			}

			// The report agrees with the records.
			sum := readSummary(t, out)
			o := sum.Overall
			failed := faultRequests - ok
			if o.Requests != faultRequests || o.Issued != faultRequests || o.OK != int64(ok) || o.Failed != int64(failed) || o.Dropped != 0 {
				t.Errorf("report: requests %d issued %d ok %d failed %d dropped %d; want %d %d %d %d 0",
					o.Requests, o.Issued, o.OK, o.Failed, o.Dropped, faultRequests, faultRequests, ok, failed)
			}
			if want := float64(ok) / faultRequests; math.Abs(o.Availability-want) > 1e-9 {
				t.Errorf("report: availability %v, want %d/%d = %v", o.Availability, ok, faultRequests, want)
			}
			wantClasses := map[string]int64{}
			if failed > 0 {
				wantClasses[tc.class] = int64(failed)
			}
			if fmt.Sprint(o.ErrorClasses) != fmt.Sprint(wantClasses) {
				t.Errorf("report: error classes %v, want %v", o.ErrorClasses, wantClasses)
			}
			if tc.report != nil {
				tc.report(t, sum, faulted)
			}
			t.Logf("%s: %d of %d injected, class %q, availability %.2f", tc.name, injected, faultRequests, tc.class, o.Availability)
		})
	}
}

// status checks a faulted record's HTTP status.
func status(code int) func(*testing.T, map[string]any) {
	return func(t *testing.T, r map[string]any) {
		if r["http_status"] != float64(code) {
			t.Errorf("k=%v: http_status %v, want %d", r["k"], r["http_status"], code)
		}
	}
}

// hasEvents checks that the token events before a mid-stream failure were
// kept.
func hasEvents(t *testing.T, r map[string]any) {
	if ev, _ := r["events_us"].([]any); len(ev) == 0 {
		t.Errorf("k=%v: the events before the failure were not kept", r["k"])
	}
}

// readSummary decodes the run directory's summary.json.
func readSummary(t *testing.T, dir string) *report.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, report.FileSummary))
	if err != nil {
		t.Fatal(err)
	}
	var s report.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", report.FileSummary, err)
	}
	return &s
}
