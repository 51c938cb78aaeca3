package scenarios_test

import (
	"crypto/sha256"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// planned is one request as a shard would plan it.
type planned struct {
	k        int64
	intended time.Duration
	target   int
	body     [32]byte // the prompt and every other body field
}

// shardPlan builds the plan afresh, as a separate worker process would, and
// lists the requests shard sh owns over every open-loop stage.
func shardPlan(t *testing.T, name string, seed int64, sh runner.Shard) []planned {
	t.Helper()
	sc, err := scenarios.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Apply(scenarios.Overrides{Duration: "3s"}); err != nil {
		t.Fatal(err)
	}
	p, err := scenarios.NewPlan(sc, seed)
	if err != nil {
		t.Fatal(err)
	}
	var out []planned
	var k int64
	var offset time.Duration
	for _, st := range p.Stages {
		if !st.Open() {
			continue
		}
		runner.Intended(st, func(_ uint64, at time.Duration) bool {
			if sh.Owns(k) && p.Sessions != nil {
				// Session k: the shard that owns it plans every one of its
				// turns, so a session never straddles shards.
				for turn := range p.Sessions.Turns(k) {
					tp := p.Sessions.Turn(k, turn)
					h := sha256.New()
					h.Write(tp.Body)
					h.Write(tp.Messages)
					h.Write(tp.Tail)
					pl := planned{k: tp.K, intended: -1, target: tp.Target}
					if turn == 0 {
						pl.intended = offset + at
					}
					copy(pl.body[:], h.Sum(nil))
					out = append(out, pl)
				}
			} else if sh.Owns(k) {
				req := p.Source.Request(k)
				out = append(out, planned{k: k, intended: offset + at, target: req.Target, body: sha256.Sum256(req.Body)})
			}
			k++
			return true
		})
		offset += st.Duration
	}
	return out
}

// TestShardsUnionIsThePlan: for random seeds and N in 1..8, the shards'
// planned requests together are exactly the single-process plan — same k,
// same intended times, same targets, same bodies — each request once; for
// sessions, every turn of a session with the shard that owns the session.
func TestShardsUnionIsThePlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"quickstart", "tier-mix", "cache-heavy", "trace-replay", "chat-dataset", "chat-sessions"} {
		for range 3 {
			seed := rng.Int64N(1 << 40)
			whole := shardPlan(t, name, seed, runner.Shard{Index: 0, Count: 1})
			if len(whole) == 0 {
				t.Fatalf("%s seed %d: empty plan", name, seed)
			}
			n := 1 + rng.IntN(8)
			var union []planned
			for i := range n {
				union = append(union, shardPlan(t, name, seed, runner.Shard{Index: i, Count: n})...)
			}
			sort.Slice(union, func(a, b int) bool { return union[a].k < union[b].k })
			if len(union) != len(whole) {
				t.Fatalf("%s seed %d N %d: shards plan %d requests, the whole plan %d", name, seed, n, len(union), len(whole))
			}
			for i := range whole {
				if union[i] != whole[i] {
					t.Fatalf("%s seed %d N %d: request %d differs: shard %+v, whole %+v", name, seed, n, i, union[i], whole[i])
				}
			}
		}
	}
}
