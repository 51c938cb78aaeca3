package main

import (
	"strings"
	"testing"
)

// TestCapacityBadInput: what capacity refuses before sending anything
// (exit 2, saying what and where).
func TestCapacityBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a real endpoint needs a spend cap", []string{"capacity", "--target", "http://127.0.0.1:1/v1", "choose-variant"},
			"sends to a real endpoint: give a spend cap (--max-spend 5CNY or load.max_spend), or --no-spend-cap to go without"},
		{"a cap that is no amount", []string{"capacity", "--max-spend", "lots", "choose-variant"}, `--max-spend: "lots" is not an amount of money`},
		{"an unknown mode", []string{"capacity", "--by", "tokens", "choose-variant"}, `--by "tokens": rate or concurrency`},
		{"a tolerance of 100%", []string{"capacity", "--tolerance", "100%", "choose-variant"}, "--tolerance"},
		{"headroom below 1", []string{"capacity", "--headroom", "0.5", "choose-variant"}, "--headroom 0.5: at least 1"},
		{"an unknown target", []string{"capacity", "--targets", "max", "choose-variant"}, `--targets: choose-variant has no target "max"`},
		{"no scenario", []string{"capacity"}, "capacity takes one scenario"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := seedbench(t, tc.args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tc.want)
			}
		})
	}
}
