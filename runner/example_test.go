package runner_test

import (
	"fmt"
	"time"

	"github.com/seedbench/seedbench/runner"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The plan of an open-loop stage is a pure function of its pacer: 4
// requests a second for one second are due at 250, 500, 750 and 1000 ms.
func ExampleIntended() {
	st := runner.Stage{Pacer: vegeta.ConstantPacer{Freq: 4, Per: time.Second}, Duration: time.Second}
	runner.Intended(st, func(hit uint64, at time.Duration) bool {
		fmt.Println(hit, at)
		return true
	})
	// Output:
	// 0 250ms
	// 1 500ms
	// 2 750ms
	// 3 1s
}

// Shard 1 of 3 runs every third request.
func ExampleShard_Owns() {
	s := runner.Shard{Index: 1, Count: 3}
	for k := int64(0); k < 8; k++ {
		if s.Owns(k) {
			fmt.Print(k, " ")
		}
	}
	fmt.Println()
	// Output: 1 4 7
}

// A run is trusted when its schedule lag p99 stays under 5 ms or 5% of the
// TTFT p50, whichever is larger.
func ExampleTrustLimit_Limit() {
	for _, ttft := range []time.Duration{40 * time.Millisecond, 400 * time.Millisecond} {
		fmt.Println(ttft, "→", runner.DefaultTrustLimit.Limit(ttft))
	}
	// Output:
	// 40ms → 5ms
	// 400ms → 20ms
}
