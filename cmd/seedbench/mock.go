package main

import "github.com/urfave/cli/v2"

func mockCommand() *cli.Command {
	return &cli.Command{
		Name:      "mock",
		Usage:     "mock (not built yet)",
		UsageText: "seedbench mock --listen 127.0.0.1:8080",
		Action:    notBuilt("mock"),
	}
}
