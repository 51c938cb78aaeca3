package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// echoKinds are the ways the echoing server below quotes the key back,
// after the 401 bodies that put it at every offset 0–echoOffsets.
var echoKinds = []string{"bad event", "error event", "finish_reason", "request id", "retry-after", "json escaped", "url encoded", "cut prefix"}

const echoOffsets = 600

// everywhereGateway quotes the bearer token it receives back in every place
// a server-supplied string can reach a record: request k (X-Seedbench-Seq)
// with k mod (echoOffsets+1+len(echoKinds)) ≤ echoOffsets gets a 401 whose
// body has the key at that offset; the others get one of echoKinds.
func everywhereGateway(t *testing.T) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		k, _ := strconv.Atoi(r.Header.Get("X-Seedbench-Seq"))
		i := k % (echoOffsets + 1 + len(echoKinds))
		stream := func(events ...string) {
			w.Header().Set("Content-Type", "text/event-stream")
			for _, e := range events {
				fmt.Fprint(w, "data: "+e+"\n\n")
			}
		}
		const role = `{"choices":[{"delta":{"role":"assistant","content":""}}]}`
		const token = `{"choices":[{"delta":{"content":"hi"}}]}`
		if i <= echoOffsets {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, strings.Repeat("x", i)+key+" is not a valid key")
			return
		}
		switch echoKinds[i-echoOffsets-1] {
		case "bad event":
			stream(role, `{"choices":[{"delta":{"content":"`+key+`"}}`) // cut: invalid JSON
		case "error event":
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "event: error\ndata: rejected "+key+"\n\n")
		case "finish_reason":
			stream(role, token, `{"choices":[{"delta":{},"finish_reason":"`+key+`"}]}`, "[DONE]")
		case "request id":
			w.Header().Set("X-Request-Id", key)
			stream(role, token, `{"choices":[{"delta":{},"finish_reason":"stop"}]}`, "[DONE]")
		case "retry-after":
			w.Header().Set("Retry-After", key)
			w.WriteHeader(http.StatusTooManyRequests)
		case "json escaped":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			esc := strings.ReplaceAll(key, "-", `\u002d`)
			fmt.Fprintf(w, `{"error":{"code":"invalid_api_key","message":"key %s\/%s rejected"}}`, esc, esc)
		case "url encoded":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, "see https://example.invalid/keys?k="+url.QueryEscape(key)+"&x=1")
		case "cut prefix":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, "bad key "+key[:12]+"…")
		}
	}))
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
	})
	return hs.URL + "/v1"
}

const echoScenario = `name: echo
description: every echo of the key
targets:
  - name: mini
    model: doubao-seed-2.0-mini
mix:
  - name: chat
    weight: 1
    prompt_tokens: 20
    output_tokens: 4
load:
  seed: 3
  max_in_flight: 640             # never drop: every echo must be sent, however busy the machine
  stages:
    - kind: constant
      rate: 400/s
      duration: 1600ms
`

// TestKeyEchoedEverywhereNeverLeaks: the key, echoed at every offset 0–600
// of a 401 body, inside a bad SSE event and an error event, as
// finish_reason, X-Request-Id and Retry-After, JSON-escaped, URL-encoded
// and cut short by the server, leaves no run of 8 of its characters in any
// file the run and its report write, nor on stdout or stderr.
func TestKeyEchoedEverywhereNeverLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("a 640-request run")
	}
	t.Setenv("SEEDBENCH_TEST_SENTINEL", sentinelKey)
	dir := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	args := []string{"seedbench", "run", "--no-plots", "--no-preflight", "--target", everywhereGateway(t), "--out", dir, "--max-lag", "1m",
		"--api-key-env", "SEEDBENCH_TEST_SENTINEL", writeScenario(t, echoScenario)}
	code := Main(context.Background(), args, &stdout, &stderr)
	if code == exitUsage {
		t.Fatalf("run: exit %d; stderr:\n%s", code, stderr.String())
	}
	recs := readRecords(t, filepath.Join(dir, "results.jsonl"))
	seen := map[int]bool{}
	redacted := 0
	for _, r := range recs["result"] {
		k := int(r["k"].(float64))
		seen[k%(echoOffsets+1+len(echoKinds))] = true
		if strings.Contains(fmt.Sprint(r["error"], r["finish_reason"], r["request_id"], r["retry_after"]), "[redacted]") {
			redacted++
		}
	}
	// The echoes reached the records, scrubbed (so the test can fail); past
	// offset 500 the message is cut before the redaction.
	if redacted < 500+len(echoKinds) {
		t.Errorf("%d records carry [redacted], want every echo's", redacted)
	}
	if len(seen) != echoOffsets+1+len(echoKinds) {
		t.Fatalf("the run covered %d of the %d echoes (%d records)", len(seen), echoOffsets+1+len(echoKinds), len(recs["result"]))
	}
	var rout, rerr bytes.Buffer
	Main(context.Background(), []string{"seedbench", "report", "--no-plots", dir}, &rout, &rerr)
	for name, out := range map[string]string{"run stdout": stdout.String(), "run stderr": stderr.String(),
		"report stdout": rout.String(), "report stderr": rerr.String()} {
		if w := keyRun(out); w != "" {
			t.Errorf("%q of the key appears in %s", w, name)
		}
	}
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(path)
		if err == nil {
			if w := keyRun(string(b)); w != "" {
				t.Errorf("%q of the key appears in %s", w, filepath.Base(path))
			}
		}
		return err
	})
	if err != nil || n < 5 {
		t.Fatalf("%d files checked: %v", n, err)
	}
}

// keyRun returns the first run of 8 characters of the sentinel key found in
// s, raw, JSON-escaped (\u002d for -) or URL-decoded; "".
func keyRun(s string) string {
	views := []string{s, strings.ReplaceAll(s, `\u002d`, "-")}
	if u, err := url.QueryUnescape(s); err == nil {
		views = append(views, u)
	}
	for i := 0; i+8 <= len(sentinelKey); i++ {
		for _, v := range views {
			if w := sentinelKey[i : i+8]; strings.Contains(v, w) {
				return w
			}
		}
	}
	return ""
}
