package run

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/seedbench/seedbench/scenarios"
)

// calCache is calibration by default for a real target: the fit of the
// token estimate to one endpoint's tokenizer, run once and kept per
// (base URL, model) with the date it was measured, in the user's cache
// directory. A tokenizer changes with the model, not with the run, so a
// fit stays good until the model does; --calibrate refreshes it,
// --no-calibrate runs without.
type calCache struct {
	path    string
	Entries map[string]calEntry `json:"entries"`
}

type calEntry struct {
	BaseURL     string                `json:"base_url"`
	Model       string                `json:"model"`
	Calibration scenarios.Calibration `json:"calibration"`
	Measured    time.Time             `json:"measured"`
}

// DefaultCalibrationCache is where calibrations are kept:
// $XDG_CACHE_HOME/seedbench/calibration.json (or the platform's cache
// directory); "" when the platform has none.
func DefaultCalibrationCache() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "seedbench", "calibration.json")
}

// loadCalCache reads the cache; a missing or unreadable file is an empty
// cache (it is only ever a shortcut).
func loadCalCache(path string) *calCache {
	c := &calCache{path: path, Entries: map[string]calEntry{}}
	if path == "" {
		return c
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c
	}
	var f calCache
	if json.Unmarshal(b, &f) == nil && f.Entries != nil {
		c.Entries = f.Entries
	}
	return c
}

func calKey(baseURL, model string) string { return baseURL + "\x00" + model }

func (c *calCache) get(baseURL, model string) (calEntry, bool) {
	e, ok := c.Entries[calKey(baseURL, model)]
	return e, ok && e.Calibration.Ratio > 0
}

// put stores a fit and writes the file (through a temporary file, so a
// concurrent reader never sees half of it).
func (c *calCache) put(baseURL, model string, cal scenarios.Calibration, at time.Time) error {
	c.Entries[calKey(baseURL, model)] = calEntry{BaseURL: baseURL, Model: model, Calibration: cal, Measured: at.UTC()}
	if c.path == "" {
		return errors.New("no cache directory")
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, c.path)
}

// remote reports whether a base URL names a host other than this machine:
// not the built-in mock (""), not localhost, not a loopback address.
func remote(baseURL string) bool {
	if baseURL == "" {
		return false
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return false
	}
	if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
		return false
	}
	return true
}
