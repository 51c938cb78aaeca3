package run

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
)

// TestPreflightBuiltinMock: targets served by the built-in mock pass at
// once, without a request (their URL is not even dialed).
func TestPreflightBuiltinMock(t *testing.T) {
	targets := []runner.Target{{Name: "mini", Model: "m", BaseURL: "http://127.0.0.1:1/v1"}, {Name: "pro", Model: "p", BaseURL: "http://127.0.0.1:1/v1"}}
	start := time.Now()
	checks, err := preflight(context.Background(), targets, []bool{true, true}, []string{"K", "K"}, runner.DefaultTimeouts, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if c.Outcome != runner.PreflightBuiltinMock {
			t.Errorf("%s: outcome %q", c.Target, c.Outcome)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}
