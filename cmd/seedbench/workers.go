package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/seedbench/seedbench/report"
	"github.com/urfave/cli/v2"
)

// workerLead is how far ahead of now the local workers' shared start is set:
// long enough for every process to start and expand the plan.
const workerLead = 1500 * time.Millisecond

// forwardedFlags rebuilds the run command's flags that were set, except those
// the parent decides for each worker.
func forwardedFlags(c *cli.Context, skip ...string) []string {
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	var out []string
	for _, f := range c.Command.Flags {
		name := f.Names()[0]
		if skipped[name] || !c.IsSet(name) {
			continue
		}
		out = append(out, fmt.Sprintf("--%s=%v", name, c.Value(name)))
	}
	return out
}

// runWorkers forks n copies of this executable, each running shard i/n of
// the same plan from one shared start instant into outDir/shard-i, waits for
// all of them and merges their results into outDir, reported with ro.
func runWorkers(ctx context.Context, n int, flags []string, scenario, outDir string, ro report.Options, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return withCode(exitUntrusted, fmt.Errorf("finding this executable to fork workers: %w", err))
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return usageErr("%v", err)
	}
	start := time.Now().Add(workerLead)
	fmt.Fprintf(stderr, "seedbench: %d workers, shared start %s, results in %s\n", n, start.Format(time.RFC3339Nano), outDir)
	cmds := make([]*exec.Cmd, n)
	dirs := make([]string, n)
	for i := range n {
		dirs[i] = filepath.Join(outDir, fmt.Sprintf("shard-%d", i))
		args := append([]string{"run"}, flags...)
		args = append(args, "--quiet", fmt.Sprintf("--shard=%d/%d", i, n),
			"--start-at="+strconv.FormatInt(start.UnixNano(), 10), "--out="+dirs[i], scenario)
		if err := os.MkdirAll(dirs[i], 0o755); err != nil {
			return usageErr("%v", err)
		}
		logf, err := os.Create(filepath.Join(dirs[i], "worker.log"))
		if err != nil {
			return usageErr("%v", err)
		}
		defer logf.Close()
		// Not CommandContext: a Ctrl-C reaches the workers through the
		// terminal's process group and each drains on its own; the parent
		// only waits for them.
		cmd := exec.Command(exe, args...)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			return withCode(exitUntrusted, fmt.Errorf("starting worker %d: %w", i, err))
		}
		cmds[i] = cmd
	}
	var failed []error
	for i, cmd := range cmds {
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == exitCheck {
			// The worker's own SLO verdict; the merged report decides again.
			err = nil
		}
		if err != nil {
			failed = append(failed, fmt.Errorf("worker %d: %v (see %s)", i, err, filepath.Join(dirs[i], "worker.log")))
		}
	}
	// Merge whatever the workers left: missing shards are reported by merge.
	var present []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "results.jsonl")); err == nil {
			present = append(present, d)
		}
	}
	if len(present) == 0 {
		return withCode(exitUntrusted, fmt.Errorf("no worker wrote results: %w", errors.Join(failed...)))
	}
	mergeErr := doMerge(outDir, present, ro, stdout, stderr)
	if len(failed) > 0 {
		for _, f := range failed {
			fmt.Fprintf(stderr, "seedbench: %v\n", f)
		}
		if mergeErr == nil {
			return withCode(exitUntrusted, errors.New("a worker failed; the merged results are partial"))
		}
	}
	return mergeErr
}
