package main

import (
	"fmt"

	"github.com/seedbench/seedbench/scenarios"
	"github.com/urfave/cli/v2"
)

func costCommand() *cli.Command {
	return &cli.Command{
		Name:  "cost",
		Usage: "project what a scenario's workload costs on each variant, from the mix alone (sends nothing)",
		UsageText: `seedbench cost [--rate R] [--period P] [--currency C] [--catalog FILE] SCENARIO

Each variant is priced as if it served the whole workload at the rate: per
price tier, with the cache savings of the prefix groups, per 1K requests, per
day and per period. Completion tokens are taken as max_tokens (an upper bound).

Examples:
   seedbench cost mini-vs-pro
   seedbench cost --rate 50/s --period 30d --currency USD my-scenario.yaml`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "rate", Usage: "requests per second (e.g. 20/s, 1200/m); default: the scenario's mean offered rate"},
			&cli.StringFlag{Name: "period", Value: "30d", Usage: "how long the traffic runs (e.g. 24h, 7d, 30d)"},
			&cli.StringFlag{Name: "currency", Usage: "price in this currency (CNY, USD); default: the catalog's"},
			&cli.StringFlag{Name: "catalog", Usage: "model catalog `FILE` laid over the built-in one"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErr("cost takes one scenario name or file, got %d arguments", c.NArg())
			}
			arg := c.Args().First()
			sc, err := openScenario(arg, c.String("catalog"))
			if err != nil {
				return err
			}
			plan, err := scenarios.NewPlan(sc, sc.Load.Seed)
			if err != nil {
				return usageErr("%s: %v", arg, err)
			}
			rate := plan.NominalRate()
			if c.IsSet("rate") {
				if rate, err = scenarios.ParseRate(c.String("rate")); err != nil {
					return usageErr("--rate: %v", err)
				}
			}
			if rate <= 0 {
				return usageErr("%s has no open-loop stage to take a rate from; pass --rate (e.g. --rate 5/s)", arg)
			}
			period, err := scenarios.ParseDuration(c.String("period"))
			if err != nil {
				return usageErr("--period: %v", err)
			}
			pr, err := plan.Project(rate, period, c.String("currency"))
			if err != nil {
				return usageErr("--currency: %v", err)
			}
			if err := pr.WriteText(c.App.Writer); err != nil {
				return fmt.Errorf("writing the projection: %w", err)
			}
			return nil
		},
	}
}
