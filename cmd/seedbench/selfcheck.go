package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/seedbench/seedbench/selfcheck"
	"github.com/urfave/cli/v2"
)

func selfcheckCommand() *cli.Command {
	def := selfcheck.DefaultConfig()
	return &cli.Command{
		Name:  "selfcheck",
		Usage: "measure this machine's own timing error against an in-process mock that reports ground truth",
		UsageText: `seedbench selfcheck [flags]

Serves the built-in mock on loopback with a fixed, jitter-free latency, runs the
runner against it at each step (closed loop with N streams, then open loop at R
req/s) and prints per step the TTFT and inter-token error (measured − truth),
schedule lag, a 10 ms sleep's wake-up lag and CPU, then the highest load whose
p99 errors stay within --limit. Exits 3 if even the lowest step is outside.
The method is described in "go doc github.com/seedbench/seedbench/selfcheck".

Examples:
   seedbench selfcheck                                   # 100 and 500 streams, 20s each
   seedbench selfcheck --streams 50,200,1000 --rates none
   seedbench selfcheck --streams 100 --rates 50,100,200 --duration 10s --json`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "streams", Value: joinInts(def.Streams), Usage: "closed-loop steps: concurrent streams, comma-separated"},
			&cli.StringFlag{Name: "rates", Value: "auto", Usage: `open-loop steps in req/s, comma-separated; "auto": the rate that keeps each --streams value open; "none": skip`},
			&cli.DurationFlag{Name: "ttft", Value: def.TTFT, Usage: "the mock's fixed time to first token"},
			&cli.DurationFlag{Name: "itl", Value: def.ITL, Usage: "the mock's fixed gap between tokens"},
			&cli.IntFlag{Name: "tokens", Value: def.Tokens, Usage: "answer length in tokens (one per event)"},
			&cli.DurationFlag{Name: "duration", Value: def.Duration, Usage: "measured length of each step"},
			&cli.DurationFlag{Name: "warmup", Value: def.Warmup, Usage: "warm-up before each step, at the same load, left out of the figures"},
			&cli.BoolFlag{Name: "lockstep", Usage: "give every request the same TTFT, so streams started together emit every token at once (worst case)"},
			&cli.DurationFlag{Name: "limit", Value: def.Limit, Usage: "largest p99 error a step may show and count as accurate"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON instead of text"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErr("selfcheck takes no arguments, got %q", c.Args().First())
			}
			cfg, err := selfcheckConfig(c)
			if err != nil {
				return err
			}
			return doSelfcheck(c, cfg, c.Bool("json"))
		},
	}
}

// selfcheckConfig turns the flags into a Config; every problem is a usage
// error (exit 2).
func selfcheckConfig(c *cli.Context) (selfcheck.Config, error) {
	cfg := selfcheck.DefaultConfig()
	var err error
	if cfg.Streams, err = parseInts(c.String("streams")); err != nil {
		return cfg, usageErr("--streams: %v", err)
	}
	switch r := strings.TrimSpace(c.String("rates")); r {
	case "auto", "":
		cfg.Rates = nil
	case "none":
		cfg.NoRates = true
	default:
		if cfg.Rates, err = parseInts(r); err != nil {
			return cfg, usageErr("--rates: %v", err)
		}
	}
	cfg.TTFT, cfg.ITL, cfg.Tokens = c.Duration("ttft"), c.Duration("itl"), c.Int("tokens")
	cfg.Duration, cfg.Warmup, cfg.Limit = c.Duration("duration"), c.Duration("warmup"), c.Duration("limit")
	cfg.Lockstep = c.Bool("lockstep")
	if err := cfg.Validate(); err != nil {
		return cfg, usageErr("%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return cfg, nil
}

// doSelfcheck runs the steps, printing each as it finishes (text) or the
// whole report at the end (JSON). Ctrl-C stops at once; the steps done so
// far are still printed, and the exit is 3 (the check did not finish).
func doSelfcheck(c *cli.Context, cfg selfcheck.Config, asJSON bool) error {
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := c.App.Writer
	if !asJSON {
		if err := selfcheck.WriteHeader(out, cfg); err != nil {
			return err
		}
		cfg.Progress = func(st selfcheck.Step) { _ = selfcheck.WriteStep(out, st) }
	}
	rep, runErr := selfcheck.Run(ctx, cfg)
	if rep == nil {
		return withCode(exitUntrusted, runErr)
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if runErr == nil {
		if err := selfcheck.WriteVerdict(out, rep.Verdict); err != nil {
			return err
		}
	}
	switch {
	case runErr != nil:
		return withCode(exitUntrusted, fmt.Errorf("selfcheck did not finish: %w", runErr))
	case !rep.Verdict.Trusted:
		return withCode(exitUntrusted, errors.New("even the lowest step is outside the limits"))
	}
	return nil
}

// parseInts reads "100,500" into positive ints.
func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("give at least one number, e.g. 100,500")
	}
	return out, nil
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}
