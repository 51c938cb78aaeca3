package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEGatewayExamples: the README's real Ark and EvoLink scenarios
// and commands plan (dry run: nothing is sent) with no warning, and the
// EvoLink line of run's examples does too.
func TestREADMEGatewayExamples(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ark", "evolink"} {
		_, rest, ok := strings.Cut(string(b), "<!-- gateway-example: "+name+" -->\n```yaml\n")
		if !ok {
			t.Fatalf("README.md has no %s example", name)
		}
		src, _, _ := strings.Cut(rest, "```")
		path := filepath.Join(t.TempDir(), name+".yaml")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		args := []string{"seedbench", "run", "--dry-run", "--max-spend", "20CNY", "--out", filepath.Join(t.TempDir(), "run"), path}
		if code := Main(context.Background(), args, &stdout, &stderr); code != exitOK {
			t.Errorf("%s: exit %d:\n%s", name, code, stderr.String())
		}
		if strings.Contains(stderr.String(), "warning") {
			t.Errorf("%s: warnings:\n%s", name, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	args := []string{"seedbench", "run", "--dry-run", "--target", "https://api.evolink.ai/v1", "--max-spend", "5CNY", "--out", filepath.Join(t.TempDir(), "run"), "mini-vs-pro"}
	if code := Main(context.Background(), args, &stdout, &stderr); code != exitOK || strings.Contains(stderr.String(), "warning") {
		t.Errorf("EvoLink mini-vs-pro: exit %d:\n%s", code, stderr.String())
	}
}
