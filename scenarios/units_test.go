package scenarios

import (
	"math"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  bool
	}{
		{"20/s", 20, false},       // per second
		{"1200/m", 20, false},     // per minute
		{"36/h", 0.01, false},     // per hour
		{" 0.5 / s ", 0.5, false}, // spaces
		{"20", 0, true},           // no unit
		{"0/s", 0, true},          // not above zero
		{"-1/s", 0, true},         // negative
		{"fast/s", 0, true},       // not a number
		{"5/d", 0, true},          // unknown unit
	} {
		got, err := ParseRate(tc.in)
		if (err != nil) != tc.err || !tc.err && got != tc.want {
			t.Errorf("ParseRate(%q) = %v, %v", tc.in, got, err)
		}
	}
	for _, tc := range []struct {
		in   float64
		want string
	}{{20, "20/s"}, {0.5, "30/m"}, {1.0 / 7, "0.14285714285714285/s"}} {
		if got := FormatRate(tc.in); got != tc.want {
			t.Errorf("FormatRate(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"30s", 30 * time.Second, false},
		{"1h30m", 90 * time.Minute, false},
		{"2d", 48 * time.Hour, false},   // days
		{"1w", 168 * time.Hour, false},  // weeks
		{"0.5d", 12 * time.Hour, false}, // fractional days
		{"0s", 0, true},                 // must be positive
		{"soon", 0, true},               // not a duration
		{"-5m", 0, true},                // negative
	} {
		got, err := ParseDuration(tc.in)
		if (err != nil) != tc.err || !tc.err && got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tc.in, got, err)
		}
	}
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{{30 * 24 * time.Hour, "30d"}, {5 * time.Minute, "5m"}, {time.Hour, "1h"}, {61 * time.Minute, "1h1m"}, {90 * time.Second, "1m30s"}} {
		if got := FormatPeriod(tc.in); got != tc.want {
			t.Errorf("FormatPeriod(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseRatio(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  bool
	}{
		{"99.9%", 0.999, false},
		{"0.5", 0.5, false},
		{"100%", 1, false},
		{"101%", 0, true},
		{"most", 0, true},
	} {
		got, err := ParseRatio(tc.in)
		if (err != nil) != tc.err || !tc.err && math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("ParseRatio(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestExpandEnv(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      bool
	}{
		{"plain", "plain", false},
		{"${GATEWAY}", "https://gw.example/api/v3", false}, // set
		{"${NOPE:-http://x}", "http://x", false},           // default when unset
		{"${EMPTY:-fallback}", "fallback", false},          // default when empty
		{"${EMPTY}", "", false},                            // set to empty
		{"cost $$5 and $HOME", "cost $5 and $HOME", false}, // $$ and a bare $ kept
		{"${GATEWAY}/v1?x=${NOPE:-1}", "https://gw.example/api/v3/v1?x=1", false},
		{"${NOPE}", "", true},   // unset without default
		{"${GATEWAY", "", true}, // unclosed
		{"${1BAD}", "", true},   // not a name
	} {
		got, err := expandEnv(tc.in, testEnv)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("expandEnv(%q) = %q, %v", tc.in, got, err)
		}
	}
}
