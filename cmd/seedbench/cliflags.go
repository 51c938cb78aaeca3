package main

import (
	"context"
	"flag"
	"sync"

	"github.com/urfave/cli/v2"
)

// urfave/cli keeps package-level state that every app writes while it sets
// itself up and parses flags: the HelpFlag and VersionFlag values (their
// default) and the shared help command (its separator). Two apps parsing at
// once — tests run the CLI in parallel — race on those writes. So setting
// up and parsing are serialized by cliSetup, released when a command's
// action starts; the actions themselves (the long part: runs, reports) run
// in parallel. sharedBoolFlag keeps the flags' own writes off the shared
// values as well.
var cliSetup sync.Mutex

type releaseKey struct{}

// lockSetup takes the setup lock and returns the context an app runs with
// and the release function (safe to call more than once).
func lockSetup(ctx context.Context) (context.Context, func()) {
	cliSetup.Lock()
	release := sync.OnceFunc(cliSetup.Unlock)
	return context.WithValue(ctx, releaseKey{}, release), release
}

// releaseInActions wraps every command's action so that it first releases
// the setup lock taken by lockSetup.
func releaseInActions(cmds []*cli.Command) {
	for _, c := range cmds {
		releaseInActions(c.Subcommands)
		if c.Action == nil {
			continue
		}
		action := c.Action
		c.Action = func(c *cli.Context) error {
			if release, ok := c.Context.Value(releaseKey{}).(func()); ok {
				release()
			}
			return action(c)
		}
	}
}

// sharedBoolFlag parses a copy of a package-level flag, so the shared value
// is only ever read.
type sharedBoolFlag struct{ cli.BoolFlag }

// Apply registers a copy of the flag with set.
func (f *sharedBoolFlag) Apply(set *flag.FlagSet) error {
	c := f.BoolFlag
	return c.Apply(set)
}

func init() {
	if h, ok := cli.HelpFlag.(*cli.BoolFlag); ok {
		cli.HelpFlag = &sharedBoolFlag{*h}
	}
	if v, ok := cli.VersionFlag.(*cli.BoolFlag); ok {
		cli.VersionFlag = &sharedBoolFlag{*v}
	}
}
