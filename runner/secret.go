package runner

import "strings"

// SecretHeader reports whether a request header usually carries a
// credential (Authorization, Cookie, X-Api-Key, X-Auth-Token, …). The
// values of such headers are treated like the API key: sent, never
// recorded, and removed from error messages that echo them.
func SecretHeader(name string) bool {
	n := strings.ToLower(name)
	if n == "cookie" {
		return true
	}
	for _, w := range [...]string{"auth", "key", "token", "secret", "password", "signature", "credential", "session"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secrets lists what must never appear in a record of t: its API key and
// the values of its secret headers.
func (t *Target) secrets() []string {
	var s []string
	if t.APIKey != "" {
		s = append(s, t.APIKey)
	}
	for k, v := range t.Headers {
		if v != "" && SecretHeader(k) {
			s = append(s, v)
		}
	}
	return s
}
