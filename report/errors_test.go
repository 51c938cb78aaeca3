package report

import (
	"testing"

	"github.com/seedbench/seedbench/runner"
)

// TestErrorTable: failures are grouped by class, HTTP status and gateway
// code, counted, and shown with the message of the lowest k, across two
// shard files read in either order.
func TestErrorTable(t *testing.T) {
	const mini = "doubao-seed-2.0-mini"
	fail := func(k int64, class string, status int, code, msg string) runner.Result {
		return runner.Result{K: k, Target: "mini", Model: mini, Tier: "32k", SentUS: k * 1000, E2EUS: 100, Status: runner.StatusError,
			ErrorClass: class, HTTPStatus: status, ErrorCode: code, Error: msg}
	}
	a := []runner.Result{okRecord(0, "mini", mini, "32k", 100, 0, 10),
		fail(1, runner.ClassAuth, 401, "invalid_api_key", "HTTP 401: invalid_api_key: first"),
		fail(3, runner.ClassAuth, 401, "invalid_api_key", "HTTP 401: invalid_api_key: third"),
		fail(5, runner.ClassQuotaRPM, 429, "RateLimitExceeded.EndpointRPMExceeded", "HTTP 429: rpm")}
	b := []runner.Result{fail(2, runner.ClassAuth, 401, "invalid_api_key", "HTTP 401: invalid_api_key: second"),
		fail(4, runner.ClassAuth, 403, "", "HTTP 403: forbidden"),
		{K: 6, Target: "mini", Model: mini, Tier: "32k", SentUS: -1, IntendedUS: 6000, Status: runner.StatusDropped, ErrorClass: runner.ClassDropped, Error: "not sent"}}
	h := runner.Header{Scenario: "errors", TargetRate: 1, ShardCount: 2, Targets: []runner.TargetInfo{{Name: "mini"}}}
	hb := h
	hb.ShardIndex = 1
	pa, pb := resultsFile(t, h, a), resultsFile(t, hb, b)
	want := []ErrorRow{
		{Class: runner.ClassAuth, HTTPStatus: 401, Code: "invalid_api_key", Count: 3, Example: "HTTP 401: invalid_api_key: first", ExampleK: 1},
		{Class: runner.ClassAuth, HTTPStatus: 403, Count: 1, Example: "HTTP 403: forbidden", ExampleK: 4},
		{Class: runner.ClassDropped, Count: 1, Example: "not sent", ExampleK: 6},
		{Class: runner.ClassQuotaRPM, HTTPStatus: 429, Code: "RateLimitExceeded.EndpointRPMExceeded", Count: 1, Example: "HTTP 429: rpm", ExampleK: 5},
	}
	for _, files := range [][]string{{pa, pb}, {pb, pa}} {
		s, err := Aggregate(files, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := s.Targets[0].Errors
		if len(got) != len(want) {
			t.Fatalf("%d rows: %+v", len(got), got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
	}
}
