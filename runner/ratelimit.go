package runner

import (
	"net/http"
	"strconv"
)

// Quota headers (x-ratelimit-limit/remaining/reset-requests|tokens), sent by
// OpenAI-compatible gateways on the responses of a rate-limited endpoint.
// Indexed by their canonical form: reading them allocates nothing, and a
// response without them costs six map misses.
const (
	hdrLimitRequests     = "X-Ratelimit-Limit-Requests"
	hdrRemainingRequests = "X-Ratelimit-Remaining-Requests"
	hdrResetRequests     = "X-Ratelimit-Reset-Requests"
	hdrLimitTokens       = "X-Ratelimit-Limit-Tokens"
	hdrRemainingTokens   = "X-Ratelimit-Remaining-Tokens"
	hdrResetTokens       = "X-Ratelimit-Reset-Tokens"
)

// readRateLimit copies the quota headers into res; a header that is absent
// or not a number leaves its field zero (limit 0 means "not sent").
func readRateLimit(h http.Header, res *Result) {
	num := func(k string) int64 {
		v := h[k]
		if len(v) == 0 {
			return 0
		}
		n, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	str := func(k string) string {
		v := h[k]
		if len(v) == 0 || len(v[0]) > 32 {
			return ""
		}
		return v[0]
	}
	res.RLLimitRequests, res.RLRemainingRequests, res.RLResetRequests = num(hdrLimitRequests), num(hdrRemainingRequests), str(hdrResetRequests)
	res.RLLimitTokens, res.RLRemainingTokens, res.RLResetTokens = num(hdrLimitTokens), num(hdrRemainingTokens), str(hdrResetTokens)
}
