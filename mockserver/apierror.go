package mockserver

import (
	"net/http"
	"strconv"
)

// apiError is one error in the OpenAI envelope
// {"error":{"message":…,"type":…,"param":…,"code":…}}. Codes are strings, as
// the gateway sends them; OpenAI clients map the HTTP status to their typed
// errors and keep the code.
type apiError struct {
	status  int
	typ     string
	code    string
	param   string // "" is sent as null
	message string
	// retryAfter, when positive, is sent as a Retry-After header (seconds).
	retryAfter int
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// appendJSON appends the envelope; the strings are escaped because a field
// name or model id can come from the request.
func (e *apiError) appendJSON(b []byte) []byte {
	b = append(b, `{"error":{"message":`...)
	b = appendJSONString(b, e.message)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, e.typ)
	b = append(b, `,"param":`...)
	if e.param == "" {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, e.param)
	}
	b = append(b, `,"code":`...)
	b = appendJSONString(b, e.code)
	return append(b, "}}"...)
}

func (e *apiError) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	w.WriteHeader(e.status)
	_, _ = w.Write(append(e.appendJSON(make([]byte, 0, 256)), '\n'))
}

func errInvalid(param, message string) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: "invalid_request_error", code: "invalid_value", param: param, message: message}
}

func errMissing(param string) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: "invalid_request_error", code: "missing_required_parameter", param: param,
		message: "missing required parameter: '" + param + "'"}
}

func errModelNotFound(model string) *apiError {
	return &apiError{status: http.StatusNotFound, typ: "invalid_request_error", code: "model_not_found", param: "model",
		message: "the model '" + model + "' does not exist or you do not have access to it"}
}

func errServer(status int, code, message string) *apiError {
	return &apiError{status: status, typ: "server_error", code: code, message: message}
}

// appendJSONString appends s as a JSON string literal. It escapes only what
// JSON requires (quote, backslash, control characters); valid UTF-8 passes
// through, invalid bytes become U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			i++
			continue
		}
		if c < 0x80 {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		if r == runeError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
