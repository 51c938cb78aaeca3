package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// hoistFlags moves a command's flags that follow its positional arguments in
// front of them, so that "seedbench run mini-vs-pro --duration 1m" means
// what it says: urfave/cli v2 stops reading flags at the first argument and
// would take "--duration" and "1m" for more scenario names. Everything after
// a "--" stays positional.
func hoistFlags(cmds []*cli.Command, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmd := findCommand(cmds, args[1])
	head := 2
	for cmd != nil && len(cmd.Subcommands) > 0 && head < len(args) {
		sub := findCommand(cmd.Subcommands, args[head])
		if sub == nil {
			break
		}
		cmd, head = sub, head+1
	}
	if cmd == nil {
		return args
	}
	var flags, positional []string
	rest := args[head:]
	for i := 0; i < len(rest); i++ {
		tok := rest[i]
		if tok == "--" {
			positional = append(positional, rest[i:]...)
			break
		}
		if len(tok) < 2 || tok[0] != '-' {
			positional = append(positional, tok)
			continue
		}
		flags = append(flags, tok)
		name, _, hasValue := strings.Cut(strings.TrimLeft(tok, "-"), "=")
		if !hasValue && takesValue(cmd, name) && i+1 < len(rest) {
			i++
			flags = append(flags, rest[i])
		}
	}
	out := append([]string(nil), args[:head]...)
	out = append(out, flags...)
	return append(out, positional...)
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue reports whether the command's flag called name reads the next
// argument as its value (every flag but a boolean one).
func takesValue(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if v, ok := f.(cli.DocGenerationFlag); ok {
				return v.TakesValue()
			}
			return true
		}
	}
	return false // unknown flag: let the parser report it
}
