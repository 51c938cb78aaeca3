package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/seedbench/seedbench/capacity"
	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/run"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
	"github.com/urfave/cli/v2"
)

func capacityCommand() *cli.Command {
	return &cli.Command{
		Name:  "capacity",
		Usage: "find each variant's highest load that meets every objective, and which variant to choose",
		UsageText: `seedbench capacity [flags] SCENARIO

Per target, probes increasing load (a geometric ramp from --start, then
bisection to --tolerance) until an objective of the scenario fails or the
load is no longer delivered; every probe is a run directory of its own under
OUT/probes. Then judges each variant at --expected-rate × --headroom and
prints which to choose.

Examples:
   seedbench capacity choose-variant                       # Mini, Lite and Pro on the built-in mock
   seedbench capacity mini-vs-pro --expected-rate 20/s --headroom 2
   SEEDBENCH_API_KEY=… seedbench capacity --target https://gateway.example/api/v3 --max-spend 5CNY choose-variant
   seedbench capacity --by concurrency --expected-streams 64 my-scenario.yaml
   seedbench capacity --dry-run mini-vs-pro                # the search plan; nothing sent

Writes capacity.json, capacity.md, capacity.html and capacity.txt into --out.
Against a real endpoint a spend cap (--max-spend or load.max_spend) is
required unless --no-spend-cap.

Exit codes: 0 a variant fits; 1 none fits the expected load; 2 bad flags or
scenario; 3 a probe was untrustworthy or the search could not run.`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "targets", Usage: "search only these targets (names, comma-separated)", DefaultText: "every target"},
			&cli.StringFlag{Name: "by", Value: "rate", Usage: "what a probe's level counts: rate (open loop, req/s) or concurrency (closed-loop streams)"},
			&cli.StringFlag{Name: "expected-rate", Usage: "your real traffic, e.g. 20/s", DefaultText: "the scenario's rate"},
			&cli.IntFlag{Name: "expected-streams", Usage: "with --by concurrency: your real number of concurrent streams", DefaultText: "the scenario's users"},
			&cli.Float64Flag{Name: "headroom", Value: 1.5, Usage: "a variant fits when its capacity is at least the expected load × this"},
			&cli.StringFlag{Name: "tolerance", Value: "10%", Usage: "stop bisecting when the bracket is this narrow"},
			&cli.StringFlag{Name: "start", Usage: "first level probed (req/s or streams)", DefaultText: "the expected load"},
			&cli.StringFlag{Name: "max-rate", Usage: "never probe above this level (req/s or streams)"},
			&cli.DurationFlag{Name: "max-duration", Value: 30 * time.Minute, Usage: "wall-clock budget of the whole search"},
			&cli.DurationFlag{Name: "min-probe", Value: 10 * time.Second, Usage: "shortest measured part of a probe (it runs longer when its percentiles need more requests; 4s on the built-in mock)"},
			&cli.DurationFlag{Name: "warmup", Value: 3 * time.Second, Usage: "load sent and excluded before each probe's measured part (2s on the built-in mock)"},
			&cli.StringFlag{Name: "currency", Usage: "money in this currency (CNY, USD), converted at the catalog's exchange rate; default: the catalog's"},
			&cli.StringFlag{Name: "max-spend", Usage: "spend cap of the whole search, e.g. 5CNY (never starts a probe expected to cross it)", DefaultText: "the scenario's load.max_spend"},
			&cli.BoolFlag{Name: "no-spend-cap", Usage: "allow a real endpoint without a spend cap"},
			&cli.StringFlag{Name: "target", Usage: "OpenAI-compatible base URL for every target (default: the built-in mock)"},
			&cli.StringFlag{Name: "model", Usage: "override the model of every target"},
			&cli.StringFlag{Name: "api-key-env", Value: "SEEDBENCH_API_KEY", Usage: "environment variable holding the API key"},
			&cli.StringFlag{Name: "out", Usage: "directory of the search (default runs/<time>-capacity-<scenario>)"},
			&cli.BoolFlag{Name: "no-plots", Usage: "leave the charts out"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the search plan (targets, levels, probe lengths, budgets, objectives) and send nothing"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the summary"},
			&cli.BoolFlag{Name: "insecure", Usage: "do not verify the endpoint's TLS certificate (test gateways only)"},
			&cli.DurationFlag{Name: "max-lag", Value: runner.DefaultTrustLimit.Floor, Usage: "schedule lag p99 a probe may have before it is untrustworthy (run again, twice at most)"},
			&cli.Float64Flag{Name: "max-lag-ttft-pct", Value: 100 * runner.DefaultTrustLimit.TTFTFraction, Usage: "… or this percentage of TTFT p50, whichever is larger"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErr("capacity takes one scenario, got %d arguments", c.NArg())
			}
			return doCapacity(c)
		},
	}
}

// level parses a rate ("20/s") or a bare number.
func level(flag, s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	if r, err := scenarios.ParseRate(s); err == nil {
		return r, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f <= 0 {
		return 0, usageErr("--%s %q: not a rate (try 20/s)", flag, s)
	}
	return f, nil
}

func doCapacity(c *cli.Context) error {
	arg := c.Args().First()
	sc, err := openScenario(arg, "")
	if err != nil {
		return err
	}
	if err := sc.Apply(scenarios.Overrides{BaseURL: c.String("target"), Model: c.String("model")}); err != nil {
		return usageErr("%s: %v", arg, err)
	}
	cfg := capacity.DefaultConfig()
	switch c.String("by") {
	case "rate":
		cfg.Mode = capacity.ByRate
	case "concurrency":
		cfg.Mode = capacity.ByConcurrency
	default:
		return usageErr("--by %q: rate or concurrency", c.String("by"))
	}
	tol, err := scenarios.ParseRatio(c.String("tolerance"))
	if err != nil || tol <= 0 || tol >= 1 {
		return usageErr("--tolerance %q: a percentage between 0 and 100 (e.g. 10%%)", c.String("tolerance"))
	}
	cfg.Tolerance = tol
	if cfg.Start, err = level("start", c.String("start")); err != nil {
		return err
	}
	if cfg.MaxLevel, err = level("max-rate", c.String("max-rate")); err != nil {
		return err
	}
	cfg.MaxDuration, cfg.MinProbe, cfg.Warmup = c.Duration("max-duration"), c.Duration("min-probe"), c.Duration("warmup")
	if allBuiltinMock(sc) {
		// The built-in mock has no cache to warm and no autoscaler to wait
		// for: shorter probes measure it as well.
		if !c.IsSet("min-probe") {
			cfg.MinProbe = mockMinProbe
		}
		if !c.IsSet("warmup") {
			cfg.Warmup = mockWarmup
		}
	}
	if cfg.MinProbe <= 0 || cfg.Warmup < 0 || cfg.MaxDuration < 0 {
		return usageErr("--min-probe must be positive, --warmup and --max-duration not negative")
	}
	expected, err := level("expected-rate", c.String("expected-rate"))
	if err != nil {
		return err
	}
	if cfg.Mode == capacity.ByConcurrency {
		expected = float64(c.Int("expected-streams"))
	}
	if h := c.Float64("headroom"); h < 1 {
		return usageErr("--headroom %v: at least 1 (1.5 leaves half again as much room)", h)
	}
	prices, err := pricingIn("", c.String("currency"))
	if err != nil {
		return err
	}
	// The search caps the probes' bill, which is in --currency.
	capSpend, err := spendCapIn(c.String("max-spend"), sc, c.String("currency"))
	if err != nil {
		return err
	}
	if capSpend == 0 && !c.Bool("no-spend-cap") && needsSpendCap(sc) {
		return usageErr("%s sends to a real endpoint: give a spend cap (--max-spend 5CNY or load.max_spend), or --no-spend-cap to go without", arg)
	}
	cfg.SpendCap = capSpend
	for _, name := range c.StringSlice("targets") {
		found := false
		for _, t := range sc.Targets {
			found = found || t.Name == name
		}
		if !found {
			return usageErr("--targets: %s has no target %q", arg, name)
		}
		cfg.Targets = append(cfg.Targets, name)
	}
	probe := cfg
	if len(probe.Targets) == 0 {
		probe.Targets = []string{"any"}
	}
	if err := probe.Validate(); err != nil {
		return usageErr("%v", err)
	}
	dir := c.String("out")
	if dir == "" {
		dir = filepath.Join("runs", time.Now().Format("20060102-150405")+"-capacity-"+sc.Name)
	}
	var progress *os.File
	if !c.Bool("quiet") {
		progress = os.Stderr
	}
	o := capacity.Options{Scenario: sc, Dir: dir, Tool: "seedbench " + version, Search: cfg, Expected: expected, Headroom: c.Float64("headroom"),
		NoPlots: c.Bool("no-plots"),
		Run: run.Options{Label: arg, APIKeyEnv: c.String("api-key-env"), Tool: "seedbench " + version, Insecure: c.Bool("insecure"),
			Trust: runner.TrustLimit{Floor: c.Duration("max-lag"), TTFTFraction: c.Float64("max-lag-ttft-pct") / 100}, Report: report.Options{Pricing: prices, NoPlots: true}},
		Currency: c.String("currency"),
	}
	if c.Bool("dry-run") {
		if err := capacity.DryRun(c.App.Writer, o); err != nil {
			return usageErr("%s: %v", arg, err)
		}
		return nil
	}
	if progress != nil {
		o.Progress = c.App.ErrWriter
	}
	r, err := capacity.Measure(c.Context, o)
	if r == nil {
		return withCode(exitUntrusted, err)
	}
	if werr := capacity.WriteText(c.App.Writer, r); werr != nil {
		return withCode(exitUntrusted, werr)
	}
	fmt.Fprintf(c.App.ErrWriter, "seedbench: capacity report in %s\n", filepath.Join(dir, capacity.FileHTML))
	if err != nil {
		return withCode(exitUntrusted, err)
	}
	for _, res := range r.Results {
		if res.Stopped == capacity.StopUntrusted {
			return withCode(exitUntrusted, fmt.Errorf("%s: a probe was untrustworthy; its capacity is not known", res.Target))
		}
	}
	if r.Decision.Recommended == "" {
		return withCode(exitCheck, fmt.Errorf("no variant meets every objective at %s", capacity.LevelText(r.Mode, r.Decision.Needed)))
	}
	return nil
}

// Probe lengths on the built-in mock unless given.
const (
	mockMinProbe = 4 * time.Second
	mockWarmup   = 2 * time.Second
)
