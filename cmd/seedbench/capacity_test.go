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
		{"a real endpoint needs a spend cap", []string{"capacity", "--target", "https://gateway.example/api/v3", "choose-variant"},
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

// TestRunNeedsSpendCap: run refuses a real endpoint without a spend cap
// (before sending anything) unless --no-spend-cap; a bad cap is bad input.
func TestRunNeedsSpendCap(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--target", "https://gateway.example/api/v3", "quickstart"}, "give a spend cap"},
		{[]string{"run", "--max-spend", "0CNY", "quickstart"}, `--max-spend: "0CNY" is not an amount of money`},
	} {
		_, errOut, code := seedbench(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestRunSpendCap is the README's example: mini-vs-pro with a 0.01 CNY cap
// stops before a request it cannot afford, says so and exits 3.
func TestRunSpendCap(t *testing.T) {
	dir := t.TempDir()
	_, errOut, code := seedbench(t, "run", "--max-spend", "0.01CNY", "--quiet", "--no-plots", "--out", dir, "mini-vs-pro")
	if code != exitUntrusted || !strings.Contains(errOut, "spend cap 0.01 CNY reached") {
		t.Fatalf("exit %d, stderr %q; want exit 3 and the cap named", code, errOut)
	}
}
