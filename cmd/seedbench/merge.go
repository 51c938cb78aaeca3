package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/urfave/cli/v2"
)

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:  "merge",
		Usage: "merge the results of a sharded run into one run directory and report it",
		UsageText: `seedbench merge [-o DIR] SHARD_DIR_OR_FILE...

Checks that the shards come from one plan (plan hash, seed, shard count, start), that no request is
recorded twice and none is missing, then writes one results.jsonl and its report. Missing shards and
missing requests are listed and make the command exit 3; the merged file is written all the same.

Example:
   seedbench merge -o runs/soak results/shard-0 results/shard-1 results/shard-2 results/shard-3`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Required: true, Usage: "directory for the merged run"},
			&cli.StringFlag{Name: "currency", Usage: "money in the merged report in this currency (CNY, USD), converted at the catalog's exchange rate"},
			&cli.BoolFlag{Name: "no-plots", Usage: "write the merged run's report without its charts (faster; \"seedbench report\" can draw them later)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErr("merge needs at least one shard directory or results file")
			}
			p, err := pricingIn("", c.String("currency"))
			if err != nil {
				return err
			}
			return doMerge(c.String("out"), c.Args().Slice(), report.Options{Pricing: p, NoPlots: c.Bool("no-plots")}, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// resultsPath accepts a run directory or a results file.
func resultsPath(p string) (string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", usageErr("%v", err)
	}
	if st.IsDir() {
		p = filepath.Join(p, "results.jsonl")
		if _, err := os.Stat(p); err != nil {
			return "", usageErr("%v", err)
		}
	}
	return p, nil
}

// doMerge merges the shards' results into outDir and reports them with
// opts.
func doMerge(outDir string, inputs []string, opts report.Options, stdout, stderr interface{ Write([]byte) (int, error) }) error {
	paths := make([]string, len(inputs))
	for i, in := range inputs {
		p, err := resultsPath(in)
		if err != nil {
			return err
		}
		paths[i] = p
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return usageErr("%v", err)
	}
	merged := filepath.Join(outDir, "results.jsonl")
	f, err := os.Create(merged)
	if err != nil {
		return usageErr("%v", err)
	}
	info, err := runner.Merge(f, paths)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(merged)
		return usageErr("%v", err)
	}
	fmt.Fprintf(stderr, "seedbench: merged %d records from shards %v of %d into %s\n", info.Records, info.Present, info.ShardCount, merged)
	for i, sk := range info.StartSkew {
		fmt.Fprintf(stderr, "  shard %d start skew %s\n", info.Present[i], sk)
	}
	for _, w := range info.Warnings {
		fmt.Fprintf(stderr, "seedbench: warning: %s\n", w)
	}
	sum, err := writeReport(outDir, []string{merged}, opts, stdout)
	if err != nil {
		return withCode(exitUntrusted, err)
	}
	var problems []error
	if len(info.MissingShards) > 0 {
		problems = append(problems, fmt.Errorf("shards %v of %d are missing", info.MissingShards, info.ShardCount))
	}
	if info.MissingK > 0 {
		problems = append(problems, fmt.Errorf("%d planned requests have no record (first: %v)", info.MissingK, info.MissingSample))
	}
	if len(info.DuplicateK) > 0 {
		problems = append(problems, fmt.Errorf("requests recorded more than once (kept the first): %v", info.DuplicateK))
	}
	// A shard the generator could not trust makes the whole run
	// untrustworthy: say which.
	if sum.Trust != nil && sum.Trust.Untrustworthy {
		for i, p := range paths {
			if ft := footerOf(p); ft != nil && ft.Trust.Untrustworthy {
				problems = append(problems, fmt.Errorf("%s is untrustworthy: %s", inputs[i], ft.Trust.Reason))
			}
		}
	}
	if len(problems) > 0 {
		return withCode(exitUntrusted, fmt.Errorf("merge incomplete: %w", errors.Join(problems...)))
	}
	return nil
}

// footerOf is the footer of a results file, nil when it has none or cannot
// be read.
func footerOf(path string) *runner.Footer {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	rd, err := runner.NewReader(f, path)
	if err != nil {
		return nil
	}
	var r runner.Result
	for rd.Next(&r) == nil {
	}
	return rd.Footer
}
