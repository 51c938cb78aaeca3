package main

import (
	"flag"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// cmdArgs is a command's positional arguments and flags, flags allowed
// after the arguments too ("seedbench cost mini-vs-pro --period 7d").
// urfave/cli v2 stops reading flags at the first argument; the rest of the
// line is read again here against the command's own flag definitions.
type cmdArgs struct {
	c    *cli.Context
	args []string
	tail map[string]string // flags given after the first argument
}

func parseCmdArgs(c *cli.Context) (*cmdArgs, error) {
	a := &cmdArgs{c: c, tail: map[string]string{}}
	rest := c.Args().Slice()
	set := flag.NewFlagSet(c.Command.Name, flag.ContinueOnError)
	set.SetOutput(io.Discard)
	for _, f := range c.Command.Flags {
		if err := f.Apply(set); err != nil {
			return nil, err
		}
	}
	for len(rest) > 0 {
		if !strings.HasPrefix(rest[0], "-") || rest[0] == "-" {
			a.args = append(a.args, rest[0])
			rest = rest[1:]
			continue
		}
		if rest[0] == "--" {
			a.args = append(a.args, rest[1:]...)
			break
		}
		if err := set.Parse(rest); err != nil {
			return nil, usageErr("%v", err)
		}
		rest = set.Args()
	}
	set.Visit(func(f *flag.Flag) { a.tail[f.Name] = f.Value.String() })
	// Aliases land under their own name; fold them to the flag's first name.
	for _, f := range c.Command.Flags {
		names := f.Names()
		for _, alias := range names[1:] {
			if v, ok := a.tail[alias]; ok {
				a.tail[names[0]] = v
			}
		}
	}
	return a, nil
}

func (a *cmdArgs) String(name string) string {
	if v, ok := a.tail[name]; ok {
		return v
	}
	return a.c.String(name)
}

func (a *cmdArgs) Bool(name string) bool {
	if v, ok := a.tail[name]; ok {
		return v == "true"
	}
	return a.c.Bool(name)
}

func (a *cmdArgs) IsSet(name string) bool {
	_, ok := a.tail[name]
	return ok || a.c.IsSet(name)
}
