package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/run"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
	"github.com/urfave/cli/v2"
)

// runOptions is what the run command's flags say, before they become
// run.Options.
type runOptions struct {
	Scenario string
	Target   string
	Model    string
	// MaxCompletionTokens overrides every target's thinking budget.
	MaxCompletionTokens int
	// Pricing prices the report (the catalog, in --currency).
	Pricing   report.Pricing
	Rate      string
	Duration  string
	APIKeyEnv string
	// APIKeyFile, when set, holds the key of every target that names no
	// api_key_env of its own (instead of the APIKeyEnv variable).
	APIKeyFile string
	OutDir     string
	Seed       int64
	SeedSet    bool
	Grace      time.Duration
	Quiet      bool
	NoPlots    bool // the report without its charts
	DryRun     bool // print the plan, send nothing
	SLO        []scenarios.Objective
	// AllowInconclusive accepts a verdict with too few samples (exit 0).
	AllowInconclusive bool
	Sharding          sharding
	// Calibrate probes the first target before the run and corrects the
	// token estimate to its usage.prompt_tokens.
	Calibrate bool
	// NoCalibrate skips the default calibration of a real first target.
	NoCalibrate bool
	// NoPreflight skips the check request sent to each target first.
	NoPreflight bool

	Insecure    bool
	MetricsAddr string
	// MetricsLinger keeps /metrics up this long after the run, so the last
	// scrape sees the final counts.
	MetricsLinger time.Duration
	MaxInFlight   int
	Trust         runner.TrustLimit
	ProgressEvery time.Duration
	// Timeouts overrides the plan's timeouts field by field (zero: keep).
	Timeouts runner.Timeouts
	// MaxSpend is --max-spend ("5CNY"); NoSpendCap allows a paid endpoint
	// without a cap.
	MaxSpend string
	// AbortOnBurn stops the run once an availability or error-rate
	// objective can no longer be met.
	AbortOnBurn bool
	NoSpendCap  bool
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
   seedbench run --out runs/nightly --seed 7 my-scenario.yaml
   seedbench run --metrics-addr 127.0.0.1:9090 slo-soak  # Prometheus metrics while it runs

Progress goes to stderr: a bar on a terminal, a line every --progress-every
otherwise, nothing with --quiet. The first Ctrl-C stops issuing and gives the
requests in flight --grace to finish; a second one cancels them at once.
Either way results.jsonl stays valid and the report is written.

Exit codes: 0 ok; 1 an SLO failed; 2 bad flags or scenario; 3 interrupted, no
request succeeded, or the run is untrustworthy (more than 1% of the sends
later than max(--max-lag, --max-lag-ttft-pct of TTFT p50), one send 20× that
late, or the wake-up probe late by that much: the generator fell behind).`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "target", Usage: "OpenAI-compatible base URL for every target (default: the built-in mock)"},
			&cli.StringFlag{Name: "model", Usage: "override the model of every target"},
			&cli.StringFlag{Name: "currency", Usage: "money in the report in this currency (CNY, USD), converted at the catalog's exchange rate"},
			&cli.IntFlag{Name: "max-completion-tokens", Usage: "thinking budget of every target: sent as max_completion_tokens (reasoning + answer, 0..65536) instead of max_tokens"},
			&cli.StringFlag{Name: "rate", Usage: "override the rate of every open-loop stage, e.g. 20/s or 1200/m"},
			&cli.StringFlag{Name: "duration", Usage: "stretch or shrink the measured stages to last this long in total, e.g. 2m (a warmup runs before them, on top)"},
			&cli.StringFlag{Name: "api-key-env", Value: "SEEDBENCH_API_KEY", Usage: "environment variable holding the API key (never pass a key as a flag)"},
			&cli.StringFlag{Name: "api-key-file", Usage: "read the API key from this file instead of the environment (chmod 600)"},
			&cli.StringFlag{Name: "out", Usage: "run directory", DefaultText: "runs/<time>-<scenario>"},
			&cli.Int64Flag{Name: "seed", Usage: "plan with this seed", DefaultText: "the scenario's load.seed"},
			&cli.DurationFlag{Name: "grace", Value: 30 * time.Second, Usage: "after the first Ctrl-C, how long in-flight requests may finish"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the final summary"},
			&cli.BoolFlag{Name: "no-preflight", Usage: "skip the one small request per target that checks the URL, the key and the model before the load starts (a refused key, a 404 or nothing listening exits 2 at once)"},
			&cli.BoolFlag{Name: "calibrate", Usage: "before the run, send three probe prompts to the first target and correct the token estimate to its usage.prompt_tokens (tier targeting for a tokenizer we cannot see)"},
			&cli.BoolFlag{Name: "no-calibrate", Usage: "do not calibrate the token estimate against a real first target (by default it is calibrated once per base URL and model and the fit cached)"},
			sloFlag(), allowInconclusiveFlag(),
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan (targets, stages, planned requests) and send nothing"},
			&cli.BoolFlag{Name: "no-plots", Usage: "write the report without its charts (faster; \"seedbench report\" can draw them later)"},
			&cli.DurationFlag{Name: "progress-every", Value: 10 * time.Second, Usage: "when stderr is not a terminal, print a progress line this often (0: never)"},
			&cli.BoolFlag{Name: "insecure", Usage: "do not verify the endpoint's TLS certificate (test gateways only)"},
			&cli.StringFlag{Name: "metrics-addr", Usage: "serve Prometheus metrics of the run in progress at `ADDR`/metrics, e.g. 127.0.0.1:9090"},
			&cli.BoolFlag{Name: "abort-on-burn", Usage: "stop issuing once an availability or error-rate objective (whole-run or windowed) is bound to fail: its fast-burn (page) condition fires, as the report judges it, or its failures exceed the error budget of the planned requests; exit 1, results and report intact"},
			&cli.DurationFlag{Name: "metrics-linger", Usage: "keep serving --metrics-addr this long after the run, so the last scrape sees its final counts (set it to your scrape interval)"},
			&cli.StringFlag{Name: "max-spend", Usage: "stop issuing once the measured spend (server usage × the catalog) would pass this, e.g. 5CNY; exit 3", DefaultText: "the scenario's load.max_spend"},
			&cli.BoolFlag{Name: "no-spend-cap", Usage: "allow a real endpoint without a spend cap"},
			&cli.IntFlag{Name: "max-in-flight", Usage: "override the scenario's max_in_flight (open loop: beyond it requests are dropped, never delayed)", DefaultText: "the scenario's"},
			&cli.DurationFlag{Name: "max-lag", Value: runner.DefaultTrustLimit.Floor, Usage: "a request sent later than this after its planned time is late; more than 1% late (of at least 100), or one 20× this late, makes the run untrustworthy (exit 3): at least this"},
			&cli.Float64Flag{Name: "max-lag-ttft-pct", Value: 100 * runner.DefaultTrustLimit.TTFTFraction, Usage: "… or this percentage of TTFT p50, whichever is larger"},
			&cli.DurationFlag{Name: "connect-timeout", Usage: "dial + TLS handshake limit", DefaultText: runner.DefaultTimeouts.Connect.String()},
			&cli.DurationFlag{Name: "ttfb-timeout", Usage: "request sent → response headers limit", DefaultText: runner.DefaultTimeouts.TTFB.String()},
			&cli.DurationFlag{Name: "idle-timeout", Usage: "longest silence allowed inside a stream (keep-alive comments count as data)", DefaultText: runner.DefaultTimeouts.Idle.String()},
			&cli.DurationFlag{Name: "timeout", Usage: "whole-request limit", DefaultText: "the scenario's load.timeout, else " + runner.DefaultTimeouts.Total.String()},
		}, shardingFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageErr("run takes at most one scenario, got %d arguments", c.NArg())
			}
			o := runOptions{
				Scenario: c.Args().First(), Target: c.String("target"), Model: c.String("model"), MaxCompletionTokens: c.Int("max-completion-tokens"),
				Pricing: pricing(),
				Rate:    c.String("rate"), Duration: c.String("duration"),
				APIKeyEnv: c.String("api-key-env"), APIKeyFile: c.String("api-key-file"), OutDir: c.String("out"), Seed: c.Int64("seed"),
				SeedSet: c.IsSet("seed"), Grace: c.Duration("grace"), Quiet: c.Bool("quiet"), NoPlots: c.Bool("no-plots"), DryRun: c.Bool("dry-run"), Calibrate: c.Bool("calibrate"), NoCalibrate: c.Bool("no-calibrate"),
				Insecure: c.Bool("insecure"), MetricsAddr: c.String("metrics-addr"), MetricsLinger: c.Duration("metrics-linger"), MaxInFlight: c.Int("max-in-flight"), MaxSpend: c.String("max-spend"), AbortOnBurn: c.Bool("abort-on-burn"), NoSpendCap: c.Bool("no-spend-cap"),
				NoPreflight:   c.Bool("no-preflight"),
				Trust:         runner.TrustLimit{Floor: c.Duration("max-lag"), TTFTFraction: c.Float64("max-lag-ttft-pct") / 100},
				ProgressEvery: c.Duration("progress-every"),
				Timeouts: runner.Timeouts{Connect: c.Duration("connect-timeout"), TTFB: c.Duration("ttfb-timeout"),
					Idle: c.Duration("idle-timeout"), Total: c.Duration("timeout")},
			}
			slo, err := sloFromFlag(c)
			if err != nil {
				return err
			}
			o.SLO, o.AllowInconclusive = slo, c.Bool("allow-inconclusive")
			if err := o.check(); err != nil {
				return err
			}
			if c.IsSet("api-key-env") && c.IsSet("api-key-file") {
				return usageErr("--api-key-env and --api-key-file: give one of them")
			}
			if o.Scenario == "" {
				o.Scenario = "quickstart"
			}
			sh, err := shardingFromFlags(c)
			if err != nil {
				return err
			}
			o.Sharding = sh
			if o.Calibrate && (sh.Shard.Count > 1 || c.Int("workers") > 0) {
				return usageErr("--calibrate does not go with sharding: every shard must build the same prompts; calibrate once with a plain run and put the printed tokenizer: block in the scenario")
			}
			if cur := c.String("currency"); cur != "" {
				p, err := pricingIn("", cur)
				if err != nil {
					return err
				}
				o.Pricing = p
			}
			if n := c.Int("workers"); n > 0 {
				out := o.OutDir
				if out == "" {
					out = run.DefaultDir(o.Scenario)
				}
				// The merged report is the run's report: it takes the
				// run's report flags (--no-plots, --slo, --currency).
				return runWorkers(c.Context, n, forwardedFlags(c, "workers", "out", "shard", "start-at", "quiet", "metrics-addr", "metrics-linger"), o.Scenario, out, o.reportOptions(), c.App.Writer, c.App.ErrWriter)
			}
			return doRun(c.Context, o, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// check rejects flag values that cannot work (exit 2).
func (o *runOptions) check() error {
	switch {
	case o.Trust.Floor <= 0:
		return usageErr("--max-lag %s: must be positive", o.Trust.Floor)
	case o.Trust.TTFTFraction < 0:
		return usageErr("--max-lag-ttft-pct %v: must not be negative", 100*o.Trust.TTFTFraction)
	case o.MaxInFlight < 0:
		return usageErr("--max-in-flight %d: must be positive", o.MaxInFlight)
	case o.Grace < 0:
		return usageErr("--grace %s: must not be negative", o.Grace)
	case o.MetricsLinger < 0:
		return usageErr("--metrics-linger %s: must not be negative", o.MetricsLinger)
	case o.Timeouts.Connect < 0 || o.Timeouts.TTFB < 0 || o.Timeouts.Idle < 0 || o.Timeouts.Total < 0:
		return usageErr("timeouts must not be negative")
	}
	return nil
}

// reportOptions are the report flags of a run, for its own report and for
// the merged report of --workers.
func (o runOptions) reportOptions() report.Options {
	return report.Options{Pricing: o.Pricing, StepSummary: os.Getenv("GITHUB_STEP_SUMMARY"), NoPlots: o.NoPlots, SLO: o.SLO}
}

// doRun runs one benchmark: the command's flags become run.Options, the
// first Ctrl-C (or SIGTERM) stops issuing and gives in-flight requests
// --grace to finish, a second one (or the end of ctx) cancels them, and the
// outcome becomes the exit code.
func doRun(ctx context.Context, o runOptions, stdout, stderr io.Writer) error {
	sc, err := openScenario(o.Scenario, "")
	if err != nil {
		return err
	}
	fileKey := ""
	if o.APIKeyFile != "" && !o.DryRun {
		if fileKey, err = readKeyFile(o.APIKeyFile, stderr); err != nil {
			return usageErr("--api-key-file: %v", err)
		}
	}
	if err := sc.Apply(scenarios.Overrides{BaseURL: o.Target}); err != nil {
		return usageErr("%s: %v", o.Scenario, err)
	}
	capSpend, err := spendCap(o.MaxSpend, sc)
	if err != nil {
		return err
	}
	if capSpend == 0 && !o.NoSpendCap && !o.DryRun && needsSpendCap(sc) {
		return usageErr("%s sends to a real endpoint: give a spend cap (--max-spend 5CNY or load.max_spend), or --no-spend-cap to go without", o.Scenario)
	}
	ro := run.Options{MaxSpend: capSpend, AbortOnBurn: o.AbortOnBurn,
		Scenario: sc, Label: o.Scenario,
		Overrides: scenarios.Overrides{Rate: o.Rate, Duration: o.Duration, BaseURL: o.Target, Model: o.Model,
			Seed: o.Seed, SeedSet: o.SeedSet, MaxCompletionTokens: o.MaxCompletionTokens},
		APIKeyEnv: o.APIKeyEnv, APIKey: fileKey, Getenv: os.Getenv,
		OutDir: o.OutDir, Tool: "seedbench " + version, Quiet: o.Quiet,
		Calibrate: o.Calibrate, NoCalibrate: o.NoCalibrate, NoPreflight: o.NoPreflight, Insecure: o.Insecure, MaxInFlight: o.MaxInFlight, Trust: o.Trust, Timeouts: o.Timeouts,
		Grace: o.Grace, Shard: o.Sharding.Shard, StartAt: o.Sharding.StartAt, StartTolerance: o.Sharding.Tolerance,
		Report: o.reportOptions(),
		DryRun: o.DryRun, AllowInconclusive: o.AllowInconclusive,
		Stdout: stdout, Stderr: stderr,
	}
	var metrics *runMetrics
	stopMetrics := func() {}
	ro.Watch = func(wd run.Watched) (func(), error) {
		live := wd.Live
		var stops []func()
		if o.MetricsAddr != "" {
			metrics = newRunMetrics(live, metricsSetupOf(wd.Scenario, wd.Header, wd.Plan.Stages, o.SLO))
			bound, stop, err := serveMetrics(o.MetricsAddr, metrics.reg)
			if err != nil {
				return nil, fmt.Errorf("--metrics-addr %s: %v", o.MetricsAddr, err)
			}
			stopMetrics = stop // after the report and the linger, below
			fmt.Fprintf(stderr, "seedbench: metrics at http://%s/metrics\n", bound)
		}
		if !o.Quiet {
			stops = append(stops, startProgress(stderr, isTerminal(stderr), o.ProgressEvery, live).Stop)
		}
		return func() {
			for i := len(stops) - 1; i >= 0; i-- {
				stops[i]()
			}
		}, nil
	}
	if o.MetricsAddr != "" {
		ro.OnResult = func(r *runner.Result) { metrics.observe(r) }
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	issue, stopIssuing := context.WithCancel(ctx)
	defer stopIssuing()
	defer onSignals(o.Grace, stderr, stopIssuing, cancel)()

	out, err := run.Execute(ctx, issue, ro)
	if o.MetricsAddr != "" {
		select { // a second Ctrl-C (or the caller) cuts the linger short
		case <-time.After(o.MetricsLinger):
		case <-ctx.Done():
		}
		stopMetrics()
	}
	if err != nil {
		return withCode(exitCodeOf(run.ClassOf(err)), err)
	}
	if err := out.Err(); err != nil {
		return withCode(exitCodeOf(out.Class), err)
	}
	return nil
}

// onSignals turns the first SIGINT or SIGTERM into stopIssuing and the
// second, or the end of the grace period after the first, into cancel. The
// function it returns stops listening.
func onSignals(grace time.Duration, stderr io.Writer, stopIssuing, cancel func()) (stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintf(stderr, "\nseedbench: stopping; in-flight requests have %s to finish (Ctrl-C again to stop now)\n", grace)
		stopIssuing()
		select {
		case <-sigs:
		case <-time.After(grace):
		case <-done:
			return
		}
		cancel()
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// exitCodeOf maps a run's class to the exit-code contract.
func exitCodeOf(c run.Class) int {
	switch c {
	case run.OK:
		return exitOK
	case run.CheckFailed:
		return exitCheck
	case run.BadInput:
		return exitUsage
	}
	return exitUntrusted
}
