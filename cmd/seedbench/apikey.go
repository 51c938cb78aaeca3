package main

import (
	"fmt"
	"io"
	"os"
	"strings"
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
