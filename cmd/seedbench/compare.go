package main

import "github.com/urfave/cli/v2"

func compareCommand() *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "compare (not built yet)",
		UsageText: "seedbench compare runs/base runs/current --max-regression ttft_p99=10%",
		Action:    notBuilt("compare"),
	}
}
