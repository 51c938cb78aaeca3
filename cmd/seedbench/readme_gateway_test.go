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
	for _, name := range []string{"ark", "evolink", "context"} {
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

// TestREADMEContextExample runs the README's Context API example on the
// built-in mock, as written: the header records the contexts and the
// report bills their creation, reads and storage in token-hours.
func TestREADMEContextExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "<!-- gateway-example: context -->\n```yaml\n")
	if !ok {
		t.Fatal("README.md has no context example")
	}
	src, _, _ := strings.Cut(rest, "```")
	dir := t.TempDir()
	path := filepath.Join(dir, "context.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	out := filepath.Join(dir, "run")
	if code := Main(context.Background(), []string{"seedbench", "run", "--max-lag", "1m", "--out", out, path}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d:\n%s\n%s", code, stderr.String(), stdout.String())
	}
	for _, want := range []string{"context cache (Context API, 2 contexts", "cache creation", "cache reads", "token-hours, created to TTL after last use", "total with the cache"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "created 2 prefix contexts through the Context API") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	head, err := os.ReadFile(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(head), "\n")
	if !strings.Contains(first, `"contexts":[{"target":"lite","prefix_set":"docs","prefix_group":1,"id":"ctx-`) {
		t.Errorf("header: %s", first)
	}
}
