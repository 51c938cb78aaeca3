package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/seedbench/seedbench/run"
	"github.com/seedbench/seedbench/scenarios"
	"github.com/urfave/cli/v2"
)

func scenariosCommand() *cli.Command {
	catalogFlag := &cli.StringFlag{Name: "catalog", Usage: "model catalog `FILE` laid over the built-in one (limits, tiers, prices)"}
	return &cli.Command{
		Name:  "scenarios",
		Usage: "list, show and validate scenarios",
		UsageText: `seedbench scenarios list
seedbench scenarios show [--yaml] NAME|FILE
seedbench scenarios validate FILE...`,
		Subcommands: []*cli.Command{
			{
				Name:      "list",
				Usage:     "list the built-in scenarios",
				UsageText: "seedbench scenarios list",
				Action: func(c *cli.Context) error {
					if c.NArg() > 0 {
						return usageErr("scenarios list takes no arguments")
					}
					return listScenarios(c.App.Writer)
				},
			},
			{
				Name:  "show",
				Usage: "describe a scenario: targets, mix, tiers, prefix groups, stages with planned counts, SLOs",
				UsageText: `seedbench scenarios show [--yaml] [--seed N] NAME|FILE

Examples:
   seedbench scenarios show mini-vs-pro
   seedbench scenarios show --yaml quickstart > my-scenario.yaml   # a starting point to edit`,
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "yaml", Usage: "print the scenario's YAML source instead"},
					&cli.Int64Flag{Name: "seed", Usage: "plan with this seed instead of the scenario's"},
					catalogFlag,
				},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usageErr("scenarios show takes one scenario name or file, got %d arguments", c.NArg())
					}
					arg := c.Args().First()
					if c.Bool("yaml") {
						return showYAML(c.App.Writer, arg)
					}
					sc, err := openScenario(arg, c.String("catalog"))
					if err != nil {
						return err
					}
					seed := sc.Load.Seed
					if c.IsSet("seed") {
						if seed, err = strconv.ParseInt(c.String("seed"), 10, 64); err != nil {
							return usageErr("--seed: %q is not a whole number", c.String("seed"))
						}
					}
					plan, err := scenarios.NewPlan(sc, seed)
					if err != nil {
						return usageErr("%s: %v", arg, err)
					}
					return plan.WriteSummary(c.App.Writer)
				},
			},
			{
				Name:      "validate",
				Usage:     "check scenario files; print every problem as FILE:LINE:COL: field: what is wrong",
				UsageText: "seedbench scenarios validate FILE...",
				Flags:     []cli.Flag{catalogFlag},
				Action: func(c *cli.Context) error {
					if c.NArg() == 0 {
						return usageErr("scenarios validate takes one or more files")
					}
					return validateScenarios(c.App.Writer, c.App.ErrWriter, c.String("catalog"), c.Args().Slice())
				},
			},
		},
	}
}

func listScenarios(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, name := range scenarios.Builtins() {
		sc, err := scenarios.Builtin(name)
		if err != nil {
			return withCode(exitUntrusted, fmt.Errorf("built-in scenario %s: %w", name, err))
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, sc.Description)
	}
	return tw.Flush()
}

func showYAML(w io.Writer, arg string) error {
	if b, err := scenarios.BuiltinSource(arg); err == nil {
		_, err = w.Write(b)
		return err
	}
	if _, err := openScenario(arg, ""); err != nil {
		return err
	}
	b, err := scenarios.ReadFile(arg)
	if err != nil {
		return usageErr("%v", err)
	}
	_, err = w.Write(b)
	return err
}

// openScenario reads a built-in name or a file, with an optional catalog
// file; any problem is a usage error (exit 2).
func openScenario(arg, catalogPath string) (*scenarios.Scenario, error) {
	var o scenarios.Options
	if catalogPath != "" {
		cat, err := scenarios.LoadCatalog(catalogPath)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		o.Catalog = cat
	}
	sc, err := scenarios.Open(arg, o)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return sc, nil
}

func validateScenarios(stdout, stderr io.Writer, catalogPath string, files []string) error {
	bad := 0
	for _, f := range files {
		sc, err := openScenario(f, catalogPath)
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad++
			continue
		}
		plan, err := scenarios.NewPlan(sc, sc.Load.Seed)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", f, err)
			bad++
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s: %d targets, %d classes, %d stages, %s, %s)\n", f, sc.Name,
			len(sc.Targets), len(sc.Mix), len(plan.Stages), plan.Span(), run.PlannedText(plan))
		for _, w := range sc.Warnings {
			fmt.Fprintf(stderr, "%s: warning: %s\n", f, w)
		}
	}
	if bad > 0 {
		return usageErr("%d of %d scenario files are invalid", bad, len(files))
	}
	return nil
}
