package run

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/seedbench/seedbench/scenarios"
)

// TestCalCache: a fit is kept per (base URL, model) with its date and read
// back by a later run; another model or URL is not served from it.
func TestCalCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seedbench", "calibration.json")
	c := loadCalCache(path)
	at := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	cal := scenarios.Calibration{Ratio: 1.19, Overhead: 9}
	if err := c.put("https://ark.cn-beijing.volces.com/api/v3", "doubao-seed-2-0-pro-260215", cal, at); err != nil {
		t.Fatal(err)
	}
	again := loadCalCache(path)
	e, ok := again.get("https://ark.cn-beijing.volces.com/api/v3", "doubao-seed-2-0-pro-260215")
	if !ok || e.Calibration != cal || !e.Measured.Equal(at) {
		t.Errorf("read back %+v %v", e, ok)
	}
	if _, ok := again.get("https://ark.cn-beijing.volces.com/api/v3", "doubao-seed-2-0-mini-260215"); ok {
		t.Error("another model served from the cache")
	}
	if _, ok := again.get("https://api.evolink.ai/v1", "doubao-seed-2-0-pro-260215"); ok {
		t.Error("another URL served from the cache")
	}
	if c := loadCalCache(filepath.Join(t.TempDir(), "missing.json")); len(c.Entries) != 0 {
		t.Error("a missing file is not an empty cache")
	}
}

func TestRemote(t *testing.T) {
	for url, want := range map[string]bool{
		"":                         false, // the built-in mock
		"http://127.0.0.1:8080/v1": false,
		"http://[::1]:8080/api/v3": false,
		"http://localhost:8080/v1": false,
		"https://ark.cn-beijing.volces.com/api/v3": true,
		"https://api.evolink.ai/v1":                true,
		"http://10.0.0.5:8000/v1":                  true,
	} {
		if got := remote(url); got != want {
			t.Errorf("remote(%q) = %v, want %v", url, got, want)
		}
	}
}
