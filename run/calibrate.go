package run

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// probeSource hands the runner a fixed list of probe requests, k = 0, 1, …
type probeSource []runner.Request

func (p probeSource) Request(k int64) runner.Request { return p[k] }

// calibrate sends the plan's probe requests (a few prompts of known estimated
// length, one output token each) to the first target, whose tiers the mix is
// sampled against, and fits the token estimate to the server's own
// usage.prompt_tokens: the server's tokenizer is not ours, and a tier-pinned
// class is only right if its lengths are counted the server's way.
func calibrate(ctx context.Context, sc *scenarios.Scenario, plan *scenarios.Plan, targets []runner.Target, timeouts runner.Timeouts, insecure bool, stderr io.Writer) (scenarios.Calibration, error) {
	probes := probeSource(plan.Source.ProbeRequests(0))
	for i := range probes {
		probes[i].K = int64(i) // the runner numbers closed-loop requests from 0
	}
	var samples []scenarios.CalibrationSample
	var failures []string
	_, err := runner.Run(ctx, ctx, runner.Config{
		Targets:     targets,
		Stages:      []runner.Stage{{Name: "calibrate", Concurrency: 1, Duration: 10 * time.Minute, MaxRequests: int64(len(probes))}},
		Requests:    probes,
		MaxInFlight: 1,
		Timeouts:    timeouts,
		Client:      runner.NewHTTPClient(1, timeouts, insecure),
		Sink: func(r *runner.Result) {
			switch {
			case !r.OK():
				failures = append(failures, r.ErrorClass+": "+r.Error)
			case r.Usage == nil:
				failures = append(failures, "no usage in the response (does the endpoint honour stream_options.include_usage?)")
			default:
				samples = append(samples, scenarios.CalibrationSample{Estimate: r.EstPromptTokens, Server: r.Usage.PromptTokens})
			}
		},
	})
	if err != nil {
		return sc.Tokenizer, err
	}
	if len(samples) == 0 {
		return sc.Tokenizer, fmt.Errorf("calibration against %s: no probe came back with usage (%v)", targets[0].Name, failures)
	}
	cal, err := scenarios.Recalibrate(sc.Tokenizer, samples)
	if err != nil {
		return sc.Tokenizer, fmt.Errorf("calibration against %s: %w", targets[0].Name, err)
	}
	for _, s := range samples {
		fmt.Fprintf(stderr, "seedbench: calibration probe: estimated %d tokens, %s counted %d\n", s.Estimate, targets[0].Name, s.Server)
	}
	fmt.Fprintf(stderr, "seedbench: calibrated token estimate: tokenizer: {ratio: %.4f, overhead: %.1f} (put this in the scenario to reuse it, and for sharded runs)\n", cal.Ratio, cal.Overhead)
	return cal, nil
}
