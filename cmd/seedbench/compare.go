package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/seedbench/seedbench/report"
	"github.com/urfave/cli/v2"
)

func compareCommand() *cli.Command {
	return &cli.Command{
		Name:  "compare",
		Usage: "compare a run with a baseline: per target and metric, the change with a bootstrap interval; exit 1 on regression",
		UsageText: `seedbench compare [flags] BASELINE CURRENT

BASELINE and CURRENT are run directories or results files. A metric regresses when it is
significantly worse (its 95% bootstrap interval excludes no change) by more than its threshold:
relative for latencies, rates and cost; in percentage points for availability and error_rate.
Default thresholds: ` + report.DefaultMaxRegression + `

Examples:
   seedbench compare runs/main runs/pr-123
   seedbench compare --max-regression ttft_p99=10%,tpot_p95=15%,availability=0.1% base/ cur/
   seedbench compare --out runs/pr-123/compare runs/main runs/pr-123`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "max-regression", Usage: "thresholds METRIC=PERCENT,… replacing the defaults (metrics: any latency percentile such as ttft_p99, availability, error_rate, throughput_rps, output_tokens_per_s, cost_per_1k)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "also write compare.json and compare.md into this directory"},
			&cli.IntFlag{Name: "replicates", Value: 2000, Usage: "bootstrap replicates"},
			&cli.Uint64Flag{Name: "bootstrap-seed", Value: 1, Usage: "seed of the bootstrap (same inputs and seed: same intervals)"},
			&cli.StringFlag{Name: "catalog", Usage: "model catalog `FILE` (prices, for cost_per_1k) laid over the built-in one"},
			&cli.StringFlag{Name: "currency", Usage: "cost_per_1k in this currency (CNY, USD), converted at the catalog's exchange rate; default: the catalog's"},
			&cli.BoolFlag{Name: "force", Usage: "compare runs that are not comparable (different scenario, plan, targets or models); the headline says it was forced"},
			&cli.BoolFlag{Name: "allow-untrusted", Usage: "compare even when a side was marked untrustworthy (otherwise exit 3)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return usageErr("compare needs BASELINE and CURRENT (run directories or results files), got %d arguments", c.NArg())
			}
			opts := report.CompareOptions{Replicates: c.Int("replicates"), Seed: c.Uint64("bootstrap-seed")}
			if s := c.String("max-regression"); s != "" {
				th, err := report.ParseThresholds(s)
				if err != nil {
					return usageErr("--max-regression: %v", err)
				}
				opts.Thresholds = th
			}
			p, err := pricingIn(c.String("catalog"), c.String("currency"))
			if err != nil {
				return err
			}
			gate := compareGate{force: c.Bool("force"), allowUntrusted: c.Bool("allow-untrusted")}
			return doCompare(c.Args().Get(0), c.Args().Get(1), c.String("out"), p, opts, gate, c.App.Writer)
		},
	}
}

// compareGate says which refusals of compare are waived.
type compareGate struct{ force, allowUntrusted bool }

// check refuses to compare what is not comparable (exit 2, every
// difference named) or not trustworthy (exit 3, which side and why), and
// prints what differs but still compares (the seed) and what was waived.
func (g compareGate) check(base, cur *report.Summary, stdout io.Writer) error {
	for _, side := range []struct {
		name string
		s    *report.Summary
	}{{"baseline", base}, {"current", cur}} {
		if j, why := side.s.Judge(); j == report.Untrusted {
			if !g.allowUntrusted {
				return withCode(exitUntrusted, fmt.Errorf("the %s run is %s (--allow-untrusted compares anyway)", side.name, why))
			}
			fmt.Fprintf(stdout, "warning: the %s run is %s; compared anyway (--allow-untrusted)\n", side.name, why)
		}
	}
	diffs, notes := report.Differences(base, cur)
	for _, n := range notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	if len(diffs) > 0 {
		if !g.force {
			return usageErr("the runs are not comparable (--force compares anyway):\n  %s", strings.Join(diffs, "\n  "))
		}
		fmt.Fprintf(stdout, "FORCED comparison of runs that are not comparable: %s\n", strings.Join(diffs, "; "))
	}
	return nil
}

func doCompare(baseArg, curArg, out string, p report.Pricing, opts report.CompareOptions, gate compareGate, stdout io.Writer) error {
	load := func(arg string) (*report.Summary, error) {
		paths, err := report.ResultsFiles([]string{arg})
		if err != nil {
			return nil, usageErr("%v", err)
		}
		s, err := report.Aggregate(paths, report.Options{Pricing: p})
		if err != nil {
			return nil, usageErr("%v", err)
		}
		return s, nil
	}
	base, err := load(baseArg)
	if err != nil {
		return err
	}
	cur, err := load(curArg)
	if err != nil {
		return err
	}
	if err := gate.check(base, cur, stdout); err != nil {
		return err
	}
	cmp, err := report.Compare(base, cur, opts)
	if err != nil {
		return usageErr("%v", err)
	}
	if err := report.WriteCompareText(stdout, cmp); err != nil {
		return err
	}
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return usageErr("%v", err)
		}
		for name, fn := range map[string]func(io.Writer, *report.Comparison) error{
			"compare.json": report.WriteCompareJSON, "compare.md": report.WriteCompareMarkdown,
		} {
			if err := writeTo(filepath.Join(out, name), func(w io.Writer) error { return fn(w, cmp) }); err != nil {
				return err
			}
		}
	}
	if p := os.Getenv("GITHUB_STEP_SUMMARY"); p != "" {
		if err := appendTo(p, func(w io.Writer) error { return report.WriteCompareMarkdown(w, cmp) }); err != nil {
			return err
		}
	}
	if !cmp.Pass {
		return withCode(exitCheck, fmt.Errorf("%d regressions beyond their thresholds", cmp.Regressions))
	}
	return nil
}

func writeTo(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(fn(f), f.Close())
}

func appendTo(path string, fn func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	return errors.Join(fn(f), f.Close())
}
