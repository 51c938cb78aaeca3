package run

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/seedbench/seedbench/mockserver/mocktest"
	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// TestChatSessionsRun: the built-in chat-sessions against the mock (its
// timing scaled down): every turn sends the conversation so far, so the
// prompt grows turn by turn, the cached share rises after the first turn,
// conversations cross out of the 32K tier and end billed in the 128K tier on
// Mini and Pro, and every report format shows the per-turn view.
func TestChatSessionsRun(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.2)
	sc, err := scenarios.Builtin("chat-sessions")
	if err != nil {
		t.Fatal(err)
	}
	o := options(t, sc, url)
	o.Report.Pricing = report.CatalogPricing(sc.Catalog())
	out, err := Execute(context.Background(), context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Class == Untrusted && strings.Contains(out.Reason, "untrustworthy") {
		t.Skipf("the run was honestly marked untrustworthy on this machine: %s", out.Reason)
	}
	if out.Interrupted || out.Summary == nil || out.Summary.Sessions == nil {
		t.Fatalf("class %v (%s), interrupted %v, no sessions view", out.Class, out.Reason, out.Interrupted)
	}
	if out.Header.Planned != 0 {
		t.Errorf("header planned %d: a sessions run has no numbered plan for merge to check", out.Header.Planned)
	}
	for _, st := range out.Summary.Sessions.Targets {
		if len(st.Turns) < 4 {
			t.Fatalf("%s: %d turn rows, want at least 4", st.Target, len(st.Turns))
		}
		first, second, last := st.Turns[0], st.Turns[1], st.Turns[len(st.Turns)-1]
		if first.OK == 0 || first.TTFTP50MS == nil {
			t.Fatalf("%s: turn 1 has no successful request", st.Target)
		}
		if !(second.PromptMean > first.PromptMean && last.PromptMean > second.PromptMean) {
			t.Errorf("%s: prompt does not grow by turn: %v, %v, … %v", st.Target, first.PromptMean, second.PromptMean, last.PromptMean)
		}
		if !(second.CachedShare > first.CachedShare+0.3 && last.CachedShare > first.CachedShare+0.3) {
			t.Errorf("%s: cached share does not rise after turn 1: %v, %v, … %v", st.Target, first.CachedShare, second.CachedShare, last.CachedShare)
		}
		in128 := int64(0)
		for _, tc := range st.Conversations.LastTiers {
			if tc.Tier == "128k" {
				in128 = tc.Count
			}
		}
		if in128 == 0 {
			t.Errorf("%s: no conversation billed in the 128K tier by its last turn (%+v)", st.Target, st.Conversations.LastTiers)
		}
		crossed := false
		for _, x := range st.Crossings {
			crossed = crossed || x.Tier == "128k" && x.FirstTurn > 1
		}
		if !crossed {
			t.Errorf("%s: no conversation crossed out of the 32K tier: %+v", st.Target, st.Crossings)
		}
	}
	for _, f := range []string{"report.txt", "report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(out.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(bytes.ToLower(b), []byte("sessions by turn")) || !bytes.Contains(b, []byte("into the 128k tier at turn")) {
			t.Errorf("%s has no per-turn view", f)
		}
	}
}

// TestAgentSessionsRun: the built-in agent-sessions against the mock: some
// answers are tool calls, each followed by a turn that sends the call and
// the tool's result back, so the request after a tool call has a longer
// prompt than the call's own.
func TestAgentSessionsRun(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.2)
	sc, err := scenarios.Builtin("agent-sessions")
	if err != nil {
		t.Fatal(err)
	}
	o := options(t, sc, url)
	var calls, followed int
	type key struct {
		session int64
		turn    int
	}
	prompts := map[key]int{}
	var toolTurns []key
	var mu sync.Mutex
	o.OnResult = func(r *runner.Result) {
		mu.Lock()
		defer mu.Unlock()
		if r.Usage != nil {
			prompts[key{r.Session, r.Turn}] = r.Usage.PromptTokens
		}
		if r.Finish == "tool_calls" {
			calls++
			toolTurns = append(toolTurns, key{r.Session, r.Turn})
		}
	}
	out, err := Execute(context.Background(), context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Class == Untrusted && strings.Contains(out.Reason, "untrustworthy") {
		t.Skipf("the run was honestly marked untrustworthy on this machine: %s", out.Reason)
	}
	for _, k := range toolTurns {
		if next, ok := prompts[key{k.session, k.turn + 1}]; ok && next > prompts[k]+200 {
			followed++
		}
	}
	if calls == 0 || followed == 0 {
		t.Fatalf("%d tool calls, %d followed by a turn carrying the tool result", calls, followed)
	}
}
