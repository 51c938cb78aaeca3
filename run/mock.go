package run

import (
	"context"
	"net"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/runner"
)

// builtinMockURL marks, in results headers, targets served by the in-process mock.
const builtinMockURL = "builtin-mock"

// startBuiltinMock serves the built-in mock on a loopback port of its own and
// returns its OpenAI base URL and a stop function.
func startBuiltinMock(cfg mockserver.Config) (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ms := mockserver.New(cfg)
	srv := mockserver.NewHTTPServer(ms)
	go srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on stop
	return "http://" + ln.Addr().String() + "/v1", func() {
		// Close the mock first: it ends its open streams at once, so
		// Shutdown does not wait out its timeout on them.
		ms.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// allMock reports whether every target is served by the built-in mock, whose
// prefix cache starts empty with every run.
func allMock(infos []runner.TargetInfo) bool {
	for _, t := range infos {
		if t.BaseURL != builtinMockURL {
			return false
		}
	}
	return true
}
