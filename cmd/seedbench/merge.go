package main

import "github.com/urfave/cli/v2"

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "merge (not built yet)",
		UsageText: "seedbench merge runs/shard-0 runs/shard-1 -o runs/merged",
		Action:    notBuilt("merge"),
	}
}
