package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

var osGetenv = os.Getenv

// Execute runs one benchmark. Ending issue stops issuing new requests and
// lets the ones in flight finish; ending ctx cancels those too (they are
// recorded as canceled). Either way the results file is closed with its
// footer and the report is written. The error is for what kept the run
// from running or from being written (its Class says which exit code it
// means); how the run itself went is the Outcome's Class.
func Execute(ctx, issue context.Context, o Options) (Outcome, error) {
	stdout, stderr := o.Stdout, o.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	if o.Scenario == nil {
		return Outcome{}, badInput("no scenario")
	}
	label := o.Label
	if label == "" {
		label = o.Scenario.Name
	}
	// A shallow copy: Apply replaces what it changes with a deep copy, so
	// the caller's scenario stays as it was.
	scCopy := *o.Scenario
	sc := &scCopy
	if err := sc.Apply(o.Overrides); err != nil {
		return Outcome{}, badInput("%s: %v", label, err)
	}
	seed := sc.Load.Seed
	// Calibration by default on the built-in mock: its tokenizer is known.
	if sc.UseBuiltinMockTokenizer() && !o.Quiet {
		fmt.Fprintf(stderr, "seedbench: token estimate: the built-in mock's tokenizer (ratio %.4f, overhead %.0f)\n", sc.Tokenizer.Ratio, sc.Tokenizer.Overhead)
	}
	plan, err := scenarios.NewPlan(sc, seed)
	if err != nil {
		return Outcome{}, badInput("%s: %v", label, err)
	}
	// Problems that do not stop the run: a model the catalog does not know,
	// a model id in the wrong form for its gateway, a plan above a quota.
	for _, w := range sc.Warnings {
		fmt.Fprintf(stderr, "seedbench: warning: %s\n", w)
	}
	dir := o.OutDir
	if dir == "" {
		dir = DefaultDir(sc.Name)
	}
	out := Outcome{Dir: dir, ResultsPath: filepath.Join(dir, "results.jsonl"), Plan: plan, Seed: seed}
	if o.DryRun {
		return out, dryRun(stdout, sc, plan, &o, dir)
	}

	targets, infos := o.targets(sc)
	builtin := make([]bool, len(targets))
	for i := range targets {
		builtin[i] = targets[i].BaseURL == ""
	}
	if needsMock(targets) {
		url, stop, err := startBuiltinMock(mockserver.DefaultConfig())
		if err != nil {
			return out, untrusted(fmt.Errorf("starting the built-in mock: %w", err))
		}
		defer stop()
		for i := range targets {
			if targets[i].BaseURL == "" {
				targets[i].BaseURL = url
			}
		}
	}

	var checks []runner.PreflightCheck
	if o.NoPreflight {
		for _, t := range targets {
			checks = append(checks, runner.PreflightCheck{Target: t.Name, Outcome: runner.PreflightSkipped})
		}
	} else {
		if checks, err = preflight(ctx, targets, builtin, o.keyHints(sc), o.timeouts(plan.Timeouts()), o.Insecure, stderr); err != nil {
			return out, err
		}
	}

	// Calibration: on demand (--calibrate), or by default for a remote
	// first target without a tokenizer block, from the cache when it has
	// this (base URL, model). A loopback endpoint (a local server or mock,
	// whose request counts tests and users check) is calibrated only on
	// demand. Shards never calibrate by themselves: every shard must build
	// the same prompts.
	byDefault := !o.Calibrate && !o.NoCalibrate && sc.Tokenizer.IsZero() && o.Shard.Count <= 1 &&
		len(sc.Targets) > 0 && remote(sc.Targets[0].BaseURL)
	if o.Calibrate || byDefault {
		cachePath := o.CalibrationCache
		if cachePath == "" {
			cachePath = DefaultCalibrationCache()
		}
		cache := loadCalCache(cachePath)
		base, model := targets[0].BaseURL, targets[0].Model
		if e, ok := cache.get(base, model); ok && byDefault {
			sc.Tokenizer = e.Calibration
			if !o.Quiet {
				fmt.Fprintf(stderr, "seedbench: token estimate: calibrated against %s %s on %s: tokenizer: {ratio: %.4f, overhead: %.1f} (cached; --calibrate refreshes it, --no-calibrate skips it)\n",
					base, model, e.Measured.Format("2006-01-02"), e.Calibration.Ratio, e.Calibration.Overhead)
			}
		} else {
			cal, err := calibrate(ctx, sc, plan, targets, o.timeouts(plan.Timeouts()), o.Insecure, stderr)
			if err != nil {
				return out, untrusted(err)
			}
			sc.Tokenizer = cal
			if err := cache.put(base, model, cal, time.Now()); err != nil && !o.Quiet {
				fmt.Fprintf(stderr, "seedbench: warning: calibration not cached: %v\n", err)
			}
		}
		if plan, err = scenarios.NewPlan(sc, seed); err != nil {
			return out, badInput("%s: after calibration: %v", label, err)
		}
		out.Plan = plan
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return out, badInput("creating run directory: %v", err)
	}
	keys := make([]string, len(targets))
	for i := range targets {
		keys[i] = targets[i].APIKey
	}
	resolved, err := resolvedScenario(sc, keys)
	if err != nil {
		return out, untrusted(err)
	}
	start := time.Now()
	if !o.StartAt.IsZero() {
		// A shard that starts late would run its part of the plan shifted
		// against the others: refuse instead.
		if err := checkStart(o.StartAt, start, o.StartTolerance); err != nil {
			return out, untrusted(fmt.Errorf("shard %d/%d: %w", o.Shard.Index, o.Shard.Count, err))
		}
		start = o.StartAt
	}
	if !allMock(infos) {
		// A real server's prefix cache outlives a run: a run-specific nonce
		// in every salt keeps this run's prompts from hitting the cache of
		// the last one. Shards share the start instant, so they agree.
		plan.Source.SetNonce(uint64(start.UnixNano()))
	}
	contexts, err := createContexts(ctx, plan, targets, o.timeouts(plan.Timeouts()), o.Insecure)
	if err != nil {
		return out, err
	}
	if len(contexts) > 0 && !o.Quiet {
		fmt.Fprintf(stderr, "seedbench: created %d prefix contexts through the Context API (left to expire, TTL after their last use)\n", len(contexts))
	}
	shard := o.Shard
	if shard.Count == 0 {
		shard = runner.Shard{Index: 0, Count: 1}
	}
	hdr := runner.Header{Tool: o.Tool, Scenario: sc.Name, PlanHash: plan.Hash(), Seed: seed,
		Start: start, ShardIndex: shard.Index, ShardCount: shard.Count, Targets: infos, Resolved: resolved,
		Planned: plannedOpenLoop(plan.Stages), TargetRate: plan.MeanRate(), PlannedSecs: plan.Duration().Seconds(),
		Stages: stageInfos(plan), Preflight: checks, Contexts: contexts}
	if plan.Sessions != nil {
		// A session's turns are not numbered 0…planned−1, and a failed turn
		// ends its session: merge cannot list missing requests by number.
		hdr.Planned = 0
	}
	out.Header = hdr
	w, err := createResults(out.ResultsPath, hdr)
	if err != nil {
		return out, badInput("creating results file: %v", err)
	}
	fmt.Fprintf(stderr, "seedbench: running %s (seed %d, %s, %s), results in %s\n", sc.Name, seed, plan.Span(), PlannedText(plan), dir)

	// Stopping issue must also follow ctx: canceling everything stops
	// issuing too.
	issue, stopIssuing := context.WithCancel(issue)
	defer stopIssuing()
	defer context.AfterFunc(ctx, stopIssuing)()
	// The first failure to write the results file stops issuing at once:
	// nothing more can be recorded, so nothing more is sent (on a paid
	// gateway, a full disk must not keep spending). In-flight requests get
	// the grace period, as after a first Ctrl-C.
	drain, stopDrain := context.WithCancel(ctx)
	defer stopDrain()
	go func() {
		select {
		case <-w.Failed():
		case <-drain.Done():
			return
		}
		grace := o.Grace
		if grace <= 0 {
			grace = 30 * time.Second
		}
		fmt.Fprintf(stderr, "\nseedbench: writing %s failed (%v); stopping so that nothing is sent that cannot be recorded; in-flight requests have %s to finish\n", out.ResultsPath, w.Err(), grace)
		stopIssuing()
		select {
		case <-time.After(grace):
			stopDrain()
		case <-drain.Done():
		}
	}()

	maxInFlight := sc.Load.MaxInFlight
	if o.MaxInFlight > 0 {
		maxInFlight = o.MaxInFlight
	}
	live := runner.NewLive(plan.Stages)
	stopWatch := func() {}
	if o.Watch != nil {
		stop, err := o.Watch(Watched{Live: live, Scenario: sc, Plan: plan, Header: hdr})
		if err != nil {
			_ = w.Close(runner.Footer{End: time.Now(), Interrupted: true})
			return out, &Error{Class: BadInput, Err: err}
		}
		if stop != nil {
			// Stopped before the report is printed, so a progress display
			// leaves the terminal clean for the table; and on every return.
			stopWatch = sync.OnceFunc(stop)
			defer stopWatch()
		}
	}

	capSpend := o.MaxSpend
	if capSpend == 0 && sc.Load.MaxSpend != "" {
		if capSpend, err = sc.Catalog().ParseMoney(sc.Load.MaxSpend); err != nil {
			_ = w.Close(runner.Footer{End: time.Now(), Interrupted: true})
			return out, badInput("%s: load.max_spend: %v", label, err)
		}
	}
	if capSpend > 0 && o.Report.Pricing == nil {
		_ = w.Close(runner.Footer{End: time.Now(), Interrupted: true})
		return out, badInput("a spend cap needs prices (no catalog given)")
	}
	guard := newSpendGuard(capSpend, o.Report.Pricing, hdr, plan, live, stopIssuing)
	if guard != nil {
		guard.check() // a cap below the first request's expected cost sends nothing
		watchCtx, stopGuard := context.WithCancel(ctx)
		defer stopGuard()
		go guard.watch(watchCtx)
	}

	var burn *burnGuard
	if o.AbortOnBurn {
		burn = newBurnGuard(sc, o.Report.SLO, plan, shard.Count, stopIssuing)
	}

	var firstErr atomic.Value
	stats, err := runner.Run(issue, drain, runner.Config{
		Targets:     targets,
		Stages:      plan.Stages,
		Requests:    plan.Source,
		Sessions:    plan.SessionSource(),
		MaxInFlight: maxInFlight,
		Timeouts:    o.timeouts(plan.Timeouts()),
		Start:       start,
		Shard:       shard,
		Insecure:    o.Insecure,
		Live:        live,
		TrustLimit:  o.Trust,
		Sink: func(r *runner.Result) {
			if r.Status == runner.StatusError && firstErr.Load() == nil {
				firstErr.CompareAndSwap(nil, r.ErrorClass+": "+r.Error)
			}
			w.Write(r)
			if guard != nil {
				guard.add(r)
			}
			if burn != nil {
				burn.add(r)
			}
			if o.OnResult != nil {
				o.OnResult(r)
			}
		},
	})
	spendStopped := guard != nil && guard.reached.Load()
	burnStopped := burn != nil && burn.reached.Load()
	out.Interrupted = issue.Err() != nil && !spendStopped && !burnStopped
	out.Stats = stats
	stopWatch()
	if err != nil && !errors.Is(err, context.Canceled) {
		_ = w.Close(runner.Footer{End: time.Now(), Interrupted: true})
		return out, untrusted(err)
	}
	footer := runner.Footer{End: time.Now(), Issued: stats.Issued, Dropped: stats.Dropped,
		Interrupted: out.Interrupted, Trust: stats.Trust}
	if spendStopped {
		footer.Stopped = guard.reason()
		out.SpendCapped = footer.Stopped
	}
	if burnStopped {
		footer.Stopped = burn.reason()
	}
	if err := w.Close(footer); err != nil {
		return out, untrusted(fmt.Errorf("writing %s: %w (%d of %d sent requests and %d dropped are in the file; the run stopped issuing at the failure; no report)",
			out.ResultsPath, err, w.Written(), stats.Issued, stats.Dropped))
	}

	sum, err := report.WriteAll(dir, []string{out.ResultsPath}, o.Report)
	if err != nil {
		return out, untrusted(err)
	}
	out.Summary = sum
	if err := report.WriteText(stdout, sum); err != nil {
		return out, untrusted(err)
	}
	writeTrust(stdout, stats.Trust, o.Trust)
	fmt.Fprintf(stderr, "seedbench: results in %s, report in %s\n", out.ResultsPath, filepath.Join(dir, report.FileHTML))

	if guard != nil {
		out.Spent, _ = guard.meter.Spent()
	}
	switch {
	case spendStopped:
		out.Class, out.Reason = Untrusted, footer.Stopped
	case burnStopped:
		// the objective is lost: the SLO failed, the run itself is sound
		out.Class, out.Reason = CheckFailed, footer.Stopped
	case out.Interrupted:
		out.Class, out.Reason = Untrusted, "run interrupted; the results file holds every request that finished"
	case stats.Issued > 0 && sum.Overall.OK == 0:
		msg, _ := firstErr.Load().(string)
		out.Class, out.Reason = Untrusted, fmt.Sprintf("no request succeeded (%s)", msg)
	case stats.Trust.Untrustworthy:
		out.Class, out.Reason = Untrusted, "results not trustworthy: "+stats.Trust.Reason
	default:
		out.Class, out.Reason = Judge(sum, o.AllowInconclusive)
	}
	return out, nil
}

// Judge turns a report's judgement into a Class: a failed check is
// CheckFailed, an untrustworthy run Untrusted, and an inconclusive verdict
// (too few samples) CheckFailed unless allowInconclusive — a gate that
// could not tell must not pass silently.
func Judge(sum *report.Summary, allowInconclusive bool) (Class, string) {
	switch j, why := sum.Judge(); j {
	case report.Untrusted:
		return Untrusted, why
	case report.Failed:
		return CheckFailed, why
	case report.Inconclusive:
		if allowInconclusive {
			return OK, ""
		}
		return CheckFailed, why + " (--allow-inconclusive accepts it)"
	}
	return OK, ""
}

// targets resolves the scenario's targets and their keys. A target with no
// base URL is served by the built-in mock (its info says so).
func (o *Options) targets(sc *scenarios.Scenario) ([]runner.Target, []runner.TargetInfo) {
	targets := make([]runner.Target, len(sc.Targets))
	infos := make([]runner.TargetInfo, len(sc.Targets))
	for i, t := range sc.Targets {
		rt := runner.Target{Name: t.Name, Model: t.Model, BaseURL: t.BaseURL, Headers: t.Headers}
		switch {
		case t.APIKeyEnv != "":
			rt.APIKey = o.getenv(t.APIKeyEnv)
		case o.APIKey != "":
			rt.APIKey = o.APIKey
		case o.APIKeyEnv != "":
			rt.APIKey = o.getenv(o.APIKeyEnv)
		}
		infos[i] = rt.Info()
		if rt.BaseURL == "" {
			infos[i].BaseURL = builtinMockURL
		}
		targets[i] = rt
	}
	return targets, infos
}

// keyHints say, per target, where its key comes from, for the preflight's
// message when the key is refused.
func (o *Options) keyHints(sc *scenarios.Scenario) []string {
	hints := make([]string, len(sc.Targets))
	for i, t := range sc.Targets {
		switch {
		case t.APIKeyEnv != "":
			hints[i] = t.APIKeyEnv + " (the target's api_key_env)"
		case o.APIKeyEnv != "":
			hints[i] = o.APIKeyEnv + " or --api-key-file"
		default:
			hints[i] = "SEEDBENCH_API_KEY or --api-key-file"
		}
	}
	return hints
}

func needsMock(targets []runner.Target) bool {
	for _, t := range targets {
		if t.BaseURL == "" {
			return true
		}
	}
	return false
}

// dryRun prints the plan, the objectives it is too small to judge, and
// where its results would go.
func dryRun(w io.Writer, sc *scenarios.Scenario, plan *scenarios.Plan, o *Options, dir string) error {
	if err := plan.WriteSummary(w); err != nil {
		return err
	}
	if len(o.Report.SLO) > 0 {
		texts := make([]string, len(o.Report.SLO))
		for i, obj := range o.Report.SLO {
			texts[i] = obj.String()
		}
		fmt.Fprintf(w, "  --slo (replaces the objectives of the same name): %s\n", strings.Join(texts, " · "))
	}
	for _, n := range tooSmall(sc, plan, o.Report.SLO) {
		fmt.Fprintf(w, "  warning: %s\n", n)
	}
	shard := ""
	if o.Shard.Count > 1 {
		shard = fmt.Sprintf(" (shard %d/%d: requests with k mod %d == %d)", o.Shard.Index, o.Shard.Count, o.Shard.Count, o.Shard.Index)
	}
	_, err := fmt.Fprintf(w, "\ndry run%s: nothing sent; a run would write %s\n", shard, filepath.Join(dir, "results.jsonl"))
	return err
}

// writeTrust prints the trust verdict under the report (which already
// shows the lag and wake-up figures):
//
//	trust: schedule lag p99 410µs within the limit 5ms · dropped 0 · generator CPU 1.2s (3% of 2 cores)
//
// A closed-loop run shows its users' send delay (answer to next send)
// instead of, or beside, the schedule lag.
func writeTrust(w io.Writer, t runner.Trust, lim runner.TrustLimit) {
	d := func(v int64) string { return runner.ShortDuration(time.Duration(v) * time.Microsecond) }
	verdict := "within"
	if t.Untrustworthy {
		verdict = "OVER"
	}
	lag := "schedule lag p99 " + d(t.LagP99US)
	switch {
	case t.UserDelaySamples > 0 && t.LagSamples == 0: // closed loop only
		lag = "per-user send delay p99 " + d(t.UserDelayP99US)
	case t.UserDelaySamples > 0:
		lag += ", per-user send delay p99 " + d(t.UserDelayP99US)
	}
	fmt.Fprintf(w, "trust: %s %s the limit %s · dropped %d · generator CPU %.1fs (%.0f%% of %d cores)\n",
		lag, verdict, d(t.LagLimitUS), t.Dropped, t.CPUSeconds, 100*t.CPUShare, runtime.GOMAXPROCS(0))
	if t.Untrustworthy {
		fmt.Fprintf(w, "UNTRUSTWORTHY: %s (--max-lag %s, --max-lag-ttft-pct %g)\n", t.Reason, lim.Floor, 100*lim.TTFTFraction)
	}
}

// createResults opens the results file; tests swap it for a file that fails.
var createResults = runner.CreateResults

// stageInfos is the plan's load per stage for the results header.
func stageInfos(plan *scenarios.Plan) []runner.StageInfo {
	out := make([]runner.StageInfo, len(plan.Stages))
	var at time.Duration
	for i, st := range plan.Stages {
		n, _ := plan.Planned(i)
		si := runner.StageInfo{Name: st.Name, Warmup: st.Warmup, StartS: at.Seconds(), Seconds: st.Duration.Seconds(),
			Planned: n, Users: st.Concurrency}
		if st.Open() && st.Duration > 0 && n >= 0 {
			si.Rate = float64(n) / st.Duration.Seconds()
		}
		out[i] = si
		at += st.Duration
	}
	return out
}
