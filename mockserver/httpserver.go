package mockserver

import (
	"net/http"
	"time"
)

// Timeouts of NewHTTPServer. A mock in CI sees clients that open
// connections and never send, or send a body a byte at a time
// (slowloris): each such connection holds a goroutine and its buffers, so
// every phase of reading a request has a bound. Writing has none: a stream
// legitimately lasts minutes, and a client that stops reading is caught by
// the write failing once the socket buffers fill, or by Close.
const (
	// ReadHeaderTimeout bounds the request line and headers of a new
	// request, from the first byte (or, on a new connection, from accept).
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds headers and body together. net/http lifts the
	// read deadline once the body has been read to its end (which the
	// chat handler always does), so it never cuts a long stream.
	ReadTimeout = 60 * time.Second
	// IdleTimeout bounds a kept-alive connection waiting for its next request.
	IdleTimeout = 120 * time.Second
	// MaxHeaderBytes bounds the request headers (net/http's default is 1 MiB).
	MaxHeaderBytes = 64 << 10
)

// NewHTTPServer returns an http.Server for h (usually a *Server) with the
// read timeouts above; Serve it on a listener, and Close the mock before
// Shutdown so open streams end at once. Tests may shorten the fields.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}
