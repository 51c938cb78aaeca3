package selfcheck

import (
	"sync"
	"time"

	"github.com/seedbench/seedbench/runner"
)

// collector turns the records of one step into error samples as they
// arrive. The runner calls add from many goroutines, once per request
// (never per event), so one mutex is cheap enough.
type collector struct {
	warmupUS int64         // records sent before this offset are left out
	start    time.Time     // the run's offset 0 (sent = start + SentUS)
	stamps   *serverStamps // the mock's side, to split the TTFT error
	mu       sync.Mutex
	ttft     []int64 // measured − truth TTFT, µs
	// The TTFT error's parts (see serverStamps), for the requests in ttft
	// whose stamps were found.
	request, mockWrite, clientRead []int64
	itl                            []int64 // measured − truth gap, µs, signed
	lag                            []int64 // open loop: sent − intended, µs
	requests                       int     // measured-window records, whatever their outcome
	ok                             int
	dropped                        int
	newConns                       int // dialed a connection: kept out of the TTFT error
	noTruth                        int // succeeded but carried no ground truth
	mismatched                     int // measured and true event counts differ
	errors                         map[string]int
}

func newCollector(warmup time.Duration, start time.Time, stamps *serverStamps) *collector {
	return &collector{warmupUS: warmup.Microseconds(), start: start, stamps: stamps, errors: map[string]int{}}
}

// add records one finished request; those sent during the warm-up (or
// meant to be, if dropped) are left out.
func (c *collector) add(r *runner.Result) {
	at := r.SentUS
	if r.Status == runner.StatusDropped {
		at = r.IntendedUS
	}
	var st *reqStamps
	if c.stamps != nil {
		st, _ = c.stamps.take(r.K)
	}
	if r.Warmup || at < c.warmupUS {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	if r.IntendedUS >= 0 && r.Status != runner.StatusDropped {
		c.lag = append(c.lag, r.LagUS)
	}
	switch {
	case r.Status == runner.StatusDropped:
		c.dropped++
		return
	case !r.OK():
		c.errors[r.ErrorClass]++
		return
	}
	c.ok++
	e, ok := TTFTError(r)
	if !ok {
		c.noTruth++
		return
	}
	// A new connection's dial is a real part of the latency a user sees,
	// not an error of the measurement, but the truth starts after it; so
	// these requests say nothing about the harness's TTFT error.
	if !r.Reused || r.ConnectUS > 0 {
		c.newConns++
	} else {
		c.ttft = append(c.ttft, e)
		if st != nil {
			sent := c.start.Add(time.Duration(r.SentUS) * time.Microsecond)
			if sp, ok := st.split(sent, r.TruthTTFTUS, e); ok {
				c.request = append(c.request, sp.request)
				c.mockWrite = append(c.mockWrite, sp.mockWrite)
				c.clientRead = append(c.clientRead, sp.clientRead)
			}
		}
	}
	if c.itl, ok = ITLErrors(c.itl, r); !ok {
		c.mismatched++
	}
}
