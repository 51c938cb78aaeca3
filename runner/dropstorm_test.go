package runner

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// TestDropStormStopsWithinGrace: 200,000 requests a second against one
// slot that never frees (the server never answers) is a storm of drops.
// After the first stop (ctx) the run ends within the grace period plus one
// second; after both at once within one second. Every drop keeps its
// record: drops recorded == Stats.Dropped.
func TestDropStormStopsWithinGrace(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	const grace = time.Second
	for _, tt := range []struct {
		name  string
		grace time.Duration // between the first stop and the second
	}{
		{"first stop, then grace", grace},
		{"both stops at once", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, stop := context.WithCancel(context.Background())
			drainCtx, stopDrain := context.WithCancel(context.Background())
			defer stop()
			defer stopDrain()
			var dropped, other atomic.Int64
			var stopped atomic.Int64 // unix nanos of the first stop
			sink := func(r *Result) {
				if r.Status != StatusDropped {
					other.Add(1)
					return
				}
				// stop once the storm is well under way
				if dropped.Add(1) == 20_000 {
					stopped.Store(time.Now().UnixNano())
					stop()
					time.AfterFunc(tt.grace, stopDrain)
				}
			}
			hang := &fakeTransport{latency: time.Hour}
			cfg := Config{
				Targets:     []Target{{Name: "a", Model: "m", BaseURL: "http://fake"}},
				Stages:      []Stage{{Pacer: rate(200_000), Duration: time.Minute}},
				Requests:    seqSource{targets: 1},
				MaxInFlight: 1,
				Client:      &http.Client{Transport: hang},
				Sink:        sink,
			}
			st, err := Run(ctx, drainCtx, cfg)
			end := time.Now()
			if err != nil {
				t.Fatal(err)
			}
			if stopped.Load() == 0 {
				t.Fatal("the storm never reached 20,000 drops")
			}
			took := end.Sub(time.Unix(0, stopped.Load()))
			t.Logf("stopped %v after the first stop; %d dropped, %d other records", took, dropped.Load(), other.Load())
			if took > tt.grace+time.Second {
				t.Errorf("took %v to stop, over grace %v + 1 s", took, tt.grace)
			}
			if st.Dropped != dropped.Load() {
				t.Errorf("Stats.Dropped %d, drop records %d", st.Dropped, dropped.Load())
			}
			if st.Issued != 1 || other.Load() != 1 {
				t.Errorf("issued %d, non-drop records %d, want 1 and 1 (the one slot, canceled)", st.Issued, other.Load())
			}
		})
	}
}
