package runner

import (
	"compress/flate"
	"compress/gzip"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxErrorBody is how much of a non-200 body is read for its message.
const maxErrorBody = 4 << 10

// statusClass maps a final HTTP status other than 200 to the class a user
// can act on.
func statusClass(code int) string {
	switch {
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		return ClassAuth // the key, or what it may use
	case code == http.StatusNotFound:
		return ClassNotFound // the base URL or the model id
	case code == http.StatusBadRequest, code == http.StatusUnprocessableEntity:
		return ClassBadRequest // the request body (a field, a limit)
	case code == http.StatusRequestEntityTooLarge:
		return ClassTooLarge // the prompt
	case code == http.StatusTooManyRequests:
		return ClassHTTP429
	case code >= 500:
		return ClassHTTP5xx
	case code >= 400:
		return ClassHTTP4xx
	case code >= 300 && code < 400:
		return ClassHTTP3xx
	}
	return ClassOther // a 2xx other than 200: not an answer
}

// httpError records a response whose status is not 200: its class, the
// gateway's error code and message (or the body), Retry-After, and for a
// redirect where it pointed (scheme and host only: a Location's path and
// query may carry tokens).
func (s *streamer) httpError(res *Result, resp *http.Response, pt *preparedTarget) {
	res.RetryAfter = pt.scrub.clean(resp.Header.Get("Retry-After"), maxRetryAfter)
	class := statusClass(resp.StatusCode)
	msg := "HTTP " + strconv.Itoa(resp.StatusCode)
	if class == ClassHTTP3xx {
		msg += " redirect, not followed"
		if loc, err := resp.Location(); err == nil {
			msg += ", to " + loc.Scheme + "://" + loc.Host
		}
		s.fail(res, class, msg+": set the target's base_url to where the service really is", pt)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(decoded(resp), maxErrorBody))
	// The gateway's own code is kept beside the class, and refines it where
	// it says more than the status (quota_rpm, context_too_long, …).
	code, gmsg := gatewayError(body)
	res.ErrorCode = pt.scrub.clean(code, maxErrorCode)
	if c := gatewayClass(code, gmsg); c != "" {
		class = c
	}
	s.fail(res, class, msg+": "+errorMessage(body), pt)
}

// decoded is resp's body, gunzipped when the server compressed it in spite
// of Accept-Encoding: identity (an error body's message is worth reading).
func decoded(resp *http.Response) io.Reader {
	if isGzip(resp.Header.Get("Content-Encoding")) {
		if zr, err := gzip.NewReader(resp.Body); err == nil {
			return zr
		}
	}
	return resp.Body
}

// corrupt reports whether err is the decompressor's complaint about its input.
func corrupt(err error) bool {
	var ce flate.CorruptInputError
	return errors.As(err, &ce) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader)
}

func isGzip(enc string) bool {
	enc = strings.ToLower(strings.TrimSpace(enc))
	return enc == "gzip" || enc == "x-gzip"
}

// streamBody checks a 200 before it is read as an event stream and returns
// the reader for the SSE reader; false when the response was recorded as a
// failure instead.
//
// Content-Type must be text/event-stream. A JSON body is read: an error
// envelope with status 200 is the gateway's error (stream_error), anything
// else (a non-streamed answer) is bad_content_type, like a proxy's HTML page
// or text/plain. The message says what the type was and how the body began.
//
// Content-Encoding: the request asks for identity, since a compressor
// batches events and shifts their stamps. A server that gzips anyway is
// decoded and the encoding recorded (Result.ContentEncoding); the events
// are stamped when the compressed bytes carrying them arrive (st sits
// under the decompressor), which is when the process could have them. Any
// other encoding is bad_content_type.
func (s *streamer) streamBody(res *Result, resp *http.Response, st *stampReader, pt *preparedTarget) (io.Reader, bool) {
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if mt != "text/event-stream" {
		body, _ := io.ReadAll(io.LimitReader(decoded(resp), maxErrorBody))
		if mt == "application/json" {
			if code, msg := gatewayError(body); msg != "" {
				res.ErrorCode = pt.scrub.clean(code, maxErrorCode)
				s.fail(res, ClassStreamError, "HTTP 200 with an application/json error instead of an event stream: "+errorMessage(body), pt)
				return nil, false
			}
		}
		what := strconv.Quote(ct)
		if ct == "" {
			what = "no Content-Type"
		}
		s.fail(res, ClassBadContentType, "expected Content-Type text/event-stream, got "+what+"; the body begins: "+strings.TrimSpace(string(body)), pt)
		return nil, false
	}
	switch {
	case enc == "" || enc == "identity":
		return st, true
	case isGzip(enc):
		res.ContentEncoding = "gzip"
		zr, err := gzip.NewReader(st)
		if err != nil {
			s.fail(res, ClassBadSSE, "the gzip-encoded event stream is corrupt: "+err.Error(), pt)
			return nil, false
		}
		return zr, true
	}
	res.ContentEncoding = pt.scrub.clean(enc, maxErrorCode)
	s.fail(res, ClassBadContentType, "the event stream is encoded with "+strconv.Quote(enc)+", which seedbench does not decode (it asks for identity and decodes gzip)", pt)
	return nil, false
}
