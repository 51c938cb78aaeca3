package mockserver

import (
	"math"
	"sync"
	"time"
)

// bucket is a token bucket refilled continuously: it holds at most capacity
// tokens and gains rate tokens per second. RPM and TPM limits are buckets
// with capacity = the per-minute limit and rate = limit/60.
type bucket struct {
	mu       sync.Mutex
	capacity float64
	rate     float64
	tokens   float64
	last     time.Time
}

func newBucket(capacity, rate float64) *bucket {
	return &bucket{capacity: capacity, rate: rate, tokens: capacity, last: time.Now()}
}

// take removes n tokens if they are there. Otherwise it removes nothing and
// says how long until they would be: (n − tokens)/rate. A request larger
// than the whole bucket can never pass; its wait is the time to refill the
// bucket completely.
func (b *bucket) take(n float64, now time.Time) (ok bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(b.capacity, b.tokens+dt*b.rate)
		b.last = now
	}
	if n <= b.tokens {
		b.tokens -= n
		return true, 0
	}
	need := math.Min(n, b.capacity) - b.tokens
	return false, time.Duration(need / b.rate * float64(time.Second))
}

// give puts back n tokens (when a later check refuses a request that an
// earlier bucket already charged).
func (b *bucket) give(n float64) {
	b.mu.Lock()
	b.tokens = math.Min(b.capacity, b.tokens+n)
	b.mu.Unlock()
}
