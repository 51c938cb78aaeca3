package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Results that cannot be read leave nothing behind: no requests.csv (not
// even an empty one), no other file, and no directory WriteAll made.
func TestWriteAllUnreadableWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		// An empty file has no header line.
		{"empty", "", "empty file: not a seedbench results file"},
		// A first line that is not a results header.
		{"not results", "{\"hello\": 1}\n", "not a seedbench results file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "results.jsonl")
			if err := os.WriteFile(in, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "new")} {
				_, err := WriteAll(dir, []string{in}, Options{NoPlots: true})
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("WriteAll(%s) = %v, want an error saying %q", dir, err, tc.want)
				}
				if strings.Contains(err.Error(), "writing") {
					t.Errorf("a reading problem is told as a writing one: %v", err)
				}
				entries, statErr := os.ReadDir(dir)
				if len(entries) > 0 || (statErr == nil) != (filepath.Base(dir) != "new") {
					t.Errorf("%s after a failed report: %v (stat: %v), want nothing", dir, entries, statErr)
				}
			}
		})
	}
}
