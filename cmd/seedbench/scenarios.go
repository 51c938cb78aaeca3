package main

import "github.com/urfave/cli/v2"

func scenariosCommand() *cli.Command {
	return &cli.Command{
		Name:      "scenarios",
		Usage:     "scenarios (not built yet)",
		UsageText: "seedbench scenarios list",
		Action:    notBuilt("scenarios"),
	}
}
