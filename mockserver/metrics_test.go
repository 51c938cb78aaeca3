package mockserver

import (
	"bytes"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestRenard10Buckets(t *testing.T) {
	b := renard10Buckets(-3, 1)
	if len(b) != 41 || b[0] != 0.001 || b[len(b)-1] != 10 {
		t.Fatalf("%d boundaries %v..%v, want 41 from 0.001 to 10", len(b), b[0], b[len(b)-1])
	}
	for _, v := range []float64{0.05, 0.2, 0.315, 1, 2, 5} { // printed as written, no float noise
		if !slices.Contains(b, v) {
			t.Errorf("lacks %v: %v", v, b)
		}
	}
	for i := 1; i < len(b); i++ {
		if r := b[i] / b[i-1]; r <= 1 || r > 1.281 {
			t.Errorf("step %v → %v", b[i-1], b[i])
		}
	}
}

// TestMetricsLint: the mock's exposition has R10 boundaries and passes
// "promtool check metrics" (skipped, saying so, without promtool).
func TestMetricsLint(t *testing.T) {
	cfg := fastConfig()
	cfg.TimeScale = 0.001
	_, hs := startServer(t, cfg)
	post(t, hs, `{"model":"doubao-seed-2.0-mini","stream":true,"max_tokens":7,"ignore_eos":true,"messages":[{"role":"user","content":"x"}]}`)
	resp, err := hs.Client().Get(hs.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`seedbench_mock_ttft_seconds_bucket{model="doubao-seed-2.0-mini",le="1"} 1`,
		`seedbench_mock_ttft_seconds_bucket{model="doubao-seed-2.0-mini",le="0.05"}`,
		`seedbench_mock_itl_seconds_bucket{model="doubao-seed-2.0-mini",le="0.0001"}`,
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus): the exposition lint is skipped")
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
