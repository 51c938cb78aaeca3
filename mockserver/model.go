package mockserver

import (
	"context"
	"net/http"
	"sync/atomic"
)

// model is the live state of one configured model: its admission slots and
// queue, prefix cache, rate buckets, current fault rates and metric handles.
type model struct {
	name    string
	profile Profile

	faults atomic.Pointer[Faults]

	slots    chan struct{} // one token per request being served
	queued   atomic.Int64
	inFlight atomic.Int64

	cache *prefixCache
	rpm   *bucket
	tpm   *bucket

	m modelMetrics
}

func newModel(name string, p Profile, ms *metrics) *model {
	m := &model{name: name, profile: p, slots: make(chan struct{}, p.MaxInFlight)}
	f := p.Faults.withDefaults()
	m.faults.Store(&f)
	if p.PrefixCache.BlockTokens > 0 {
		m.cache = newPrefixCache(p.PrefixCache.CapacityBlocks)
	}
	if p.RPM > 0 {
		m.rpm = newBucket(float64(p.RPM), float64(p.RPM)/60)
	}
	if p.TPM > 0 {
		m.tpm = newBucket(float64(p.TPM), float64(p.TPM)/60)
	}
	m.m = ms.forModel(name)
	return m
}

// admit takes a serving slot, waiting in the queue if all are busy. The
// queue is bounded: a request that finds MaxQueue others waiting gets 429
// at once. Waiters are served in arrival order (a channel's send queue is
// FIFO). release must be called once the response is done.
func (m *model) admit(ctx context.Context, closing <-chan struct{}) (release func(), err *apiError) {
	select {
	case m.slots <- struct{}{}:
	default:
		if m.queued.Add(1) > int64(m.profile.MaxQueue) {
			m.queued.Add(-1)
			return nil, &apiError{status: http.StatusTooManyRequests, typ: "rate_limit_error", code: "ServerOverloaded",
				message: "the model is overloaded: all serving slots are busy and the queue is full; retry later"}
		}
		m.m.queue.Inc()
		select {
		case m.slots <- struct{}{}:
		case <-ctx.Done():
			m.queued.Add(-1)
			m.m.queue.Dec()
			return nil, errServer(499, "canceled", "request canceled while queued")
		case <-closing:
			m.queued.Add(-1)
			m.m.queue.Dec()
			return nil, errServer(http.StatusServiceUnavailable, "server_closed", "the mock server is shutting down")
		}
		m.queued.Add(-1)
		m.m.queue.Dec()
	}
	m.inFlight.Add(1)
	m.m.inFlight.Inc()
	return func() {
		m.inFlight.Add(-1)
		m.m.inFlight.Dec()
		<-m.slots
	}, nil
}

// loadFactor is the decode slowdown at the current occupancy:
// 1 + LoadFactor·(inFlight−1)/max(MaxInFlight−1, 1).
func (m *model) loadFactor() float64 {
	if m.profile.LoadFactor == 0 {
		return 1
	}
	n := float64(m.inFlight.Load() - 1)
	if n < 0 {
		n = 0
	}
	return 1 + m.profile.LoadFactor*n/float64(max(m.profile.MaxInFlight-1, 1))
}
