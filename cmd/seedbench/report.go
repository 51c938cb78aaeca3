package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/run"
	"github.com/seedbench/seedbench/scenarios"
	"github.com/urfave/cli/v2"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "report existing results: tables, plots, SLO verdict, cost",
		UsageText: `seedbench report [flags] RUN_DIR|RESULTS_FILE...

Reads one or more results files (a run directory stands for its results.jsonl; several shard
directories make one run) and writes summary.json, CSVs, Markdown, report.html and plots into
--out (default: the run directory when there is one). Exits 1 when an SLO objective fails.

Examples:
   seedbench report runs/20260101-120000-quickstart
   seedbench report --slo ttft_p99=2s,availability=99.9% --junit slo.xml runs/nightly
   seedbench report --out runs/soak-merged runs/soak/shard-0 runs/soak/shard-1`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "directory for the report's files (default: the single run directory given)"},
			sloFlag(), allowInconclusiveFlag(),
			&cli.StringFlag{Name: "junit", Usage: "also write the SLO checks as JUnit XML to this file"},
			&cli.Float64Flag{Name: "rate", Usage: "request rate (req/s, all targets) for cost projections", DefaultText: "the scenario's"},
			&cli.BoolFlag{Name: "no-plots", Usage: "skip the charts"},
			&cli.StringFlag{Name: "catalog", Usage: "model catalog `FILE` (prices) laid over the built-in one"},
			&cli.StringFlag{Name: "currency", Usage: "money in this currency (CNY, USD), converted at the catalog's exchange rate; default: the catalog's"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErr("report needs a run directory or results file")
			}
			opts, err := reportOptions(c)
			if err != nil {
				return err
			}
			paths, err := report.ResultsFiles(c.Args().Slice())
			if err != nil {
				return usageErr("%v", err)
			}
			out := c.String("out")
			if out == "" {
				out, err = defaultReportDir(c.Args().Slice())
				if err != nil {
					return err
				}
			}
			sum, err := writeReport(out, paths, opts, c.App.Writer)
			if err != nil {
				return usageErr("%v", err)
			}
			fmt.Fprintf(c.App.ErrWriter, "seedbench: report in %s\n", filepath.Join(out, report.FileHTML))
			return verdictExit(sum, c.Bool("allow-inconclusive"))
		},
	}
}

// sloFlag is --slo of run and report: objectives merged over the
// scenario's (one given replaces the scenario's of the same name on every
// target; the others stay).
func sloFlag() cli.Flag {
	return &cli.StringFlag{Name: "slo", Usage: "objectives merged over the scenario's (same name replaces it on every target, the others stay), e.g. ttft_p99=2s,tpot_p95=50ms,availability=99.9%,dropped=0.1%"}
}

// sloFromFlag reads --slo.
func sloFromFlag(c *cli.Context) ([]scenarios.Objective, error) {
	s := c.String("slo")
	if s == "" {
		return nil, nil
	}
	objs, err := scenarios.ParseObjectives(s)
	if err != nil {
		return nil, usageErr("--slo: %v", err)
	}
	for i := range objs {
		objs[i].Source = "flag"
	}
	return objs, nil
}

// reportOptions reads the flags every reporting command shares.
func reportOptions(c *cli.Context) (report.Options, error) {
	p, err := pricingIn(c.String("catalog"), c.String("currency"))
	if err != nil {
		return report.Options{}, err
	}
	opts := report.Options{
		Pricing:     p,
		JUnit:       c.String("junit"),
		Rate:        c.Float64("rate"),
		NoPlots:     c.Bool("no-plots"),
		StepSummary: os.Getenv("GITHUB_STEP_SUMMARY"),
	}
	opts.SLO, err = sloFromFlag(c)
	return opts, err
}

// defaultReportDir is where a report goes when --out is not given: the one
// run directory (or results file's directory) named.
func defaultReportDir(args []string) (string, error) {
	dirs := map[string]bool{}
	var dir string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return "", usageErr("%v", err)
		}
		d := a
		if !st.IsDir() {
			d = filepath.Dir(a)
		}
		dirs[filepath.Clean(d)] = true
		dir = d
	}
	if len(dirs) != 1 {
		return "", usageErr("several run directories given: say where the report goes with --out DIR")
	}
	return dir, nil
}

// pricing is the built-in model catalog's price table for cost figures.
func pricing() report.Pricing { return report.CatalogPricing(scenarios.DefaultCatalog()) }

// pricingIn is the built-in catalog, or the user's catalog file laid over
// it, with prices converted to currency ("" keeps the catalog's); a
// currency the catalog has no rate for is a usage error.
func pricingIn(path, currency string) (report.Pricing, error) {
	cat := scenarios.DefaultCatalog()
	if path != "" {
		var err error
		if cat, err = scenarios.LoadCatalog(path); err != nil {
			return nil, usageErr("--catalog: %v", err)
		}
	}
	p, err := report.CatalogPricingIn(cat, currency)
	if err != nil {
		return nil, usageErr("--currency: %v", err)
	}
	return p, nil
}

// writeReport writes every report file into dir and prints the text table.
func writeReport(dir string, paths []string, opts report.Options, stdout io.Writer) (*report.Summary, error) {
	sum, err := report.WriteAll(dir, paths, opts)
	if err != nil {
		return nil, err
	}
	return sum, report.WriteText(stdout, sum)
}

// allowInconclusiveFlag is --allow-inconclusive of run and report.
func allowInconclusiveFlag() cli.Flag {
	return &cli.BoolFlag{Name: "allow-inconclusive", Usage: "exit 0 when no check failed but some had too few samples to tell (otherwise exit 1)"}
}

// verdictExit turns a report's judgement into the exit code: 3 for an
// untrustworthy run, 1 for a failed check (or an inconclusive one unless
// allowInconclusive), printing the one-line reason.
func verdictExit(sum *report.Summary, allowInconclusive bool) error {
	class, why := run.Judge(sum, allowInconclusive)
	if class == run.OK {
		return nil
	}
	return withCode(exitCodeOf(class), errors.New(why))
}
