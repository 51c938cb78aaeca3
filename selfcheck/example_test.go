package selfcheck_test

import (
	"fmt"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/selfcheck"
)

// The errors of one request: the client read the first token 180 µs after
// the mock flushed it (counting from each side's own start of the
// request), and read the second event 40 µs late relative to the first.
func ExampleTTFTError() {
	r := &runner.Result{
		TTFTUS:        200_180,
		EventsUS:      []int64{200_180, 220_220, 240_180},
		TruthTTFTUS:   200_000,
		TruthEventsUS: []int64{200_000, 220_000, 240_000},
	}
	ttft, _ := selfcheck.TTFTError(r)
	itl, _ := selfcheck.ITLErrors(nil, r)
	fmt.Println("TTFT error µs:", ttft)
	fmt.Println("ITL errors µs:", itl)
	fmt.Printf("|ITL error| µs: %+v\n", *selfcheck.Summarize(selfcheck.Abs(itl)))
	// Output:
	// TTFT error µs: 180
	// ITL errors µs: [40 -40]
	// |ITL error| µs: {N:2 Min:40 P50:40 P99:40 Max:40}
}
