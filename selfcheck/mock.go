package selfcheck

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/runner"
)

// model is the only model the selfcheck mock serves.
const model = "seedbench-selfcheck"

// spreadSlot is the spacing of the streams' phases within one ITL period
// (see Config.Lockstep).
const spreadSlot = 50 * time.Microsecond

// phases is how many distinct TTFTs the requests cycle through: one per
// spreadSlot of the ITL period, or 1 in lockstep.
func (c Config) phases() int {
	if c.Lockstep {
		return 1
	}
	return max(1, int(c.ITL/spreadSlot))
}

// prefillPerToken is the mock's prefill cost per prompt token: a request
// with a prompt of j+1 tokens has TTFT = c.TTFT + j·ITL/phases.
func (c Config) prefillPerToken() time.Duration {
	if c.Lockstep {
		return 0
	}
	return c.ITL / time.Duration(c.phases())
}

// mockConfig is the built-in mock with one model whose latency is exact
// and deterministic: a TTFT fixed by the prompt length, a fixed gap, no
// jitter, no slowdown under load, no thinking, no template tokens, no
// cache, no faults, no limits, and ground truth on.
func mockConfig(c Config, maxConcurrency int) mockserver.Config {
	cfg := mockserver.DefaultConfig()
	p := cfg.Models["doubao-seed-2.0-mini"]
	p.Description = "seedbench selfcheck: exact latency, no jitter"
	// Every prompt has at least one token; its cost is inside c.TTFT.
	p.PrefillPerToken, p.PrefillPerCachedToken = c.prefillPerToken(), 0
	p.TTFTBase = c.TTFT - p.PrefillPerToken
	p.TemplateTokensPerMessage, p.TemplateTokensPerRequest = 0, 0
	p.ITL, p.ITLSpread, p.LoadFactor = c.ITL, 0, 0
	// Never queue: a queued request's wait would be in the truth too, but
	// it would change the load the step means to apply.
	p.MaxInFlight, p.MaxQueue = 2*maxConcurrency+64, 0
	p.TokensPerEvent, p.KeepAlive = 1, 0
	p.Thinking, p.AutoThinkingRate = "disabled", 0
	p.OutputTokens = mockserver.Length{Mean: c.maxTokens(), Min: 1, Max: c.maxTokens()}
	p.DefaultMaxTokens = max(p.DefaultMaxTokens, c.maxTokens())
	p.PrefixCache = mockserver.CacheConfig{}
	p.RPM, p.TPM = 0, 0
	p.Faults = mockserver.Faults{}
	cfg.Models = map[string]mockserver.Profile{model: p}
	cfg.Truth = true
	cfg.Admin = false
	return cfg
}

// source builds request k: a prompt of j+1 tokens (each "字" is one
// token for the mock), j = k mod phases, which sets its TTFT, and exactly
// answerTokens(k) answer tokens (ignore_eos), streamed with the usage
// chunk that carries the truth. The prompts are built once; a request
// costs one small append.
type source struct {
	c       Config
	prompts [][]byte // JSON-quoted prompt of j+1 runes
}

func newSource(c Config) source {
	s := source{c: c, prompts: make([][]byte, c.phases())}
	for j := range s.prompts {
		s.prompts[j] = strconv.AppendQuote(nil, strings.Repeat("字", j+1))
	}
	return s
}

func (s source) Request(k int64) runner.Request {
	j := int(k % int64(len(s.prompts)))
	n := s.c.answerTokens(k)
	b := make([]byte, 0, len(s.prompts[j])+200)
	b = append(b, `{"model":"`+model+`","messages":[{"role":"user","content":`...)
	b = append(b, s.prompts[j]...)
	b = append(b, `}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `,"ignore_eos":true,"thinking":{"type":"disabled"}}`...)
	return runner.Request{K: k, Body: b, MaxTokens: n, EstPromptTokens: j + 1}
}

// startMock serves cfg on a loopback port of its own, its handler stamped
// by stamps, and returns its OpenAI base URL and a stop function that waits
// for every handler.
func startMock(cfg mockserver.Config, stamps *serverStamps) (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("selfcheck: listen on loopback: %w", err)
	}
	ms := mockserver.New(cfg)
	srv := &http.Server{Handler: stamps.wrap(ms), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // http.ErrServerClosed once stopped
	}()
	return "http://" + ln.Addr().String() + "/v1", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		ms.Close()
		<-done
	}, nil
}
