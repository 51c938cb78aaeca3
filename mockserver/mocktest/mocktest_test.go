package mocktest

import (
	"net/http"
	"strings"
	"testing"
)

// TestServeScaled: the URL answers the mock's model list while the test
// runs.
func TestServeScaled(t *testing.T) {
	url := ServeScaled(t, 0.05)
	if !strings.HasSuffix(url, "/v1") || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("base URL %q", url)
	}
	resp, err := http.Get(url + "/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/models: %s", resp.Status)
	}
}
