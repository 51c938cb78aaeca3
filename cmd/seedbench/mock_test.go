package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMockCommandServes starts `seedbench mock` on a free loopback port,
// checks auth and a stream, then cancels it and expects exit 0.
func TestMockCommandServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t.Setenv("SEEDBENCH_TEST_MOCK_KEY", "sk-mock-test")
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"seedbench", "mock", "--listen", "127.0.0.1:0", "--time-scale", "0", "--api-key-env", "SEEDBENCH_TEST_MOCK_KEY"}, &stdout, &stderr)
	}()
	re := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/v1`)
	var base string
	for deadline := time.Now().Add(5 * time.Second); base == ""; {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			base = "http://" + m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no URL printed; stderr: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	body := `{"model":"doubao-seed-2.0-mini","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
	for _, tt := range []struct {
		key    string
		status int
	}{{"", 401}, {"sk-mock-test", 200}} {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/chat/completions", strings.NewReader(body))
		if tt.key != "" {
			req.Header.Set("Authorization", "Bearer "+tt.key)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Fatalf("key %q: status %d: %s", tt.key, resp.StatusCode, b)
		}
		if tt.status == 200 && !strings.HasSuffix(string(b), "data: [DONE]\n\n") {
			t.Errorf("stream does not end with [DONE]: %q", b)
		}
	}
	if strings.Contains(stdout.String()+stderr.String(), "sk-mock-test") {
		t.Error("the key was printed")
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d; stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("mock did not stop after cancel")
	}
}

func TestMockCommandBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("models:\n  doubao-seed-2.0-pro:\n    itl_spread: 9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"--config", bad}, "bad.yaml:3:5: models.doubao-seed-2.0-pro.itl_spread"},
		{[]string{"--config", filepath.Join(dir, "missing.yaml")}, "missing.yaml"},
		{[]string{"--time-scale", "-1"}, "time_scale"},
		{[]string{"--api-key-env", "SEEDBENCH_SURELY_UNSET_VAR"}, "SEEDBENCH_SURELY_UNSET_VAR"},
		{[]string{"extra-arg"}, "no arguments"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), append([]string{"seedbench", "mock"}, tt.args...), &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", tt.args, code, stderr.String(), tt.want)
		}
	}
}

// TestMockPrintConfigRoundTrips: --print-config output is a valid config.
func TestMockPrintConfigRoundTrips(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"seedbench", "mock", "--print-config", "--seed", "9"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	path := filepath.Join(t.TempDir(), "mock.yaml")
	if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out2, err2 bytes.Buffer
	if code := Main(context.Background(), []string{"seedbench", "mock", "--print-config", "--config", path}, &out2, &err2); code != exitOK {
		t.Fatalf("reading it back: exit %d: %s", code, err2.String())
	}
	if out2.String() != stdout.String() {
		t.Error("config changed on a round trip")
	}
}
