package main

import "github.com/urfave/cli/v2"

func costCommand() *cli.Command {
	return &cli.Command{
		Name:      "cost",
		Usage:     "cost (not built yet)",
		UsageText: "seedbench cost mini-vs-pro --period 30d",
		Action:    notBuilt("cost"),
	}
}
