package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
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
	// APIKeyFile, when set, holds the key of every target that names no
	// api_key_env of its own (instead of the APIKeyEnv variable).
	APIKeyFile string
	OutDir     string
	Seed       int64
	SeedSet    bool
	Grace      time.Duration
	Quiet      bool
	NoPlots    bool // the report without its charts
	Sharding   sharding
	// Calibrate probes the first target before the run and corrects the
	// token estimate to its usage.prompt_tokens.
	Calibrate bool

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
   seedbench run --metrics-addr 127.0.0.1:9090 soak    # Prometheus metrics while it runs

Progress goes to stderr: a bar on a terminal, a line every --progress-every
otherwise, nothing with --quiet. The first Ctrl-C stops issuing and gives the
requests in flight --grace to finish; a second one cancels them at once.
Either way results.jsonl stays valid and the report is written.

Exit codes: 0 ok; 1 an SLO failed; 2 bad flags or scenario; 3 interrupted, no
request succeeded, or the run is untrustworthy (schedule lag p99 above
max(--max-lag, --max-lag-ttft-pct of TTFT p50): the generator fell behind).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "target", Usage: "OpenAI-compatible base URL for every target (default: the built-in mock)"},
			&cli.StringFlag{Name: "model", Usage: "override the model of every target"},
			&cli.StringFlag{Name: "rate", Usage: "override the rate of every open-loop stage, e.g. 20/s or 1200/m"},
			&cli.StringFlag{Name: "duration", Usage: "stretch or shrink the stages to last this long in total, e.g. 2m"},
			&cli.StringFlag{Name: "api-key-env", Value: "SEEDBENCH_API_KEY", Usage: "environment variable holding the API key (never pass a key as a flag)"},
			&cli.StringFlag{Name: "api-key-file", Usage: "read the API key from this file instead of the environment (chmod 600)"},
			&cli.StringFlag{Name: "out", Usage: "run directory (default runs/<time>-<scenario>)"},
			&cli.Int64Flag{Name: "seed", Usage: "override the scenario's seed"},
			&cli.DurationFlag{Name: "grace", Value: 30 * time.Second, Usage: "after the first Ctrl-C, how long in-flight requests may finish"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the final summary"},
			&cli.BoolFlag{Name: "calibrate", Usage: "before the run, send three probe prompts to the first target and correct the token estimate to its usage.prompt_tokens (tier targeting for a tokenizer we cannot see)"},
			&cli.BoolFlag{Name: "no-plots", Usage: "write the report without its charts (faster; \"seedbench report\" can draw them later)"},
			&cli.DurationFlag{Name: "progress-every", Value: 10 * time.Second, Usage: "when stderr is not a terminal, print a progress line this often (0: never)"},
			&cli.BoolFlag{Name: "insecure", Usage: "do not verify the endpoint's TLS certificate (test gateways only)"},
			&cli.StringFlag{Name: "metrics-addr", Usage: "serve Prometheus metrics of the run in progress at `ADDR`/metrics, e.g. 127.0.0.1:9090"},
			&cli.DurationFlag{Name: "metrics-linger", Usage: "keep serving --metrics-addr this long after the run, so the last scrape sees its final counts (set it to your scrape interval)"},
			&cli.IntFlag{Name: "max-in-flight", Usage: "override the scenario's max_in_flight (open loop: beyond it requests are dropped, never delayed)", DefaultText: "the scenario's"},
			&cli.DurationFlag{Name: "max-lag", Value: runner.DefaultTrustLimit.Floor, Usage: "schedule lag p99 allowed before the run is untrustworthy (exit 3): at least this"},
			&cli.Float64Flag{Name: "max-lag-ttft-pct", Value: 100 * runner.DefaultTrustLimit.TTFTFraction, Usage: "… or this percentage of TTFT p50, whichever is larger"},
			&cli.DurationFlag{Name: "connect-timeout", Usage: "dial + TLS handshake limit", DefaultText: runner.DefaultTimeouts.Connect.String()},
			&cli.DurationFlag{Name: "ttfb-timeout", Usage: "request sent → response headers limit", DefaultText: runner.DefaultTimeouts.TTFB.String()},
			&cli.DurationFlag{Name: "idle-timeout", Usage: "longest silence allowed inside a stream (keep-alive comments count as data)", DefaultText: runner.DefaultTimeouts.Idle.String()},
			&cli.DurationFlag{Name: "timeout", Usage: "whole-request limit", DefaultText: "the scenario's load.timeout, else " + runner.DefaultTimeouts.Total.String()},
			shardFlag, startAtFlag, startToleranceFlag, workersFlag,
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageErr("run takes at most one scenario, got %d arguments", c.NArg())
			}
			o := runOptions{
				Scenario: c.Args().First(), Target: c.String("target"), Model: c.String("model"),
				Rate: c.String("rate"), Duration: c.String("duration"),
				APIKeyEnv: c.String("api-key-env"), APIKeyFile: c.String("api-key-file"), OutDir: c.String("out"), Seed: c.Int64("seed"),
				SeedSet: c.IsSet("seed"), Grace: c.Duration("grace"), Quiet: c.Bool("quiet"), NoPlots: c.Bool("no-plots"), Calibrate: c.Bool("calibrate"),
				Insecure: c.Bool("insecure"), MetricsAddr: c.String("metrics-addr"), MetricsLinger: c.Duration("metrics-linger"), MaxInFlight: c.Int("max-in-flight"),
				Trust:         runner.TrustLimit{Floor: c.Duration("max-lag"), TTFTFraction: c.Float64("max-lag-ttft-pct") / 100},
				ProgressEvery: c.Duration("progress-every"),
				Timeouts: runner.Timeouts{Connect: c.Duration("connect-timeout"), TTFB: c.Duration("ttfb-timeout"),
					Idle: c.Duration("idle-timeout"), Total: c.Duration("timeout")},
			}
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
			if n := c.Int("workers"); n > 0 {
				out := o.OutDir
				if out == "" {
					out = defaultRunDir(o.Scenario)
				}
				return runWorkers(c.Context, n, forwardedFlags(c, "workers", "out", "shard", "start-at", "quiet", "metrics-addr", "metrics-linger"), o.Scenario, out, c.App.Writer, c.App.ErrWriter)
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

// timeouts is the plan's timeouts with the flags' overrides.
func (o *runOptions) timeouts(plan runner.Timeouts) runner.Timeouts {
	for _, f := range []struct{ dst, v *time.Duration }{
		{&plan.Connect, &o.Timeouts.Connect}, {&plan.TTFB, &o.Timeouts.TTFB},
		{&plan.Idle, &o.Timeouts.Idle}, {&plan.Total, &o.Timeouts.Total},
	} {
		if *f.v > 0 {
			*f.dst = *f.v
		}
	}
	return plan
}

func doRun(ctx context.Context, o runOptions, stdout, stderr interface{ Write([]byte) (int, error) }) error {
	sc, err := openScenario(o.Scenario, "")
	if err != nil {
		return err
	}
	if err := sc.Apply(scenarios.Overrides{Rate: o.Rate, Duration: o.Duration, BaseURL: o.Target, Model: o.Model,
		Seed: o.Seed, SeedSet: o.SeedSet}); err != nil {
		return usageErr("%s: %v", o.Scenario, err)
	}
	seed := sc.Load.Seed
	if o.SeedSet {
		seed = o.Seed
	}
	// Calibration by default on the built-in mock: its tokenizer is known.
	if sc.UseBuiltinMockTokenizer() && !o.Quiet {
		fmt.Fprintf(stderr, "seedbench: token estimate: the built-in mock's tokenizer (ratio %.4f, overhead %.0f)\n", sc.Tokenizer.Ratio, sc.Tokenizer.Overhead)
	}
	plan, err := scenarios.NewPlan(sc, seed)
	if err != nil {
		return usageErr("%s: %v", o.Scenario, err)
	}

	fileKey := ""
	if o.APIKeyFile != "" {
		if fileKey, err = readKeyFile(o.APIKeyFile, stderr); err != nil {
			return usageErr("--api-key-file: %v", err)
		}
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
		switch {
		case t.APIKeyEnv != "":
			rt.APIKey = os.Getenv(t.APIKeyEnv)
		case fileKey != "":
			rt.APIKey = fileKey
		default:
			rt.APIKey = os.Getenv(o.APIKeyEnv)
		}
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

	if o.Calibrate {
		cal, err := calibrate(ctx, sc, plan, targets, o.timeouts(plan.Timeouts()), o.Insecure, stderr)
		if err != nil {
			return withCode(exitUntrusted, err)
		}
		sc.Tokenizer = cal
		if plan, err = scenarios.NewPlan(sc, seed); err != nil {
			return usageErr("%s: after calibration: %v", o.Scenario, err)
		}
	}

	dir := o.OutDir
	if dir == "" {
		dir = defaultRunDir(sc.Name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageErr("creating run directory: %v", err)
	}
	keys := make([]string, len(targets))
	for i := range targets {
		keys[i] = targets[i].APIKey
	}
	resolved, err := resolvedScenario(sc, keys)
	if err != nil {
		return withCode(exitUntrusted, err)
	}
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
	w, err := createResults(resultsPath, hdr)
	if err != nil {
		return usageErr("creating results file: %v", err)
	}
	fmt.Fprintf(stderr, "seedbench: running %s (seed %d, %s), results in %s\n", sc.Name, seed, plannedText(plan), dir)

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
			interrupted.Store(true)
			fmt.Fprintf(stderr, "\nseedbench: stopping; in-flight requests have %s to finish (Ctrl-C again to stop now)\n", o.Grace)
		case <-w.Failed():
			// Nothing more can be recorded: stop sending at once.
			fmt.Fprintf(stderr, "\nseedbench: writing %s failed (%v); stopping so that nothing is sent that cannot be recorded; in-flight requests have %s to finish\n", resultsPath, w.Err(), o.Grace)
		case <-drainCtx.Done():
			return
		}
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

	maxInFlight := sc.Load.MaxInFlight
	if o.MaxInFlight > 0 {
		maxInFlight = o.MaxInFlight
	}
	live := runner.NewLive(plan.Stages)
	var metrics *runMetrics
	if o.MetricsAddr != "" {
		metrics = newRunMetrics(live, metricsSetupOf(sc, hdr, plan.Stages))
		bound, stop, err := serveMetrics(o.MetricsAddr, metrics.reg)
		if err != nil {
			_ = w.Close(runner.Footer{End: time.Now(), Interrupted: true})
			return usageErr("--metrics-addr %s: %v", o.MetricsAddr, err)
		}
		defer func() {
			select { // a second Ctrl-C (or the caller) cuts the linger short
			case <-time.After(o.MetricsLinger):
			case <-drainCtx.Done():
			}
			stop()
		}()
		fmt.Fprintf(stderr, "seedbench: metrics at http://%s/metrics\n", bound)
	}
	var prog *progress
	if !o.Quiet {
		prog = startProgress(stderr, isTerminal(stderr), o.ProgressEvery, live)
		defer prog.Stop()
	}

	var firstErr atomic.Value
	stats, err := runner.Run(issueCtx, drainCtx, runner.Config{
		Targets:     targets,
		Stages:      plan.Stages,
		Requests:    plan.Source,
		MaxInFlight: maxInFlight,
		Timeouts:    o.timeouts(plan.Timeouts()),
		Start:       start,
		Shard:       sh.Shard,
		Insecure:    o.Insecure,
		Live:        live,
		TrustLimit:  o.Trust,
		Sink: func(r *runner.Result) {
			if r.Status == runner.StatusError && firstErr.Load() == nil {
				firstErr.CompareAndSwap(nil, r.ErrorClass+": "+r.Error)
			}
			if metrics != nil {
				metrics.observe(r)
			}
			w.Write(r)
		},
	})
	if prog != nil {
		prog.Stop()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		_ = w.Close(runner.Footer{End: time.Now(), Interrupted: true})
		return withCode(exitUntrusted, err)
	}
	if err := w.Close(runner.Footer{End: time.Now(), Issued: stats.Issued, Dropped: stats.Dropped,
		Interrupted: interrupted.Load(), Trust: stats.Trust}); err != nil {
		return withCode(exitUntrusted, fmt.Errorf("writing %s: %w (%d of %d sent requests and %d dropped are in the file; the run stopped issuing at the failure; no report)",
			resultsPath, err, w.Written(), stats.Issued, stats.Dropped))
	}

	sum, err := writeReport(dir, []string{resultsPath}, report.Options{Pricing: pricing(), StepSummary: os.Getenv("GITHUB_STEP_SUMMARY"), NoPlots: o.NoPlots}, stdout)
	if err != nil {
		return withCode(exitUntrusted, err)
	}
	writeTrust(stdout, stats.Trust, o.Trust)
	fmt.Fprintf(stderr, "seedbench: results in %s, report in %s\n", resultsPath, filepath.Join(dir, report.FileHTML))

	ok := sum.Overall.OK
	switch {
	case interrupted.Load():
		return withCode(exitUntrusted, errors.New("run interrupted; the results file holds every request that finished"))
	case stats.Issued > 0 && ok == 0:
		msg, _ := firstErr.Load().(string)
		return withCode(exitUntrusted, fmt.Errorf("no request succeeded (%s)", msg))
	case stats.Trust.Untrustworthy:
		return withCode(exitUntrusted, fmt.Errorf("results not trustworthy: %s", stats.Trust.Reason))
	}
	return sloExit(sum)
}

// createResults opens the results file; tests swap it for a file that fails.
var createResults = runner.CreateResults

// writeTrust prints the trust verdict under the report (which already
// shows the lag and wake-up figures):
//
//	trust: schedule lag p99 410µs within the limit 5ms · dropped 0 · generator CPU 1.2s (3% of 2 cores)
func writeTrust(w io.Writer, t runner.Trust, lim runner.TrustLimit) {
	d := func(v int64) string { return short(time.Duration(v) * time.Microsecond) }
	verdict := "within"
	if t.Untrustworthy {
		verdict = "OVER"
	}
	fmt.Fprintf(w, "trust: schedule lag p99 %s %s the limit %s · dropped %d · generator CPU %.1fs (%.0f%% of %d cores)\n",
		d(t.LagP99US), verdict, d(t.LagLimitUS), t.Dropped, t.CPUSeconds, 100*t.CPUShare, runtime.GOMAXPROCS(0))
	if t.Untrustworthy {
		fmt.Fprintf(w, "UNTRUSTWORTHY: %s (--max-lag %s, --max-lag-ttft-pct %g)\n", t.Reason, lim.Floor, 100*lim.TTFTFraction)
	}
}
