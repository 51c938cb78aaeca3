package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// API keys come from an environment variable or a file, never from a flag
// value (flags show in ps and in shell history). They are sent in the
// Authorization header and nowhere else: not in results, reports, logs or
// error messages.

// maxKeyFileBytes bounds what --api-key-file reads: a key is short, and a
// wrong path (a log, a device) must not be read whole.
const maxKeyFileBytes = 64 << 10

// readKeyFile reads an API key from path: the file's content with
// surrounding whitespace (a trailing newline) removed. Errors name the
// file, never its content. A file other users can read gets a warning.
func readKeyFile(path string, stderr io.Writer) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(stderr, "seedbench: warning: %s is readable by other users (mode %v); chmod 600 it\n", path, st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	switch key := strings.TrimSpace(string(b)); {
	case len(b) > maxKeyFileBytes:
		return "", fmt.Errorf("%s: larger than %d bytes: not a key file", path, maxKeyFileBytes)
	case key == "":
		return "", fmt.Errorf("%s: the file is empty", path)
	case strings.ContainsAny(key, "\r\n"):
		return "", fmt.Errorf("%s: holds more than one line; a key file holds the key alone", path)
	default:
		return key, nil
	}
}

// redacted is what a secret is replaced with.
const redacted = "[redacted]"

// resolvedScenario is the scenario as the results header records it, with
// what may be a credential removed: the values of headers that usually carry
// one (a scenario may say `Authorization: Bearer ${KEY}`, and ${KEY} is
// expanded when the file is read), and any of the run's keys wherever else
// it appears. The report never needs either.
func resolvedScenario(sc *scenarios.Scenario, keys []string) ([]byte, error) {
	cp := *sc
	cp.Targets = append([]scenarios.Target(nil), sc.Targets...)
	for i := range cp.Targets {
		t := &cp.Targets[i]
		if len(t.Headers) == 0 {
			continue
		}
		h := make(map[string]string, len(t.Headers))
		for k, v := range t.Headers {
			if runner.SecretHeader(k) {
				v = redacted
			}
			h[k] = v
		}
		t.Headers = h
	}
	b, err := json.Marshal(&cp)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if len(k) < 8 {
			continue // not a real key; replacing it could hit field names
		}
		// The key as JSON encodes it inside a string.
		enc, _ := json.Marshal(k)
		b = bytes.ReplaceAll(b, enc[1:len(enc)-1], []byte(redacted))
	}
	if len(keys) > 0 && !json.Valid(b) {
		return nil, errors.New("redacting the resolved scenario broke its JSON")
	}
	return b, nil
}
