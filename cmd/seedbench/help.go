package main

import (
	"fmt"
	"slices"

	"github.com/urfave/cli/v2"
)

// The help shows a flag's default only when it says something. urfave/cli
// prints the Go zero value of every flag that has no default of its own
// ("--seed (default: 0)", "--quiet (default: false)"), which reads as a
// real setting: --seed 0 is not what a run without --seed does, and
// "--time-scale (default: 0)" once stood beside a real default of 1. A flag
// whose unset value means "the scenario's" or "the config's" says so in its
// DefaultText; every other zero is left out.
func init() {
	plain := cli.FlagStringer
	cli.FlagStringer = func(f cli.Flag) string {
		s := plain(f)
		df, ok := f.(cli.DocGenerationFlag)
		if !ok {
			return s
		}
		text := df.GetDefaultText()
		if !slices.Contains(zeroDefaults, text) {
			return s
		}
		if suffix := fmt.Sprintf(" (default: %s)", text); len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
			return s[:len(s)-len(suffix)]
		}
		return s
	}
}

// zeroDefaults are the default texts urfave/cli gives a flag left at its Go
// zero value.
var zeroDefaults = []string{"0", "false", "0s", `""`}
