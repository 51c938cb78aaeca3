// Command seedbench load-tests and benchmarks OpenAI-compatible
// chat-completion endpoints. See the README for every command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"
)

// Exit codes (the contract in the README).
const (
	exitOK        = 0
	exitCheck     = 1 // an SLO, threshold or regression check failed
	exitUsage     = 2 // bad usage or invalid input
	exitUntrusted = 3 // the run could not be trusted or was aborted
)

// exitError carries an exit code up to Main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(Main(context.Background(), os.Args, os.Stdout, os.Stderr))
}

// Main runs the CLI and returns the exit code; tests call it in-process.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	releaseInActions(app.Commands)
	ctx, release := lockSetup(ctx)
	defer release() // when no action ran: help, a usage error
	err := app.RunContext(ctx, hoistFlags(app.Commands, args))
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(stderr, "seedbench: %v\n", ee.err)
		}
		return ee.code
	}
	// Anything else coming back from urfave/cli is a usage problem (unknown
	// flag, bad flag value).
	fmt.Fprintf(stderr, "seedbench: %v\n", err)
	return exitUsage
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:      "seedbench",
		Usage:     "load-test and benchmark OpenAI-compatible chat-completion endpoints (Doubao Seed 2.0 first)",
		Version:   version,
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are printed once, by Main, with the exit code they carry.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageErr("%v", err)
		},
		Commands: []*cli.Command{
			runCommand(),
			capacityCommand(),
			mockCommand(),
			reportCommand(),
			compareCommand(),
			mergeCommand(),
			scenariosCommand(),
			costCommand(),
			selfcheckCommand(),
			versionCommand(),
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(c.App.ErrWriter, "seedbench: unknown command %q (see seedbench --help)\n", name)
		},
	}
}
