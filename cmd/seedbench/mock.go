package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/urfave/cli/v2"
)

func mockCommand() *cli.Command {
	return &cli.Command{
		Name:  "mock",
		Usage: "serve a mock Seed 2.0 endpoint (OpenAI-compatible, illustrative latencies) until Ctrl-C",
		UsageText: `seedbench mock [flags]

Serves POST /v1/chat/completions, GET /v1/models, GET /healthz, GET /metrics
and (to loopback clients) GET|PUT|DELETE /admin/faults. With --flavor ark the
API is under /api/v3 as on Volcengine Ark.

Examples:
   seedbench mock                                        # 127.0.0.1:8080, real-time profiles
   seedbench mock --time-scale 0.1 --truth               # 10x faster, ground truth in usage chunks
   seedbench mock --flavor ark                           # Volcengine Ark's paths, errors and model ids
   seedbench mock --print-config > mock.yaml             # the built-in profiles, to edit
   seedbench mock --config mock.yaml --api-key-env MOCK_KEY`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "address to listen on (loopback by default)"},
			&cli.StringFlag{Name: "config", Usage: "YAML config: profiles, faults, seed (see mockserver/README.md)"},
			&cli.Uint64Flag{Name: "seed", Usage: "seed of every random choice (lengths, jitter, text, faults)",
				DefaultText: fmt.Sprintf("the config's, else %d", mockserver.DefaultConfig().Seed)},
			&cli.Float64Flag{Name: "time-scale", Usage: "multiply every latency (1 real time, 0.01 a hundred times faster, 0 no waiting)",
				DefaultText: fmt.Sprintf("the config's, else %g", mockserver.DefaultConfig().TimeScale)},
			&cli.StringFlag{Name: "api-key-env", Usage: "require 'Authorization: Bearer KEY' with KEY from this environment variable"},
			&cli.StringFlag{Name: "api-key-file", Usage: "… or with KEY read from this file (a key is never a flag value: flags show in ps)"},
			&cli.StringFlag{Name: "flavor", Usage: "the gateway to play: openai (/v1, OpenAI errors; EvoLink) or ark (Volcengine Ark: /api/v3, Ark error codes, versioned model ids)"},
			&cli.BoolFlag{Name: "truth", Usage: "add server-side ground truth (seedbench_truth) to usage chunks"},
			&cli.BoolFlag{Name: "no-admin", Usage: "do not serve /admin/faults"},
			&cli.Int64Flag{Name: "max-body-bytes", Usage: "request body limit",
				DefaultText: fmt.Sprintf("the config's, else %d MiB", mockserver.DefaultMaxBodyBytes>>20)},
			&cli.BoolFlag{Name: "print-config", Usage: "print the effective config as YAML and exit"},
			&cli.DurationFlag{Name: "read-header-timeout", Value: mockserver.ReadHeaderTimeout, Usage: "close a connection whose request headers take longer (idle and slowloris clients)"},
			&cli.DurationFlag{Name: "read-timeout", Value: mockserver.ReadTimeout, Usage: "answer 408 when a request body takes longer (lifted once the body is in: streams are not cut)"},
			&cli.DurationFlag{Name: "idle-timeout", Value: mockserver.IdleTimeout, Usage: "close a kept-alive connection idle this long"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErr("mock takes no arguments, got %q", c.Args().First())
			}
			cfg, err := mockConfig(c)
			if err != nil {
				return err
			}
			if c.Bool("print-config") {
				b, err := mockserver.MarshalConfig(cfg)
				if err != nil {
					return err
				}
				_, err = c.App.Writer.Write(b)
				return err
			}
			return serveMock(c.Context, c, cfg)
		},
	}
}

// mockConfig builds the config from the file and the flags; every problem
// is a usage error (exit 2).
func mockConfig(c *cli.Context) (mockserver.Config, error) {
	cfg := mockserver.DefaultConfig()
	if path := c.String("config"); path != "" {
		var err error
		if cfg, err = mockserver.LoadConfigFile(path); err != nil {
			return cfg, usageErr("%v", err)
		}
	}
	if c.IsSet("seed") {
		cfg.Seed = c.Uint64("seed")
	}
	if c.IsSet("flavor") {
		cfg.Flavor = c.String("flavor")
	}
	if c.IsSet("time-scale") {
		cfg.TimeScale = c.Float64("time-scale")
	}
	if c.IsSet("max-body-bytes") {
		cfg.MaxBodyBytes = c.Int64("max-body-bytes")
	}
	if c.Bool("truth") {
		cfg.Truth = true
	}
	if c.Bool("no-admin") {
		cfg.Admin = false
	}
	switch {
	case c.IsSet("api-key-file") && c.IsSet("api-key-env"):
		return cfg, usageErr("--api-key-file and --api-key-env: give one of them")
	case c.IsSet("api-key-file"):
		key, err := readKeyFile(c.String("api-key-file"), c.App.ErrWriter)
		if err != nil {
			return cfg, usageErr("--api-key-file: %v", err)
		}
		cfg.APIKey = key
	case c.IsSet("api-key-env"):
		name := c.String("api-key-env")
		if cfg.APIKey = os.Getenv(name); cfg.APIKey == "" {
			return cfg, usageErr("--api-key-env: environment variable %s is empty or unset", name)
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageErr("mock config: %v", err)
	}
	return cfg, nil
}

// serveMock listens, prints the base URL, and serves until the context is
// cancelled or SIGINT/SIGTERM arrives; then it cancels the open streams
// (mockserver.Close) before shutting the listener down, so it stops at once.
func serveMock(ctx context.Context, c *cli.Context, cfg mockserver.Config) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var timeouts [3]time.Duration
	for i, name := range [...]string{"read-header-timeout", "read-timeout", "idle-timeout"} {
		if timeouts[i] = c.Duration(name); timeouts[i] <= 0 {
			return usageErr("--%s %s: must be positive", name, timeouts[i])
		}
	}
	addr := c.String("listen")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageErr("--listen %s: %v", addr, err)
	}
	ms := mockserver.New(cfg)
	srv := mockserver.NewHTTPServer(ms)
	srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout = timeouts[0], timeouts[1], timeouts[2]
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	host := ln.Addr().(*net.TCPAddr)
	if !host.IP.IsLoopback() {
		fmt.Fprintf(c.App.ErrWriter, "seedbench mock: warning: listening on %s, not loopback: anyone who can reach it can use it\n", host)
	}
	auth := "no auth"
	if cfg.APIKey != "" {
		auth = "bearer key required"
	}
	root, flavor := "/v1", "openai"
	if cfg.Flavor == mockserver.FlavorArk {
		root, flavor = "/api/v3", "ark"
	}
	fmt.Fprintf(c.App.Writer, "seedbench mock: serving %d illustrative Seed 2.0 profiles at http://%s%s (%s flavour, seed %d, time scale %g, %s)\n",
		len(cfg.Models), ln.Addr(), root, flavor, cfg.Seed, cfg.TimeScale, auth)

	select {
	case <-ctx.Done():
	case err := <-served:
		ms.Close()
		return withCode(exitUntrusted, fmt.Errorf("mock server stopped: %w", err))
	}
	ms.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return withCode(exitUntrusted, fmt.Errorf("mock server shutdown: %w", err))
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return withCode(exitUntrusted, err)
	}
	return nil
}
