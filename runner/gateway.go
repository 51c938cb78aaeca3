package runner

import (
	"encoding/json"
	"strings"
)

// Gateway error classes: what a hosted gateway's own error code says beyond
// the HTTP status. Throttling by quota and overload are kept apart from
// other failures because they answer a different question (is the plan
// above what the account may send?) than latency failures do.
const (
	ClassQuotaRPM       = "quota_rpm"        // requests-per-minute quota exceeded
	ClassQuotaTPM       = "quota_tpm"        // tokens-per-minute quota exceeded
	ClassOverloaded     = "overloaded"       // the service is overloaded (not the account's quota)
	ClassContextTooLong = "context_too_long" // prompt + output cap above the context window
)

// Throttled reports whether a class is throttling by quota or overload, which
// the report shows apart from latency failures.
func Throttled(class string) bool {
	switch class {
	case ClassQuotaRPM, ClassQuotaTPM, ClassOverloaded, ClassHTTP429:
		return true
	}
	return false
}

// gatewayError reads the error envelope both flavours share,
// {"error":{"code":…,"message":…,"type":…,"param":…}}, and returns the
// gateway's own code (a string, or a number written as one; the type when
// there is no code) and message. Ark's envelope differs in its vocabulary,
// not its shape: type is BadRequest, Unauthorized, NotFound,
// TooManyRequests, …, code is a dotted name
// (https://www.volcengine.com/docs/82379/1299023, "公共错误码"). Other
// servers' shapes are read too: {"error": "text"} and a bare
// {"message": …, "code": …}. Both are "" when body is none of these.
func gatewayError(body []byte) (code, message string) {
	type fields struct {
		Message any             `json:"message"`
		Code    json.RawMessage `json:"code"`
		Type    any             `json:"type"`
	}
	var env struct {
		Error json.RawMessage `json:"error"`
		fields
	}
	if json.Unmarshal(body, &env) != nil {
		return "", ""
	}
	f := env.fields
	if len(env.Error) > 0 && string(env.Error) != "null" {
		var s string
		if json.Unmarshal(env.Error, &s) == nil {
			return "", s
		}
		f = fields{}
		if json.Unmarshal(env.Error, &f) != nil {
			return "", ""
		}
	}
	c := strings.TrimSpace(string(f.Code))
	if c == "null" {
		c = ""
	}
	if len(c) >= 2 && c[0] == '"' {
		_ = json.Unmarshal(f.Code, &c)
	}
	if c == "" {
		c, _ = f.Type.(string)
	}
	if len(c) > 128 {
		c = c[:128]
	}
	m, _ := f.Message.(string)
	return c, m
}

// gatewayClass maps a gateway's error code (and, where the code alone is not
// specific, its message) to a class; "" when the code says nothing the HTTP
// status does not. Codes, by flavour:
//
// Volcengine Ark (https://www.volcengine.com/docs/82379/1299023; the same
// table in English at https://docs.byteplus.com/docs/ModelArk/1299023):
//
//	429 RateLimitExceeded.EndpointRPMExceeded       quota_rpm
//	429 RateLimitExceeded.EndpointTPMExceeded       quota_tpm
//	429 ModelAccountRpmRateLimitExceeded            quota_rpm
//	429 ModelAccountTpmRateLimitExceeded            quota_tpm
//	429 ServerOverloaded                            overloaded
//	400 InvalidParameter with a context-length message  context_too_long
//
// Ark's public table has no code of its own for an over-long prompt (it is
// an InvalidParameter), so for that one the message decides.
//
// OpenAI and OpenAI-style gateways (EvoLink relays Ark's codes where it has
// them): context_length_exceeded, and rate_limit_exceeded with "requests
// per min"/"tokens per min" in the message.
//
// Authentication (401/403: AuthenticationError, AccessDenied) and unknown
// models or endpoints (404: InvalidEndpointOrModel.NotFound) are classed by
// their HTTP status alone; their code is still kept in ErrorCode.
// A generic RateLimitExceeded (no RPM/TPM in it) stays http_429.
func gatewayClass(code, message string) string {
	lc := strings.ToLower(code)
	switch {
	case lc == "":
		return ""
	case lc == "serveroverloaded" || lc == "server_overloaded" || lc == "overloaded_error":
		return ClassOverloaded
	case strings.Contains(lc, "ratelimit") || strings.Contains(lc, "rate_limit"):
		switch {
		case strings.Contains(lc, "rpm"):
			return ClassQuotaRPM
		case strings.Contains(lc, "tpm"):
			return ClassQuotaTPM
		case strings.Contains(lc, "_") && strings.Contains(strings.ToLower(message), "tokens per min"):
			return ClassQuotaTPM
		case strings.Contains(lc, "_") && strings.Contains(strings.ToLower(message), "requests per min"):
			return ClassQuotaRPM
		}
		return ""
	case lc == "context_length_exceeded":
		return ClassContextTooLong
	case strings.HasPrefix(lc, "invalidparameter") && strings.Contains(strings.ToLower(message), "context"):
		return ClassContextTooLong
	}
	return ""
}
