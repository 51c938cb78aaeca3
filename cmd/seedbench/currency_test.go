package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCurrencyFlags: every command that prints money takes --currency and
// shows the rate it converted at: compare, merge and capacity (run, report
// and cost have their own tests).
func TestCurrencyFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sc := filepath.Join(dir, "short.yaml")
	if err := os.WriteFile(sc, []byte(shortScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(dir, "run")
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"seedbench", "run", "--max-lag", "1m", "--no-plots", "--out", runDir, sc}, &stdout, &stderr); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr.String())
	}
	const rate = "converted at 1 USD = 7.2 CNY"
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"compare", []string{"compare", "--currency", "USD", runDir, runDir}, []string{"(money in USD, " + rate, "cost_per_1k"}},
		{"merge", []string{"merge", "--currency", "USD", "--no-plots", "-o", filepath.Join(dir, "merged"), filepath.Join(runDir, "results.jsonl")}, []string{"cost (USD", "prices in USD, " + rate}},
		{"capacity", []string{"capacity", "--dry-run", "--currency", "USD", "choose-variant"}, []string{"money:       in USD, " + rate, " USD"}},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), append([]string{"seedbench"}, tc.args...), &stdout, &stderr)
		if code != exitOK {
			t.Errorf("%s: exit %d\n%s\n%s", tc.name, code, stderr.String(), stdout.String())
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%s: no %q in\n%s", tc.name, w, stdout.String())
			}
		}
	}
	// A currency without a rate is bad usage, on each of them.
	for _, args := range [][]string{
		{"compare", "--currency", "EUR", runDir, runDir},
		{"merge", "--currency", "EUR", "-o", filepath.Join(dir, "m2"), filepath.Join(runDir, "results.jsonl")},
		{"capacity", "--dry-run", "--currency", "EUR", "choose-variant"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), append([]string{"seedbench"}, args...), &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "--currency") {
			t.Errorf("%s --currency EUR: exit %d, %s", args[0], code, stderr.String())
		}
	}
}
