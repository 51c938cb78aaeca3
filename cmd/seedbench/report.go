package main

import "github.com/urfave/cli/v2"

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "report (not built yet)",
		UsageText: "seedbench report runs/20260101-120000-quickstart",
		Action:    notBuilt("report"),
	}
}
