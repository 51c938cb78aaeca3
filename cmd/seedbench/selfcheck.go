package main

import "github.com/urfave/cli/v2"

func selfcheckCommand() *cli.Command {
	return &cli.Command{
		Name:      "selfcheck",
		Usage:     "selfcheck (not built yet)",
		UsageText: "seedbench selfcheck --streams 100,500",
		Action:    notBuilt("selfcheck"),
	}
}
