package run

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver/mocktest"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// TestBuiltinMockTokenizer holds scenarios.BuiltinMockTokenizer to the
// mock: with it, the plans of the built-in tier scenarios land every
// prompt in its planned tier on the built-in mock, none over the context
// window, and the estimate is within 0.5% of the mock's count.
func TestBuiltinMockTokenizer(t *testing.T) {
	url := mocktest.ServeScaled(t, 0)
	for _, name := range []string{"long-context-256k", "tier-mix"} {
		sc, err := scenarios.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		if !sc.UseBuiltinMockTokenizer() {
			t.Fatalf("%s: the built-in mock's tokenizer was not applied", name)
		}
		plan, err := scenarios.NewPlan(sc, sc.Load.Seed)
		if err != nil {
			t.Fatal(err)
		}
		const n = 24
		reqs := make(probeSource, n)
		for k := range reqs {
			reqs[k] = plan.Source.Request(int64(k))
			reqs[k].K = int64(k)
			reqs[k].Target = 0
		}
		targets := []runner.Target{{Name: "t", Model: sc.Targets[0].Model, BaseURL: url}}
		// The sink is called from every worker at once.
		var mu sync.Mutex
		var est, srv float64
		var got int
		_, err = runner.Run(context.Background(), context.Background(), runner.Config{
			Targets:     targets,
			Stages:      []runner.Stage{{Name: "check", Concurrency: 4, Duration: time.Minute, MaxRequests: n}},
			Requests:    reqs,
			MaxInFlight: 4,
			Client:      runner.NewHTTPClient(4, runner.Timeouts{}, false),
			Sink: func(r *runner.Result) {
				mu.Lock()
				defer mu.Unlock()
				if !r.OK() || r.Usage == nil {
					t.Errorf("%s k %d: %s %s", name, r.K, r.ErrorClass, r.Error)
					return
				}
				got++
				m, _ := sc.Catalog().Lookup(r.Model)
				if billed := m.TierFor(r.Usage.PromptTokens).Name; billed != r.Tier {
					t.Errorf("%s k %d: planned tier %s, billed %s (%d tokens, estimated %d)", name, r.K, r.Tier, billed, r.Usage.PromptTokens, r.EstPromptTokens)
				}
				est += float64(r.EstPromptTokens)
				srv += float64(r.Usage.PromptTokens)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got == 0 {
			continue
		}
		if d := est/srv - 1; d < -0.005 || d > 0.005 {
			t.Errorf("%s: estimate off the mock's count by %+.2f%%", name, 100*d)
		}
	}
}
