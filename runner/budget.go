package runner

import (
	"fmt"
	"sync/atomic"
)

// eventBudget bounds the bytes that all streams of a run hold in event
// buffers beyond their fixed read buffer: a long line or a large event's
// data. Without it one hostile server could make every stream buffer up to
// 2×maxEvent (32 MiB), and at a max_in_flight of 1,000 that is 32 GB. Past
// the budget the stream that asked for more fails (ClassBufferBudget) and
// gives back what it held, so the process stays within the budget.
type eventBudget struct {
	limit int64
	used  atomic.Int64
}

// DefaultEventBudget is the run-wide budget for buffered event bytes when
// Config.EventBudget is zero: 512 MiB, room for 16 streams at the 16 MiB
// event cap or 8,000 streams each holding a 64 KiB event.
const DefaultEventBudget = 512 << 20

// budgetStep is the reservation granularity: an ordinary stream reserves
// once and gives it back when it ends.
const budgetStep = 16 << 10

func newEventBudget(limit int64) *eventBudget {
	if limit <= 0 {
		limit = DefaultEventBudget
	}
	return &eventBudget{limit: limit}
}

// take reserves n bytes; false (and nothing reserved) when that would pass
// the limit.
func (b *eventBudget) take(n int64) bool {
	if b.used.Add(n) > b.limit {
		b.used.Add(-n)
		return false
	}
	return true
}

func (b *eventBudget) release(n int64) { b.used.Add(-n) }

// errBudget is the failure of a stream that needed more than the budget
// had left.
type errBudget struct{ limit, held int64 }

func (e *errBudget) Error() string {
	return fmt.Sprintf("the run's budget for buffered event bytes (%d MiB across all streams) is spent; this stream held %d KiB of an unfinished event",
		e.limit>>20, e.held>>10)
}

func (b *eventBudget) exceeded(held int64) error { return &errBudget{limit: b.limit, held: held} }
