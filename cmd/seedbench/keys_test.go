package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/mockserver"
)

// sentinelKey is the key the runs send; it must never be written anywhere.
// sentinelHeader is another secret, sent in a header the scenario sets.
const (
	sentinelKey    = "sk-SENTINEL-7f3a9c2e41d86b05-do-not-leak"
	sentinelHeader = "hdr-SENTINEL-5b1e0d93aa4c7f62"
)

// sentinelMarks are the distinctive middles of the two secrets, so escaped
// or split forms are caught too.
var sentinelMarks = []string{"7f3a9c2e41d86b05", "5b1e0d93aa4c7f62"}

// keyScenario sends the key as the bearer token, and another secret in a
// custom header expanded from the environment when the scenario is read,
// which the results file's copy of the scenario must not keep.
const keyScenario = `name: keys
description: five requests with a secret
targets:
  - name: mini
    model: doubao-seed-2.0-mini
    headers:
      X-Api-Key: "${SEEDBENCH_TEST_HEADER_SECRET}"
      X-Team: capacity
mix:
  - name: chat
    weight: 1
    prompt_tokens: 50
    output_tokens: 8
load:
  seed: 2
  max_in_flight: 10
  stages:
    - kind: constant
      rate: 20/s
      duration: 250ms
`

// echoingGateway wraps the mock behind a gateway that requires wantKey and,
// like some real ones, quotes what it got back in its 401 (both the
// Authorization and the X-Api-Key header).
func echoingGateway(t *testing.T, wantKey string) string {
	t.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = 0.01
	ms := mockserver.New(cfg)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+wantKey {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"message":"invalid key %q (x-api-key %q)","type":"invalid_request_error","code":"invalid_api_key"}}`,
				got, r.Header.Get("X-Api-Key"))
			return
		}
		ms.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		ms.Close()
	})
	return hs.URL + "/v1"
}

// TestKeyNeverLeaks runs a full run and a report with a sentinel key, from
// the environment and from a file, against a gateway that refuses it (401,
// echoing it back) and one that accepts it. The sentinel must appear in no
// file under the run directory and nowhere on stdout or stderr.
func TestKeyNeverLeaks(t *testing.T) {
	t.Setenv("SEEDBENCH_TEST_SENTINEL", sentinelKey)
	t.Setenv("SEEDBENCH_TEST_HEADER_SECRET", sentinelHeader)
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte(sentinelKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	scenario := writeScenario(t, keyScenario)
	for _, tc := range []struct {
		name    string
		gateway string // the key the gateway wants
		source  []string
		code    int
	}{
		// The gateway wants another key: every request gets a 401 that
		// quotes the key; no request succeeds (exit 3).
		{"401 key from env", "sk-the-right-one", []string{"--api-key-env", "SEEDBENCH_TEST_SENTINEL"}, exitUntrusted},
		{"401 key from file", "sk-the-right-one", []string{"--api-key-file", keyFile}, exitUntrusted},
		// The gateway accepts the key.
		{"200 key from env", sentinelKey, []string{"--api-key-env", "SEEDBENCH_TEST_SENTINEL"}, exitOK},
		{"200 key from file", sentinelKey, []string{"--api-key-file", keyFile}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := echoingGateway(t, tc.gateway)
			dir := filepath.Join(t.TempDir(), "run")
			var stdout, stderr bytes.Buffer
			args := append([]string{"seedbench", "run", "--no-plots", "--no-preflight", "--target", url, "--out", dir, "--max-lag", "1m"}, tc.source...)
			code := Main(context.Background(), append(args, scenario), &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("run: exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			recs := readRecords(t, filepath.Join(dir, "results.jsonl"))
			if n := len(recs["result"]); n != 5 {
				t.Fatalf("%d records, want 5", n)
			}
			for _, r := range recs["result"] {
				if tc.code == exitOK && r["status"] != "ok" {
					t.Errorf("k=%v: %v %v", r["k"], r["error_class"], r["error"])
				}
				if tc.code != exitOK {
					// The failure is recorded, with the gateway's message
					// (its quote of the key redacted).
					if msg, _ := r["error"].(string); r["http_status"] != 401.0 || !strings.Contains(msg, "[redacted]") {
						t.Errorf("k=%v: status %v message %q", r["k"], r["http_status"], msg)
					}
				}
			}
			// Re-report the run, as a user would later.
			var rout, rerr bytes.Buffer
			if code := Main(context.Background(), []string{"seedbench", "report", dir}, &rout, &rerr); code != exitOK {
				t.Fatalf("report: exit %d; stderr:\n%s", code, rerr.String())
			}
			for name, out := range map[string]string{"run stdout": stdout.String(), "run stderr": stderr.String(),
				"report stdout": rout.String(), "report stderr": rerr.String()} {
				for _, m := range sentinelMarks {
					if strings.Contains(out, m) {
						t.Errorf("a secret appears in %s:\n%s", name, out)
					}
				}
			}
			files := assertNoKeyUnder(t, dir)
			if files < 5 {
				t.Errorf("only %d files under the run directory: did the report write its files?", files)
			}
			// The non-secret header is kept; the secret one is not.
			hdr := recs["header"][0]
			if s := fmt.Sprint(hdr["resolved_scenario"]); !strings.Contains(s, "capacity") || !strings.Contains(s, "[redacted]") {
				t.Errorf("resolved scenario headers: %v", s)
			}
		})
	}
}

// assertNoKeyUnder fails for every file under dir that holds a sentinel
// and returns the number of files checked.
func assertNoKeyUnder(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range sentinelMarks {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("a secret (…%s…) appears in %s", m, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestKeyFlagRefused: there is no flag that takes a key's value; trying
// one is a usage error that does not repeat the value.
func TestKeyFlagRefused(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"run", "--api-key", sentinelKey},
		{"run", "--api-key=" + sentinelKey},
		{"mock", "--api-key", sentinelKey},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), append([]string{"seedbench"}, args...), &stdout, &stderr)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args[:2], code)
		}
		if strings.Contains(stdout.String()+stderr.String(), "7f3a9c2e41d86b05") {
			t.Errorf("%v: the value is repeated:\n%s%s", args[:2], stdout.String(), stderr.String())
		}
	}
}

// TestKeyFileErrors: a bad key file is a usage error naming the file and
// never its content.
func TestKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		path string
		want string // in stderr
	}{
		// no such file
		{"missing", filepath.Join(dir, "nope"), "nope"},
		// empty, or only whitespace
		{"empty", write("empty", " \n", 0o600), "empty"},
		// two lines: probably not a key file (a .env file, a config)
		{"two lines", write("two", sentinelKey+"\nOTHER=1\n", 0o600), "more than one line"},
		// far larger than a key
		{"huge", write("huge", strings.Repeat("x", maxKeyFileBytes+10), 0o600), "not a key file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), []string{"seedbench", "run", "--api-key-file", tc.path, "--out", t.TempDir()}, &stdout, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), tc.path) {
				t.Errorf("exit %d, stderr %q; want 2 naming %s and saying %q", code, stderr.String(), tc.path, tc.want)
			}
			if strings.Contains(stderr.String(), "7f3a9c2e41d86b05") {
				t.Error("the file's content is repeated")
			}
		})
	}
	// A key file others can read works, with a warning.
	t.Setenv("SEEDBENCH_TEST_HEADER_SECRET", "not-a-secret")
	open := write("open", "sk-readable-by-all-0123456789\n", 0o644)
	var stdout, stderr bytes.Buffer
	url := echoingGateway(t, "sk-readable-by-all-0123456789")
	if code := Main(context.Background(), []string{"seedbench", "run", "--quiet", "--no-plots", "--max-lag", "1m", "--api-key-file", open, "--target", url, "--out", t.TempDir(), writeScenario(t, keyScenario)}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "readable by other users") {
		t.Errorf("no warning about the file's mode:\n%s", stderr.String())
	}
	// Both sources at once is ambiguous.
	stderr.Reset()
	if code := Main(context.Background(), []string{"seedbench", "run", "--api-key-file", open, "--api-key-env", "X", "--out", t.TempDir()}, &stdout, &stderr); code != exitUsage {
		t.Errorf("--api-key-file with --api-key-env: exit %d, want 2", code)
	}
}
