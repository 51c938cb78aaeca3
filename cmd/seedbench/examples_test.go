package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
	"github.com/urfave/cli/v2"
)

// example is one command line shown to users: in a command's --help (after
// "Examples:") or in a README code block.
type example struct {
	where string // "run --help", "README.md:42"
	line  string // the command line, comment removed
}

// helpExamples are the example lines of every command's help, at every
// depth.
func helpExamples(cmds []*cli.Command, parent string) []example {
	var out []example
	for _, c := range cmds {
		path := strings.TrimSpace(parent + " " + c.Name)
		_, after, ok := strings.Cut(c.UsageText, "Examples:\n")
		for ok && after != "" {
			var line string
			line, after, _ = strings.Cut(after, "\n")
			if !strings.HasPrefix(line, "   ") {
				break // the paragraph after the examples
			}
			out = append(out, example{path + " --help", uncomment(line)})
		}
		out = append(out, helpExamples(c.Subcommands, path)...)
	}
	return out
}

// readmeExamples are the seedbench command lines of the README's sh code
// blocks; "a && b" is two examples.
func readmeExamples(t *testing.T) []example {
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	sc := bufio.NewScanner(f)
	inSh := false
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```"):
			inSh = !inSh && strings.TrimPrefix(line, "```") == "sh"
		case inSh:
			for part := range strings.SplitSeq(uncomment(line), " && ") {
				if isSeedbench(part) {
					out = append(out, example{"README.md:" + strconv.Itoa(n), strings.TrimSpace(part)})
				}
			}
		}
	}
	return out
}

// uncomment drops a trailing "# comment" and surrounding space.
func uncomment(line string) string {
	if i := strings.Index(line, " # "); i >= 0 {
		line = line[:i]
	}
	return strings.TrimSpace(line)
}

// isSeedbench reports whether line runs seedbench, maybe after VAR=value
// assignments.
func isSeedbench(line string) bool {
	for _, w := range strings.Fields(line) {
		if !strings.Contains(w, "=") || strings.HasPrefix(w, "-") {
			return w == "seedbench"
		}
	}
	return false
}

// TestExamples runs every example of every --help and of the README, so
// none can rot: each must be accepted and do its job. Commands that would
// wait for real time or a real endpoint run in a fast mode: run and
// capacity with --dry-run (they print the plan and send nothing), mock on a free port
// until it says it serves, selfcheck with 100 ms steps. The run
// directories and files the examples name are made first, from the
// report's seeded results.
func TestExamples(t *testing.T) {
	examples := append(helpExamples(newApp(nil, nil).Commands, ""), readmeExamples(t)...)
	if len(examples) < 30 {
		t.Fatalf("found %d examples; the extraction is broken", len(examples))
	}
	dir := exampleWorkdir(t)
	t.Chdir(dir)
	for _, ex := range examples {
		t.Run(ex.where+": "+ex.line, func(t *testing.T) {
			args, env, stdout := exampleArgs(t, ex.line)
			for k, v := range env {
				t.Setenv(k, v)
			}
			var out io.Writer = io.Discard
			if stdout != "" {
				f, err := os.Create(stdout)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				out = f
			}
			var errOut bytes.Buffer
			code := runExample(t, args, out, &errOut)
			want := []int{exitOK}
			switch args[1] {
			case "report", "compare":
				want = append(want, exitCheck) // an SLO or regression check may fail: that is its answer
			case "selfcheck":
				want = append(want, exitUntrusted) // "outside the limits" on a busy machine is an answer too
			}
			if !slices.Contains(want, code) {
				t.Errorf("%s: exit %d, want one of %v\n%s", strings.Join(args, " "), code, want, errOut.String())
			}
		})
	}
}

func hasFlag(cmd *cli.Command, name string) bool {
	return slices.ContainsFunc(cmd.Flags, func(f cli.Flag) bool { return slices.Contains(f.Names(), name) })
}

// exampleArgs turns an example line into Main's arguments in its fast
// mode, the environment it sets, and the file its stdout is redirected to.
func exampleArgs(t *testing.T, line string) (args []string, env map[string]string, stdout string) {
	env = map[string]string{}
	words := strings.Fields(line)
	for len(words) > 0 && words[0] != "seedbench" {
		k, v, _ := strings.Cut(words[0], "=")
		env[k] = strings.ReplaceAll(v, "…", "sk-example")
		words = words[1:]
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == ">" && i+1 < len(words):
			stdout = words[i+1]
			i++
			continue
		case w == "$START":
			w = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		case strings.ContainsAny(w, "*?["):
			matches, err := filepath.Glob(w)
			if err != nil || len(matches) == 0 {
				t.Fatalf("%s matches nothing in the example directory", w)
			}
			args = append(args, matches...)
			continue
		}
		args = append(args, w)
	}
	switch args[1] {
	case "run", "capacity":
		args = append(args, "--dry-run")
	case "mock":
		if i := slices.Index(args, "--listen"); i >= 0 {
			args = slices.Delete(args, i, i+2)
		}
		args = append(args, "--listen", "127.0.0.1:0")
	case "selfcheck":
		// The example's own flags are read; these, after them, make each
		// step small and short.
		args = append(args, "--streams", "4", "--rates", "20", "--ttft", "1ms", "--itl", "1ms", "--tokens", "2", "--duration", "100ms", "--warmup", "0s")
	}
	if cmd := findCommand(newApp(nil, nil).Commands, args[1]); cmd != nil && hasFlag(cmd, "no-plots") {
		args = append(args, "--no-plots") // charts are the report's slow part, tested on their own
	}
	if i := slices.Index(args, "--api-key-env"); i >= 0 && i+1 < len(args) {
		env[args[i+1]] = "sk-example" // the example assumes the user has set it
	}
	return args, env, stdout
}

// runExample runs Main; a mock example is stopped once it says it serves.
func runExample(t *testing.T, args []string, stdout io.Writer, stderr io.Writer) int {
	if args[1] != "mock" || slices.Contains(args, "--print-config") {
		return Main(context.Background(), args, stdout, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, args, out, stderr) }()
	deadline := time.After(time.Minute)
	for !strings.Contains(out.String(), "serving") {
		select {
		case code := <-done:
			return code
		case <-deadline:
			cancel()
			t.Errorf("mock did not say it serves:\n%s", out.String())
			return <-done
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	return <-done
}

// exampleWorkdir is a directory holding everything the examples name:
// scenario files, a mock config, run directories and shard directories.
func exampleWorkdir(t *testing.T) string {
	dir := t.TempDir()
	quickstart, err := scenarios.BuiltinSource("quickstart")
	if err != nil {
		t.Fatal(err)
	}
	mockYAML, err := mockserver.MarshalConfig(mockserver.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"my-scenario.yaml": quickstart, "mine.yaml": quickstart, "soak.yaml": quickstart, "mock.yaml": mockYAML,
		"ark.yaml": quickstart, "evolink.yaml": quickstart}
	// A scenario the README shows (<!-- gateway-example: NAME --> before a
	// yaml block) is NAME.yaml, unless a stand-in above already is.
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(string(readme), "<!-- gateway-example: ")[1:] {
		name, rest, _ := strings.Cut(part, " -->\n```yaml\n")
		src, _, _ := strings.Cut(rest, "```")
		if _, ok := files[name+".yaml"]; !ok && src != "" {
			files[name+".yaml"] = []byte(src)
		}
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	seeded := "../../report/testdata/seeded.jsonl"
	for _, run := range []string{"runs/20260101-120000-quickstart", "runs/20261124-101500-quickstart", "runs/nightly",
		"runs/main", "runs/pr-123", "runs/pr", "base", "cur", "baseline"} {
		copyResults(t, seeded, filepath.Join(dir, run), 0, 1)
	}
	for i := range 2 {
		copyResults(t, seeded, filepath.Join(dir, "runs/soak/shard-"+strconv.Itoa(i)), i, 2)
	}
	for i := range 4 { // the README's merge of four shards
		copyResults(t, seeded, filepath.Join(dir, "results/shard-"+strconv.Itoa(i)), i, 4)
	}
	return dir
}

// copyResults writes shard index/count of the results file src into
// dir/results.jsonl.
func copyResults(t *testing.T, src, dir string, index, count int) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := runner.NewReader(f, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h := rd.Header
	h.ShardIndex, h.ShardCount = index, count
	w, err := runner.CreateResults(filepath.Join(dir, "results.jsonl"), h)
	if err != nil {
		t.Fatal(err)
	}
	for {
		var r runner.Result
		if err := rd.Next(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if r.K%int64(count) == int64(index) {
			w.Write(&r)
		}
	}
	footer := runner.Footer{Type: "footer"}
	if rd.Footer != nil {
		footer = *rd.Footer
	}
	if err := w.Close(footer); err != nil {
		t.Fatal(err)
	}
}
