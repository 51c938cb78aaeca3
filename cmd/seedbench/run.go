package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
	"github.com/urfave/cli/v2"
)

// runOptions is what the run command's flags say.
type runOptions struct {
	Scenario  string
	Target    string
	Model     string
	Rate      string
	Duration  string
	APIKeyEnv string
	OutDir    string
	Seed      int64
	SeedSet   bool
	Grace     time.Duration
	Quiet     bool
	Sharding  sharding
}

func runCommand() *cli.Command {
	return &cli.Command{
		Name:  "run",
		Usage: "run a scenario against an endpoint (default: the built-in mock) and report",
		UsageText: `seedbench run [flags] [SCENARIO]

SCENARIO is a built-in name (see "seedbench scenarios list") or a YAML file; default "quickstart".

Examples:
   seedbench run                                     # quickstart on the built-in mock
   SEEDBENCH_API_KEY=… seedbench run --target https://gateway.example/api/v3 mini-vs-pro
   seedbench run --out runs/nightly --seed 7 my-scenario.yaml`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "target", Usage: "OpenAI-compatible base URL for every target (default: the built-in mock)"},
			&cli.StringFlag{Name: "model", Usage: "override the model of every target"},
			&cli.StringFlag{Name: "rate", Usage: "override the rate of every open-loop stage, e.g. 20/s or 1200/m"},
			&cli.StringFlag{Name: "duration", Usage: "stretch or shrink the stages to last this long in total, e.g. 2m"},
			&cli.StringFlag{Name: "api-key-env", Value: "SEEDBENCH_API_KEY", Usage: "environment variable holding the API key (never pass a key as a flag)"},
			&cli.StringFlag{Name: "out", Usage: "run directory (default runs/<time>-<scenario>)"},
			&cli.Int64Flag{Name: "seed", Usage: "override the scenario's seed"},
			&cli.DurationFlag{Name: "grace", Value: 30 * time.Second, Usage: "after the first Ctrl-C, how long in-flight requests may finish"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the final summary"},
			shardFlag, startAtFlag, startToleranceFlag, workersFlag,
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageErr("run takes at most one scenario, got %d arguments", c.NArg())
			}
			o := runOptions{
				Scenario: c.Args().First(), Target: c.String("target"), Model: c.String("model"),
				Rate: c.String("rate"), Duration: c.String("duration"),
				APIKeyEnv: c.String("api-key-env"), OutDir: c.String("out"), Seed: c.Int64("seed"),
				SeedSet: c.IsSet("seed"), Grace: c.Duration("grace"), Quiet: c.Bool("quiet"),
			}
			if o.Scenario == "" {
				o.Scenario = "quickstart"
			}
			sh, err := shardingFromFlags(c)
			if err != nil {
				return err
			}
			o.Sharding = sh
			if n := c.Int("workers"); n > 0 {
				out := o.OutDir
				if out == "" {
					out = defaultRunDir(o.Scenario)
				}
				return runWorkers(c.Context, n, forwardedFlags(c, "workers", "out", "shard", "start-at", "quiet"), o.Scenario, out, c.App.Writer, c.App.ErrWriter)
			}
			return doRun(c.Context, o, c.App.Writer, c.App.ErrWriter)
		},
	}
}

func loadScenario(nameOrPath string) (*scenarios.Scenario, error) {
	if strings.HasSuffix(nameOrPath, ".yaml") || strings.HasSuffix(nameOrPath, ".yml") || strings.ContainsRune(nameOrPath, os.PathSeparator) {
		b, err := os.ReadFile(nameOrPath)
		if err != nil {
			return nil, err
		}
		return scenarios.Parse(nameOrPath, b)
	}
	return scenarios.Builtin(nameOrPath)
}

func doRun(ctx context.Context, o runOptions, stdout, stderr interface{ Write([]byte) (int, error) }) error {
	sc, err := loadScenario(o.Scenario)
	if err != nil {
		return usageErr("%v", err)
	}
	if err := sc.Apply(scenarios.Overrides{Rate: o.Rate, Duration: o.Duration, BaseURL: o.Target, Model: o.Model,
		Seed: o.Seed, SeedSet: o.SeedSet}); err != nil {
		return usageErr("%s: %v", o.Scenario, err)
	}
	seed := sc.Load.Seed
	if o.SeedSet {
		seed = o.Seed
	}
	plan, err := scenarios.NewPlan(sc, seed)
	if err != nil {
		return usageErr("%s: %v", o.Scenario, err)
	}

	targets := make([]runner.Target, len(sc.Targets))
	infos := make([]runner.TargetInfo, len(sc.Targets))
	needMock := false
	for i, t := range sc.Targets {
		rt := runner.Target{Name: t.Name, Model: t.Model, BaseURL: t.BaseURL, Headers: t.Headers}
		if o.Target != "" {
			rt.BaseURL = o.Target
		}
		if o.Model != "" {
			rt.Model = o.Model
		}
		env := t.APIKeyEnv
		if env == "" {
			env = o.APIKeyEnv
		}
		rt.APIKey = os.Getenv(env)
		infos[i] = rt.Info()
		if rt.BaseURL == "" {
			needMock = true
			infos[i].BaseURL = builtinMockURL
		}
		targets[i] = rt
	}
	if needMock {
		url, stop, err := startBuiltinMock(mockserver.DefaultConfig())
		if err != nil {
			return withCode(exitUntrusted, fmt.Errorf("starting the built-in mock: %w", err))
		}
		defer stop()
		for i := range targets {
			if targets[i].BaseURL == "" {
				targets[i].BaseURL = url
			}
		}
	}

	dir := o.OutDir
	if dir == "" {
		dir = defaultRunDir(sc.Name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageErr("creating run directory: %v", err)
	}
	resolved, _ := json.Marshal(sc)
	start := time.Now()
	sh := o.Sharding
	if !sh.StartAt.IsZero() {
		// A shard that starts late would run its part of the plan shifted
		// against the others: refuse instead.
		if err := checkStart(sh.StartAt, start, sh.Tolerance); err != nil {
			return withCode(exitUntrusted, fmt.Errorf("shard %d/%d: %w", sh.Shard.Index, sh.Shard.Count, err))
		}
		start = sh.StartAt
	}
	if !allMock(infos) {
		// A real server's prefix cache outlives a run: a run-specific nonce
		// in every salt keeps this run's prompts from hitting the cache of
		// the last one. Shards share the start instant, so they agree.
		plan.Source.SetNonce(uint64(start.UnixNano()))
	}
	hdr := runner.Header{Tool: "seedbench " + version, Scenario: sc.Name, PlanHash: plan.Hash(), Seed: seed,
		Start: start, ShardIndex: sh.Shard.Index, ShardCount: sh.Shard.Count, Targets: infos, Resolved: resolved,
		Planned: plannedOpenLoop(plan.Stages)}
	resultsPath := filepath.Join(dir, "results.jsonl")
	w, err := runner.CreateResults(resultsPath, hdr)
	if err != nil {
		return usageErr("creating results file: %v", err)
	}
	fmt.Fprintf(stderr, "seedbench: running %s (seed %d), results in %s\n", sc.Name, seed, dir)

	// First Ctrl-C: stop issuing, let in-flight requests finish within the
	// grace period. Second: cancel everything now.
	issueCtx, stopIssuing := context.WithCancel(ctx)
	defer stopIssuing()
	drainCtx, stopDrain := context.WithCancel(context.Background())
	defer stopDrain()
	var interrupted atomic.Bool
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
		case <-drainCtx.Done():
			return
		}
		interrupted.Store(true)
		fmt.Fprintf(stderr, "\nseedbench: stopping; in-flight requests have %s to finish (Ctrl-C again to stop now)\n", o.Grace)
		stopIssuing()
		select {
		case <-sigs:
		case <-time.After(o.Grace):
		case <-drainCtx.Done():
			return
		}
		stopDrain()
	}()
	go func() {
		select {
		case <-ctx.Done():
			interrupted.Store(true)
			stopDrain()
		case <-drainCtx.Done():
		}
	}()

	var firstErr atomic.Value
	stats, err := runner.Run(issueCtx, drainCtx, runner.Config{
		Targets:     targets,
		Stages:      plan.Stages,
		Requests:    plan.Source,
		MaxInFlight: sc.Load.MaxInFlight,
		Timeouts:    plan.Timeouts(),
		Start:       start,
		Shard:       sh.Shard,
		Sink: func(r *runner.Result) {
			if r.Status == runner.StatusError && firstErr.Load() == nil {
				firstErr.CompareAndSwap(nil, r.ErrorClass+": "+r.Error)
			}
			w.Write(r)
		},
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		_ = w.Close(runner.Footer{End: time.Now(), Interrupted: true})
		return withCode(exitUntrusted, err)
	}
	if err := w.Close(runner.Footer{End: time.Now(), Issued: stats.Issued, Dropped: stats.Dropped,
		Interrupted: interrupted.Load(), Trust: stats.Trust}); err != nil {
		return withCode(exitUntrusted, fmt.Errorf("writing %s: %w", resultsPath, err))
	}

	sum, err := writeReport(dir, []string{resultsPath}, report.Options{Pricing: pricing(), StepSummary: os.Getenv("GITHUB_STEP_SUMMARY")}, stdout)
	if err != nil {
		return withCode(exitUntrusted, err)
	}
	fmt.Fprintf(stderr, "seedbench: results in %s, report in %s\n", resultsPath, filepath.Join(dir, report.FileHTML))

	ok := sum.Overall.OK
	switch {
	case interrupted.Load():
		return withCode(exitUntrusted, errors.New("run interrupted; the results file holds every request that finished"))
	case stats.Issued > 0 && ok == 0:
		msg, _ := firstErr.Load().(string)
		return withCode(exitUntrusted, fmt.Errorf("no request succeeded (%s)", msg))
	}
	return sloExit(sum)
}
