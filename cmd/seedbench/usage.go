package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/seedbench/seedbench/scenarios"
	"github.com/urfave/cli/v2"
)

// This file is how the CLI answers a command line it cannot run: an unknown
// command or subcommand, an unknown flag or a bad flag value. The answer is
// short (what is wrong, the name meant when one is near, the usage line) and
// the exit code is 2; the whole help is one --help away and would bury the
// one line that matters.

// checkCommand finds the first word of args that should name a command or
// subcommand and names none: a usage error saying so, with the nearest name.
// Flags before a command are left to the parser.
func checkCommand(cmds []*cli.Command, args []string) error {
	path := "seedbench"
	for head := 1; head < len(args) && len(cmds) > 0; head++ {
		word := args[head]
		if strings.HasPrefix(word, "-") || word == "help" || word == "h" {
			return nil
		}
		cmd := findCommand(cmds, word)
		if cmd == nil {
			return unknownCommand(path, word, cmds)
		}
		path, cmds = path+" "+cmd.Name, cmd.Subcommands
	}
	return nil
}

func unknownCommand(path, word string, cmds []*cli.Command) error {
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	what := "command"
	if path != "seedbench" {
		what = strings.TrimPrefix(path, "seedbench ") + " subcommand"
	}
	if near, ok := scenarios.Nearest(word, names); ok {
		return usageErr("unknown %s %q (did you mean %q?)", what, word, near)
	}
	return usageErr("unknown %s %q (one of: %s; see %s --help)", what, word, strings.Join(names, ", "), path)
}

// shortUsageErrors gives every command, at every depth, the short answer to
// a flag it cannot parse.
func shortUsageErrors(cmds []*cli.Command, parent string) {
	for _, cmd := range cmds {
		path := parent + " " + cmd.Name
		usage := usageLine(cmd, path)
		flags := cmd.Flags
		cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return flagError(err, flags, usage)
		}
		shortUsageErrors(cmd.Subcommands, path)
	}
}

// usageLine is the first line of a command's usage text.
func usageLine(cmd *cli.Command, path string) string {
	if cmd.UsageText != "" {
		line, _, _ := strings.Cut(cmd.UsageText, "\n")
		return line
	}
	return path + " [flags]"
}

// flagError is the parser's complaint in two lines: the error, with the
// nearest flag when the flag is unknown, then the usage line. The Go flag
// package spells every flag with one dash; the help spells long ones with
// two, and so does this.
func flagError(err error, flags []cli.Flag, usage string) error {
	msg := err.Error()
	const undefined = "flag provided but not defined: -"
	if name, ok := strings.CutPrefix(msg, undefined); ok {
		names := []string{"help"}
		for _, f := range flags {
			names = append(names, f.Names()...)
		}
		msg = "unknown flag " + dashed(name)
		if near, ok := scenarios.Nearest(name, names); ok {
			msg += fmt.Sprintf(" (did you mean %s?)", dashed(near))
		}
	} else {
		msg = strings.Replace(msg, "for flag -", "for flag --", 1)
	}
	return &exitError{code: exitUsage, err: errors.New(msg + "\nusage: " + usage)}
}

// dashed is a flag name as the help shows it: -q, --duration.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}
