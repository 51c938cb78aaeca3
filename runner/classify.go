package runner

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
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
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &oe) && oe.Op == "dial",
		errors.Is(err, syscall.ECONNREFUSED),
		errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &rh):
		return ClassConnect
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return ClassTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassReset
	case errors.Is(err, context.Canceled):
		return ClassCanceled
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

// errorMessage extracts the OpenAI error envelope's code and message, or
// returns the body itself.
func errorMessage(body []byte) string {
	var env struct {
		Error struct {
			Message string `json:"message"`
			Code    any    `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error.Message != "" {
		if env.Error.Code != nil {
			return fmt.Sprintf("%v: %s", env.Error.Code, env.Error.Message)
		}
		return env.Error.Message
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 512 {
		s = s[:512] + "…"
	}
	return s
}

// scrub removes the API key and other secrets from a message that may
// echo them (some gateways quote a bad key back in their 401).
func scrub(msg string, secrets []string) string {
	for _, k := range secrets {
		msg = strings.ReplaceAll(msg, k, "[redacted]")
	}
	return msg
}
