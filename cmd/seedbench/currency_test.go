package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/mockserver/mocktest"
)

// TestRunCurrency: run --currency USD prices the report in USD and shows
// the rate it converted at; a currency the catalog has no rate for is a
// usage error.
func TestRunCurrency(t *testing.T) {
	url := mocktest.ServeScaled(t, 0.01)
	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	args := []string{"seedbench", "run", "--quiet", "--no-plots", "--max-lag", "1m", "--currency", "USD", "--target", url, "--out", out, writeScenario(t, shortScenario)}
	if code := Main(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	rep, err := os.ReadFile(filepath.Join(out, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rep), "prices in USD, converted at 1 USD = 7.2 CNY") {
		t.Errorf("no USD rate in the report:\n%s", rep)
	}
	stderr.Reset()
	args = []string{"seedbench", "run", "--dry-run", "--currency", "EUR", writeScenario(t, shortScenario)}
	if code := Main(context.Background(), args, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "no exchange rate") {
		t.Errorf("EUR: exit %d: %s", code, stderr.String())
	}
}
