package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var workflowFile = filepath.Join("..", "..", "deploy", "github", "seedbench-regression.yml")

// TestCIWorkflowCommands runs the seedbench commands of the shipped GitHub
// Actions workflow, in its order, in an empty directory: the baseline run
// main keeps, the pull request's run, the comparison. The README's CI
// snippet must be the same commands.
func TestCIWorkflowCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ci-regression twice")
	}
	wf, err := os.ReadFile(workflowFile)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var cmds [][]string
	for _, m := range regexp.MustCompile(`(?m)^\s+"\$RUNNER_TEMP/seedbench" (.+)$`).FindAllStringSubmatch(string(wf), -1) {
		cmds = append(cmds, strings.Fields(m[1]))
	}
	want := [][]string{
		{"run", "ci-regression", "--quiet", "--out", "baseline"},
		{"run", "ci-regression", "--quiet", "--out", "runs/pr"},
		{"compare", "--out", "runs/compare", "baseline", "runs/pr"},
	}
	if !slices.EqualFunc(cmds, want, slices.Equal[[]string]) {
		t.Fatalf("workflow commands %q, want %q", cmds, want)
	}
	for _, snippet := range []string{"seedbench run ci-regression --out baseline", "seedbench run ci-regression --out runs/pr && seedbench compare baseline runs/pr"} {
		if !bytes.Contains(readme, []byte(snippet)) {
			t.Errorf("README lacks the CI snippet %q", snippet)
		}
	}
	if !bytes.Contains(wf, []byte("name: seedbench-baseline")) || !bytes.Contains(wf, []byte("--name seedbench-baseline")) {
		t.Error("the workflow must upload and download the same baseline artifact")
	}

	t.Chdir(t.TempDir())
	untrusted := false
	for _, c := range cmds {
		var stdout, stderr bytes.Buffer
		code := Main(t.Context(), append([]string{"seedbench"}, c...), &stdout, &stderr)
		// On a busy machine (load, CPU steal) compare may find a
		// regression (exit 1), a run may be marked untrustworthy and exit
		// 3, and compare then refuses it with exit 3: the workflow fails
		// the job, as it should, and says why. Anything else is a defect.
		switch {
		case code == exitOK:
		case code == exitCheck && c[0] == "compare":
			t.Logf("seedbench %s: a regression on a busy machine", strings.Join(c, " "))
		case code == exitUntrusted && c[0] == "run" && strings.Contains(stderr.String(), "results not trustworthy: "):
			untrusted = true
			t.Logf("seedbench %s: exit 3 on a busy machine: %s", strings.Join(c, " "), lastLine(stderr.String()))
		case code == exitUntrusted && c[0] == "compare" && untrusted && strings.Contains(stderr.String(), "(--allow-untrusted compares anyway)"):
			t.Logf("seedbench %s: refused an untrustworthy run, as it must", strings.Join(c, " "))
		default:
			t.Fatalf("seedbench %s: exit %d\n%s%s", strings.Join(c, " "), code, stdout.String(), stderr.String())
		}
	}
	files := []string{"baseline/results.jsonl", "baseline/report.md", "runs/pr/report.md"}
	if !untrusted {
		files = append(files, "runs/compare/compare.md")
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("the workflow uploads or posts %s: %v", f, err)
		}
	}
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
