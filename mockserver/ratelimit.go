package mockserver

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// Rate-limit headers, as OpenAI-compatible gateways send them on every
// response of a rate-limited endpoint: the per-minute limit, what is left
// of it, and how long until the bucket is full again (a Go duration such as
// "1s" or "6m0s"). Keys are written in canonical form so setting them does
// not allocate a key.
const (
	hdrLimitRequests     = "X-Ratelimit-Limit-Requests"
	hdrRemainingRequests = "X-Ratelimit-Remaining-Requests"
	hdrResetRequests     = "X-Ratelimit-Reset-Requests"
	hdrLimitTokens       = "X-Ratelimit-Limit-Tokens"
	hdrRemainingTokens   = "X-Ratelimit-Remaining-Tokens"
	hdrResetTokens       = "X-Ratelimit-Reset-Tokens"
)

// state is what is left in the bucket at now and how long until it is full.
func (b *bucket) state(now time.Time) (remaining float64, full time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.tokens
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		t = math.Min(b.capacity, t+dt*b.rate)
	}
	return t, time.Duration((b.capacity - t) / b.rate * float64(time.Second))
}

// rateHeaders sets the x-ratelimit-* headers of the model's RPM and TPM
// buckets (none for a model without them).
func (m *model) rateHeaders(h http.Header, now time.Time) {
	set := func(b *bucket, limit int, lk, rk, sk string) {
		if b == nil {
			return
		}
		rem, full := b.state(now)
		h[lk] = []string{strconv.Itoa(limit)}
		h[rk] = []string{strconv.Itoa(int(math.Floor(rem)))}
		h[sk] = []string{full.Round(time.Millisecond).String()}
	}
	set(m.rpm, m.profile.RPM, hdrLimitRequests, hdrRemainingRequests, hdrResetRequests)
	set(m.tpm, m.profile.TPM, hdrLimitTokens, hdrRemainingTokens, hdrResetTokens)
}
