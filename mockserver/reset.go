package mockserver

import (
	"net"
	"net/http"
)

// resetConn pushes out what the response has written so far, then aborts
// the connection with a TCP RST (SO_LINGER 0), as a crashed backend or a
// proxy killing the connection does: the client's next read fails with
// "connection reset by peer" rather than a clean end of the body. Where the
// connection cannot be taken over (HTTP/2, a test recorder) it aborts the
// response the way net/http does for a panicking handler.
//
// The handler must return right after: the connection is gone.
func resetConn(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
