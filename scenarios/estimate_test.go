package scenarios

import (
	"math"
	"testing"
)

func TestEstimateTokens(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"", 0},
		{"hello", 1},                          // a word
		{" hello", 1},                         // with its space
		{"hello world", 2},                    // two words
		{"internationalization", 2},           // 20 letters: ⌈20/10⌉
		{"12345", 2},                          // digits: ⌈5/3⌉
		{"a, b.", 4},                          // words and punctuation
		{"a\n\nb", 3},                         // a paragraph break is one token
		{"a   b", 3},                          // a run of spaces, then " b"
		{"你好", 2},                             // one per CJK rune
		{"Request abcdefghijkl.", saltTokens}, // the salt's estimate
	} {
		if got := EstimateTokens(tc.text); got != tc.want {
			t.Errorf("EstimateTokens(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

func TestRecalibrate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		current Calibration
		samples []CalibrationSample
		want    Calibration
		err     bool
	}{
		// One sample: ratio of sums, no overhead.
		{"one", Calibration{}, []CalibrationSample{{1000, 1150}}, Calibration{Ratio: 1.15}, false},
		// Three sizes on an exact line server = 1.2·est + 9.
		{"line", Calibration{}, []CalibrationSample{{500, 609}, {2000, 2409}, {8000, 9609}}, Calibration{Ratio: 1.2, Overhead: 9}, false},
		// Samples taken under ratio 2: estimates are first turned back into raw ones.
		{"under a ratio", Calibration{Ratio: 2}, []CalibrationSample{{2000, 1200}, {8000, 4800}}, Calibration{Ratio: 1.2}, false},
		// A negative intercept (noise) falls back to a line through the origin.
		{"negative intercept", Calibration{}, []CalibrationSample{{1000, 900}, {2000, 2100}}, Calibration{Ratio: 0.2 * (900 + 4200) / 1000}, false},
		// Nothing usable.
		{"no usage", Calibration{}, []CalibrationSample{{1000, 0}}, Calibration{}, true},
		// A ratio of 10 is a measurement of something else.
		{"implausible", Calibration{}, []CalibrationSample{{1000, 10000}}, Calibration{}, true},
	} {
		got, err := Recalibrate(tc.current, tc.samples)
		if (err != nil) != tc.err {
			t.Errorf("%s: error %v", tc.name, err)
			continue
		}
		if !tc.err && (math.Abs(got.Ratio-tc.want.Ratio) > 1e-9 || math.Abs(got.Overhead-tc.want.Overhead) > 1e-6) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	c := Calibration{Ratio: 1.2, Overhead: 9}
	if c.ToServer(1000) != 1209 || c.FromServer(1209) != 1000 || (Calibration{}).ToServer(7) != 7 {
		t.Error("ToServer/FromServer do not invert")
	}
}
