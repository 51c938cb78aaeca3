package run

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/seedbench/seedbench/runner"
)

// preflight sends one small request to each target before the load starts
// (max_tokens 1, a one-word prompt, not part of the results) so that a
// wrong URL, key or model stops the run at once with a hint instead of an
// hour of identical failures. Targets served by the built-in mock pass
// without a request. The outcome of each check goes into the results
// header; a check that proves the configuration wrong (the key refused,
// nothing at that URL or model, nothing listening, TLS, a redirect, not an
// event stream) is a usage error (exit 2). Other failures (429, 5xx, a
// timeout) say nothing certain about the configuration: they are warned
// about and the run goes ahead.
func preflight(ctx context.Context, targets []runner.Target, builtin []bool, keyHints []string, timeouts runner.Timeouts, insecure bool, stderr io.Writer) ([]runner.PreflightCheck, error) {
	checks := make([]runner.PreflightCheck, len(targets))
	var probes probeSource
	var which []int // probe k → target index
	for i, t := range targets {
		checks[i] = runner.PreflightCheck{Target: t.Name, Outcome: runner.PreflightOK}
		if builtin[i] {
			checks[i].Outcome = runner.PreflightBuiltinMock
			continue
		}
		body, _ := json.Marshal(map[string]any{
			"model": t.Model, "stream": true, "stream_options": map[string]bool{"include_usage": true},
			"max_tokens": 1, "messages": []map[string]string{{"role": "user", "content": "ping"}},
		})
		probes = append(probes, runner.Request{K: int64(len(probes)), Target: i, Class: "preflight", Body: body})
		which = append(which, i)
	}
	if len(probes) == 0 {
		return checks, nil
	}
	results := make([]*runner.Result, len(targets))
	_, err := runner.Run(ctx, ctx, runner.Config{
		Targets:     targets,
		Stages:      []runner.Stage{{Name: "preflight", Concurrency: len(probes), Duration: 10 * time.Minute, MaxRequests: int64(len(probes))}},
		Requests:    probes,
		MaxInFlight: len(probes),
		Timeouts:    timeouts,
		Client:      runner.NewHTTPClient(len(probes), timeouts, insecure),
		Sink: func(r *runner.Result) {
			if r.K >= 0 && int(r.K) < len(which) {
				results[which[r.K]] = r
			}
		},
	})
	if err != nil {
		return checks, untrusted(fmt.Errorf("preflight: %w", err))
	}
	var fatal []string
	for i, r := range results {
		if r == nil {
			continue
		}
		c := &checks[i]
		c.HTTPStatus, c.ErrorClass, c.Error, c.E2EUS = r.HTTPStatus, r.ErrorClass, r.Error, r.E2EUS
		if r.OK() {
			continue
		}
		if msg := preflightFatal(targets[i], r, keyHints[i]); msg != "" {
			c.Outcome = runner.PreflightFailed
			fatal = append(fatal, msg)
			continue
		}
		c.Outcome = runner.PreflightWarned
		fmt.Fprintf(stderr, "seedbench: warning: preflight: target %s: %s: %s (the run goes ahead)\n", targets[i].Name, r.ErrorClass, r.Error)
	}
	if len(fatal) > 0 {
		return checks, badInput("%s (--no-preflight skips this check)", strings.Join(fatal, "; "))
	}
	return checks, nil
}

// preflightFatal is the message for a preflight failure that proves the
// configuration wrong, or "".
func preflightFatal(t runner.Target, r *runner.Result, keyHint string) string {
	status := fmt.Sprintf("HTTP %d", r.HTTPStatus)
	if r.ErrorCode != "" {
		status += " " + r.ErrorCode
	}
	switch r.ErrorClass {
	case runner.ClassAuth:
		return fmt.Sprintf("target %s rejected the key (%s): set %s", t.Name, status, keyHint)
	case runner.ClassNotFound:
		return fmt.Sprintf("target %s answered %s at %s/chat/completions: the base URL usually ends in /v1 or /api/v3; is the model id %q right for this gateway?",
			t.Name, status, strings.TrimRight(t.BaseURL, "/"), t.Model)
	case runner.ClassConnect:
		return fmt.Sprintf("target %s: nothing answered at %s (%s)", t.Name, hostOf(t.BaseURL), r.Error)
	case runner.ClassTLS, runner.ClassHTTP3xx, runner.ClassBadContentType, runner.ClassBadRequest:
		return fmt.Sprintf("target %s: %s: %s", t.Name, r.ErrorClass, r.Error)
	}
	return ""
}

// hostOf is the host:port of a base URL, for messages.
func hostOf(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return base
	}
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		return u.Host + ":" + port
	}
	return u.Host
}
