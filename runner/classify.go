package runner

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
)

// classify maps the error that ended a request to an error class. The
// request context's cause says which of the runner's own timeouts fired or
// whether the run was stopped; otherwise the transport error decides.
func classify(ctx context.Context, err error) string {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errTTFBTimeout):
		return ClassTTFBTimeout
	case errors.Is(cause, errIdleTimeout):
		return ClassIdleTimeout
	case errors.Is(cause, errTotalTimeout):
		return ClassTimeout
	case cause != nil:
		return ClassCanceled
	}
	var oe *net.OpError
	var ne net.Error
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var rh tls.RecordHeaderError
	var al tls.AlertError
	switch {
	case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &ci),
		errors.As(err, &rh), // HTTPS to a plain-HTTP server: its answer is not a TLS record
		errors.As(err, &al):
		return ClassTLS
	case errors.As(err, &oe) && oe.Op == "dial",
		errors.Is(err, syscall.ECONNREFUSED):
		return ClassConnect
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return ClassTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassReset
	case errors.Is(err, context.Canceled):
		return ClassCanceled
	case strings.Contains(err.Error(), "tls: "),
		// net/http's word for a RecordHeaderError from a plain-HTTP server
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return ClassTLS // crypto/tls reports most handshake failures as plain errors
	}
	return ClassOther
}

// describe is the message recorded beside a class: the timeout that fired,
// or the transport error.
func describe(ctx context.Context, err error, t Timeouts) string {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errTTFBTimeout):
		return fmt.Sprintf("no response headers within %s", t.TTFB)
	case errors.Is(cause, errIdleTimeout):
		return fmt.Sprintf("no data for %s", t.Idle)
	case errors.Is(cause, errTotalTimeout):
		return fmt.Sprintf("request not finished within %s", t.Total)
	case cause != nil:
		return "the run was stopped while the request was in flight"
	}
	return err.Error()
}

// errorMessage is the message recorded for an error body or an error
// event's data: the gateway's code and message when it is an error envelope
// (gatewayError), otherwise the text itself. Scrubbing and cutting are
// fail's.
func errorMessage(body []byte) string {
	code, msg := gatewayError(body)
	switch {
	case msg == "":
		return strings.TrimSpace(string(body))
	case code != "":
		return code + ": " + msg
	}
	return msg
}
