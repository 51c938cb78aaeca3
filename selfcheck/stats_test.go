package selfcheck

import (
	"slices"
	"testing"

	"github.com/seedbench/seedbench/runner"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []int64
		want *Dist
	}{
		// No sample is nil, never a zero error.
		{"empty", nil, nil},
		// One value is every quantile.
		{"one", []int64{7}, &Dist{N: 1, Min: 7, P50: 7, P99: 7, Max: 7}},
		// Nearest rank: p50 of 4 values is the 2nd (⌈0.5·4⌉ = 2), not a mean.
		{"even count", []int64{4, 1, 3, 2}, &Dist{N: 4, Min: 1, P50: 2, P99: 4, Max: 4}},
		// Odd count: the middle value.
		{"odd count", []int64{5, 1, 3}, &Dist{N: 3, Min: 1, P50: 3, P99: 5, Max: 5}},
		// Signed errors sort below zero.
		{"negative", []int64{-3, 10, -1, 0}, &Dist{N: 4, Min: -3, P50: -1, P99: 10, Max: 10}},
		// 100 values: p99 is the 99th (⌈0.99·100⌉), one below the max.
		{"hundred", seq(1, 100), &Dist{N: 100, Min: 1, P50: 50, P99: 99, Max: 100}},
		// 1000 values: p99 is the 990th.
		{"thousand", seq(1, 1000), &Dist{N: 1000, Min: 1, P50: 500, P99: 990, Max: 1000}},
		// Fewer than 100: p99 is the max, as nearest rank should be.
		{"fifty", seq(1, 50), &Dist{N: 50, Min: 1, P50: 25, P99: 50, Max: 50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Summarize(slices.Clone(tc.in))
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Fatalf("Summarize(%v) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

// seq is lo..hi, reversed so Summarize has to sort.
func seq(lo, hi int64) []int64 {
	var out []int64
	for v := hi; v >= lo; v-- {
		out = append(out, v)
	}
	return out
}

func TestAbs(t *testing.T) {
	in := []int64{-5, 0, 3, -1}
	got := Abs(in)
	if !slices.Equal(got, []int64{5, 0, 3, 1}) {
		t.Fatalf("Abs = %v", got)
	}
	if in[0] != -5 {
		t.Fatal("Abs modified its input")
	}
}

func TestTTFTError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      runner.Result
		want   int64
		wantOK bool
	}{
		// The usual case: the client saw the token 150 µs after the truth.
		{"late client", runner.Result{TTFTUS: 200150, TruthTTFTUS: 200000}, 150, true},
		// Negative is reported as is (it would mean a truth stamped after
		// the write), never clamped to zero.
		{"negative", runner.Result{TTFTUS: 199990, TruthTTFTUS: 200000}, -10, true},
		// No truth (mock without Truth, or no usage chunk): not a sample.
		{"no truth", runner.Result{TTFTUS: 200150}, 0, false},
		// No token at all: not a sample.
		{"no token", runner.Result{TruthTTFTUS: 200000}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := TTFTError(&tc.r)
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("TTFTError = %d, %v; want %d, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestITLErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		m, t   []int64
		want   []int64
		wantOK bool
	}{
		// Constant offset between the two origins cancels: zero error.
		{"offset cancels", []int64{1100, 1300, 1500}, []int64{1000, 1200, 1400}, []int64{0, 0}, true},
		// Event 1 read 30 µs late: gap 1 looks longer, gap 2 shorter.
		{"one late read", []int64{1100, 1330, 1500}, []int64{1000, 1200, 1400}, []int64{30, -30}, true},
		// One event: no gap, but the pairing is fine.
		{"single event", []int64{500}, []int64{400}, nil, true},
		// Different counts: no pairing is attempted.
		{"count mismatch", []int64{1, 2, 3}, []int64{1, 2}, nil, false},
		// No events at all.
		{"empty", nil, nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runner.Result{EventsUS: tc.m, TruthEventsUS: tc.t}
			got, ok := ITLErrors(nil, &r)
			if !slices.Equal(got, tc.want) || ok != tc.wantOK {
				t.Fatalf("ITLErrors = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestITLErrorsAppends(t *testing.T) {
	r := runner.Result{EventsUS: []int64{0, 10}, TruthEventsUS: []int64{0, 12}}
	got, _ := ITLErrors([]int64{99}, &r)
	if !slices.Equal(got, []int64{99, -2}) {
		t.Fatalf("ITLErrors did not append: %v", got)
	}
}
