package runner

import (
	"bytes"
	"os"
	"testing"
)

func mkdirAll(p string) error { return os.MkdirAll(p, 0o755) }

// truncateFooter removes the last line (the footer) of a results file, as if
// the process had been killed before writing it.
func truncateFooter(t *testing.T, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimRight(b, "\n")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
