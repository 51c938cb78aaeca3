package run

import (
	"io"
	"time"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// Options say what to run and how. The zero value of every field but
// Scenario means "the scenario's own setting" or "the default".
type Options struct {
	// Scenario is the opened, validated scenario. Execute does not modify
	// it: a capacity search may run the same scenario many times with
	// different Overrides.
	Scenario *scenarios.Scenario
	// Label is how the user named the scenario (a built-in name or a file),
	// for messages.
	Label string
	// Overrides are applied to a copy of Scenario before planning.
	Overrides scenarios.Overrides

	// APIKeyEnv names the environment variable holding the key of every
	// target that names no api_key_env of its own, unless APIKey is set.
	APIKeyEnv string
	// APIKey, when set, is the key of every target that names no
	// api_key_env of its own (read from a key file by the caller).
	APIKey string
	// Getenv reads the environment (nil: os.Getenv), so tests need not
	// change the process's environment.
	Getenv func(string) string

	// OutDir is the run directory (default DefaultDir of the scenario name).
	OutDir string
	// Tool is what the results header says wrote the file: "seedbench v1.2".
	Tool string

	// Calibrate probes the first target before the run and corrects the
	// token estimate to its usage.prompt_tokens, refreshing the cached fit.
	// Without it, a remote first target whose scenario has no tokenizer
	// block is calibrated once and the fit kept in CalibrationCache per
	// (base URL, model); NoCalibrate skips that.
	Calibrate   bool
	NoCalibrate bool
	// CalibrationCache is the cache file ("": DefaultCalibrationCache).
	CalibrationCache string
	// NoPreflight skips the one small request per target that checks the
	// URL, the key and the model before the load starts.
	NoPreflight bool
	Insecure    bool
	MaxInFlight int // 0: the scenario's max_in_flight
	Trust       runner.TrustLimit
	// Timeouts overrides the plan's timeouts field by field (zero: keep).
	Timeouts runner.Timeouts

	// Grace is how long requests in flight may finish after the results
	// file fails and issuing stops (zero: 30 s), as after a first Ctrl-C.
	Grace time.Duration

	// Shard is the part of the plan this process runs (zero: all of it).
	Shard runner.Shard
	// StartAt is the agreed start of every shard (zero: now); a start more
	// than StartTolerance after it is refused.
	StartAt        time.Time
	StartTolerance time.Duration

	// AllowInconclusive accepts a verdict with too few samples to tell
	// (otherwise CheckFailed).
	AllowInconclusive bool
	// MaxSpend caps what the run may spend (0: the scenario's
	// load.max_spend, else none), in the pricing's currency, measured live
	// from server usage: at the cap the run stops issuing, lets the
	// requests in flight finish and ends Untrusted with the reason. Needs
	// Report.Pricing.
	MaxSpend float64
	// AbortOnBurn stops issuing once an availability or error-rate
	// objective can no longer be met (burn.go): exit 1, results intact.
	AbortOnBurn bool

	// Report are the report's options (pricing, plots, step summary, SLO
	// overrides).
	Report report.Options

	// DryRun plans the run and prints the plan to Stdout; nothing is sent
	// and nothing is written.
	DryRun bool

	// Stdout receives the report's text table and the trust line; Stderr
	// the run's messages (fewer with Quiet). Nil discards.
	Quiet          bool
	Stdout, Stderr io.Writer
	// Watch, when set, is called once the results header is written and
	// before the first request, with the live figures of the run (progress
	// display, metrics endpoint). The stop function it returns is called
	// when the run ends, before the report; an error aborts the run as bad
	// input.
	Watch func(Watched) (stop func(), err error)
	// OnResult, when set, sees every finished request (after it has been
	// written), from the runner's goroutines: it must be safe for
	// concurrent use and fast.
	OnResult func(r *runner.Result)
}

// timeouts is the plan's timeouts with the options' overrides.
func (o *Options) timeouts(plan runner.Timeouts) runner.Timeouts {
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

func (o *Options) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return osGetenv(k)
}

// Watched is what a watcher of a run in progress is given.
type Watched struct {
	// Live are the figures of the run so far, safe to read at any time.
	Live *runner.Live
	// Scenario is the scenario as it runs (overrides and calibration
	// applied), Plan its plan, Header the results file's header.
	Scenario *scenarios.Scenario
	Plan     *scenarios.Plan
	Header   runner.Header
}
