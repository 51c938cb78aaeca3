package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rssKiB is a process's resident set size from /proc (0 where there is no
// /proc).
func rssKiB(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// TestMockManyIdleConnections opens 10,000 connections to a `seedbench
// mock` process that send nothing. While they are open the mock keeps
// answering, and its memory grows by a bounded amount per connection; once
// --read-header-timeout has passed it has closed every one of them; it then
// stops cleanly on SIGINT. The mock runs in a child process so that each
// side of the 10,000 connections has its own file-descriptor limit; when
// the limit (or the race detector's 8,128-goroutine cap) does not allow
// 10,000, the test uses fewer and says so.
func TestMockManyIdleConnections(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("opens thousands of connections")
	}
	n := 10000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < lim.Max {
		// Raise the soft limit as far as allowed; the child inherits it.
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Logf("raising the file limit: %v", err)
			_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
	}
	if room := int(lim.Cur) - 500; room < n {
		t.Logf("SCALED DOWN: the file-descriptor limit is %d, so %d connections instead of 10,000", lim.Cur, max(room, 100))
		n = max(room, 100)
	}
	if raceEnabled && n > 3000 {
		t.Logf("SCALED DOWN: the race detector caps a process at 8,128 goroutines; 3,000 connections instead of %d", n)
		n = 3000
	}

	const headerTimeout = 8 * time.Second
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "mock", "--listen", "127.0.0.1:0", "--time-scale", "0", "--read-header-timeout", headerTimeout.String())
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no banner from the mock: %v; stderr: %s", err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	m := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/v1`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("banner %q has no URL", line)
	}
	addr := m[1]
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	ask := func() time.Duration {
		start := time.Now()
		resp, err := client.Post("http://"+addr+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"doubao-seed-2.0-mini","stream":true,"max_tokens":4,"messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatalf("the mock does not answer: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.HasSuffix(b, []byte("data: [DONE]\n\n")) {
			t.Fatalf("status %d: %.200s", resp.StatusCode, b)
		}
		return time.Since(start)
	}
	ask()
	time.Sleep(200 * time.Millisecond)
	rss0 := rssKiB(cmd.Process.Pid)

	// Open the idle connections from 8 goroutines.
	conns := make([]net.Conn, n)
	start := time.Now()
	var wg sync.WaitGroup
	var dialErr error
	var mu sync.Mutex
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				c, err := net.DialTimeout("tcp", addr, 10*time.Second)
				if err != nil {
					mu.Lock()
					dialErr = err
					mu.Unlock()
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	if dialErr != nil {
		t.Fatalf("dialing: %v", dialErr)
	}
	opened := time.Since(start)
	time.Sleep(300 * time.Millisecond) // let the server accept the last ones
	took := ask()
	rss1 := rssKiB(cmd.Process.Pid)
	per := (rss1 - rss0) * 1024 / int64(n)
	t.Logf("%d idle connections opened in %s; a request meanwhile took %s; mock RSS %d MiB → %d MiB (%d bytes per connection)",
		n, opened.Round(time.Millisecond), took.Round(time.Millisecond), rss0>>10, rss1>>10, per)
	if took > 2*time.Second {
		t.Errorf("a request took %s with %d idle connections open", took, n)
	}
	// Measured: about 8 KiB per connection (net/http's goroutine and read
	// buffer), about 55 KiB under the race detector.
	limit := int64(32 << 10)
	if raceEnabled {
		limit = 256 << 10
	}
	if rss0 > 0 && per > limit {
		t.Errorf("%d bytes of memory per idle connection, more than %d", per, limit)
	}

	// Every connection is closed by the server once its headers are late.
	deadline := start.Add(headerTimeout + 15*time.Second)
	open := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(deadline)
		_, err := c.Read(make([]byte, 1))
		if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
			open++ // a timeout: still open
		}
	}
	closedAfter := time.Since(start)
	if open > 0 {
		t.Errorf("%d of %d idle connections still open %s after they were opened", open, n, closedAfter.Round(time.Millisecond))
	}
	if closedAfter < headerTimeout-time.Second {
		t.Errorf("the connections were closed after %s, before --read-header-timeout %s", closedAfter, headerTimeout)
	}
	ask()

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("mock exit: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the mock did not stop within 10s of SIGINT")
	}
}
