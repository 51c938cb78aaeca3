// Package mocktest starts the mock on a loopback port for a test, the way
// net/http/httptest starts a handler: the end-to-end tests of the run
// package, the capacity search and the command all need "a mock at this
// time scale until the test ends", and this is its one copy.
package mocktest

import (
	"net/http/httptest"
	"testing"

	"github.com/seedbench/seedbench/mockserver"
)

// Serve serves a mock with cfg on 127.0.0.1 until tb ends and returns its
// OpenAI-compatible base URL (ending in /v1).
func Serve(tb testing.TB, cfg mockserver.Config) string {
	tb.Helper()
	return ServeRoot(tb, cfg) + "/v1"
}

// ServeRoot is Serve returning the server's root URL, for the paths
// outside /v1: Ark's /api/v3 and the admin endpoints.
func ServeRoot(tb testing.TB, cfg mockserver.Config) string {
	tb.Helper()
	ms := mockserver.New(cfg)
	srv := httptest.NewServer(ms)
	tb.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		ms.Close()
	})
	return srv.URL
}

// ServeScaled is Serve with the default configuration at timeScale (0.05
// runs the mock's latencies twenty times faster than real time).
func ServeScaled(tb testing.TB, timeScale float64) string {
	tb.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = timeScale
	return Serve(tb, cfg)
}
