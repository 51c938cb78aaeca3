package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
)

// sessionBase is a valid sessions scenario; the error cases below change
// one line of it, and the line numbers in their messages refer to it.
const sessionBase = `name: s
targets:
  - name: mini
    model: doubao-seed-2.0-mini
  - name: pro
    model: doubao-seed-2.0-pro
sessions:
  turns: {dist: uniform, min: 2, max: 5}
  think_ms: {dist: uniform, min: 0, max: 500}
  system_tokens: 300
  first_tokens: 5000
  user_tokens: {dist: uniform, min: 100, max: 400}
  output_tokens: 64
load:
  seed: 3
  max_in_flight: 10
  stages:
    - kind: poisson
      rate: 2/s
      duration: 10s
`

func sessionLine(line int, text string) string {
	lines := strings.Split(sessionBase, "\n")
	lines[line-1] = text
	return strings.Join(lines, "\n")
}

func TestSessionErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown field", sessionLine(9, "  think: 5"),
			"s.yaml:9:3: sessions.think: unknown field (valid: turns, think_ms, system_tokens, first_tokens, user_tokens, output_tokens, tools, conversations)"},
		{"turns missing", sessionLine(8, ""),
			"s.yaml:9:3: sessions.turns: missing (turns per session, e.g. {dist: uniform, min: 3, max: 10})"},
		{"turns unbounded", sessionLine(8, "  turns: {dist: lognormal, mean: 4, sigma: 0.5}"),
			"s.yaml:8:10: sessions.turns: needs a largest value of at most 1000 turns (give max)"},
		{"turns too many", sessionLine(8, "  turns: 1001"),
			"s.yaml:8:10: sessions.turns: needs a largest value of at most 1000 turns (give max)"},
		{"think negative", sessionLine(9, "  think_ms: -5"),
			"s.yaml:9:13: sessions.think_ms: -5 cannot be negative"},
		{"think backwards", sessionLine(9, "  think_ms: {dist: uniform, min: 500, max: 10}"),
			"s.yaml:9:13: sessions.think_ms: uniform needs 0 ≤ min ≤ max (got 500..10)"},
		{"think over an hour", sessionLine(9, "  think_ms: 4000000"),
			"s.yaml:9:13: sessions.think_ms: 4000000 ms is above an hour"},
		{"system negative", sessionLine(10, "  system_tokens: -1"),
			"s.yaml:10:18: sessions.system_tokens: cannot be negative"},
		{"user missing", sessionLine(12, ""),
			"s.yaml:8:3: sessions.user_tokens: missing (tokens per turn, e.g. {dist: uniform, min: 200, max: 800})"},
		{"first too long", sessionLine(11, "  first_tokens: 300000"),
			"s.yaml:11:17: sessions.first_tokens: 300000 tokens do not fit the smallest context window (262144)"},
		{"output over limit", sessionLine(13, "  output_tokens: 200000"),
			"s.yaml:13:18: sessions.output_tokens: 200000 is above the smallest max_tokens limit (131072)"},
		{"with a mix", sessionBase[:len(sessionBase)-len("load:\n  seed: 3\n  max_in_flight: 10\n  stages:\n    - kind: poisson\n      rate: 2/s\n      duration: 10s\n")] +
			"mix:\n  - {name: chat, prompt_tokens: 100, output_tokens: 10}\n" + sessionBase[strings.Index(sessionBase, "load:"):],
			"s.yaml:15:3: mix: goes with no sessions block: sessions give every turn's message and length (remove mix or sessions)"},
		{"tools without a result", sessionLine(13, "  output_tokens: 64\n  tools: {latency_ms: 100}"),
			"s.yaml:14:10: sessions.tools.result_tokens: missing (the tool result's length, e.g. {dist: uniform, min: 200, max: 2000})"},
		{"tools latency negative", sessionLine(13, "  output_tokens: 64\n  tools: {latency_ms: -1, result_tokens: 300}"),
			"s.yaml:14:23: sessions.tools.latency_ms: -1 cannot be negative"},
		{"tools leave room for steps", strings.Replace(sessionLine(8, "  turns: 300"), "  output_tokens: 64\n", "  output_tokens: 64\n  tools: {result_tokens: 300}\n", 1),
			"s.yaml:8:10: sessions.turns: needs a largest value of at most 250 turns (give max)"},
		{"trace stage", sessionLine(18, "    - kind: trace"),
			"s.yaml:18:13: load.stages[0].kind: a trace stage replays a trace's requests; sessions arrive by a rate or by users"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got\n%v\nwant it to contain\n%s", err, tc.want)
			}
		})
	}
}

func sessionPlan(t testing.TB, src string, seed int64) *Plan {
	t.Helper()
	sc, err := Parse("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(sc, seed)
	if err != nil {
		t.Fatal(err)
	}
	if p.Sessions == nil {
		t.Fatal("no sessions in the plan")
	}
	return p
}

// TestSessionTurnsArePure: a turn is a pure function of (scenario, seed,
// session pair, turn): two plans agree byte for byte; the two targets of a
// pair get the same user messages; another pair gets other text; the first
// message carries the system prompt and a salt; bodies close into valid
// JSON; request numbers are session·MaxTurns + turn.
func TestSessionTurnsArePure(t *testing.T) {
	a, b := sessionPlan(t, sessionBase, 9), sessionPlan(t, sessionBase, 9)
	for s := int64(0); s < 6; s++ {
		n := a.Sessions.Turns(s)
		if n != b.Sessions.Turns(s) || n < 2 || n > 5 {
			t.Fatalf("session %d: %d turns (other plan %d), want 2..5", s, n, b.Sessions.Turns(s))
		}
		if n != a.Sessions.Turns(s^1) {
			t.Fatalf("session %d and its pair differ in turns", s)
		}
		for turn := range n {
			x, y := a.Sessions.Turn(s, turn), b.Sessions.Turn(s, turn)
			if !bytes.Equal(x.Messages, y.Messages) || !bytes.Equal(x.Body, y.Body) || !bytes.Equal(x.Tail, y.Tail) || x.Request.K != y.Request.K {
				t.Fatalf("session %d turn %d differs between two plans", s, turn)
			}
			if x.K != s*MaxTurns+int64(turn) {
				t.Fatalf("k %d, want %d", x.K, s*MaxTurns+int64(turn))
			}
			pair := a.Sessions.Turn(s^1, turn)
			if !bytes.Equal(x.Messages, pair.Messages) || x.Target == pair.Target {
				t.Fatalf("session %d turn %d: the pair's targets %d/%d must share the text", s, turn, x.Target, pair.Target)
			}
			if other := a.Sessions.Turn(s^2, turn); bytes.Equal(x.Messages, other.Messages) {
				t.Fatalf("sessions %d and %d share turn %d's text", s, s^2, turn)
			}
			var msgs []struct{ Role, Content string }
			body := append(append(append([]byte(nil), x.Body...), x.Messages...), x.Tail...)
			var v struct {
				Messages  json.RawMessage `json:"messages"`
				MaxTokens int             `json:"max_tokens"`
			}
			if err := json.Unmarshal(body, &v); err != nil || json.Unmarshal(v.Messages, &msgs) != nil {
				t.Fatalf("session %d turn %d: body is not JSON: %v", s, turn, err)
			}
			wantRoles := "[user]"
			if turn == 0 {
				wantRoles = "[system user]"
			}
			var roles []string
			for _, m := range msgs {
				roles = append(roles, m.Role)
			}
			if fmt.Sprint(roles) != wantRoles || v.MaxTokens != 64 {
				t.Fatalf("turn %d: roles %v, max_tokens %d", turn, roles, v.MaxTokens)
			}
			user := msgs[len(msgs)-1].Content
			if (turn == 0) != strings.HasPrefix(user, "Session ") {
				t.Fatalf("turn %d: salt at the start is only for a first message: %.40q", turn, user)
			}
		}
	}
	if a.Sessions.Think(0, 1) != b.Sessions.Think(0, 1) {
		t.Fatal("think times differ between plans")
	}
	// The nonce changes the salt only.
	x := a.Sessions.Turn(0, 0)
	a.Source.SetNonce(42)
	y := a.Sessions.Turn(0, 0)
	if bytes.Equal(x.Messages, y.Messages) || len(x.Messages) != len(y.Messages) {
		t.Fatal("the nonce must change the salt and nothing else")
	}
}

// TestSessionPlanIsLazy: planning 100,000 sessions costs what planning 10
// does — nothing is materialised per session.
func TestSessionPlanIsLazy(t *testing.T) {
	small := strings.Replace(sessionBase, "duration: 10s", "duration: 5s", 1)
	big := strings.Replace(sessionBase, "rate: 2/s\n      duration: 10s", "rate: 1000/s\n      duration: 100s", 1)
	allocs := func(src string) float64 {
		sc, err := Parse("s.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(3, func() {
			if _, err := NewPlan(sc, 1); err != nil {
				t.Fatal(err)
			}
		})
	}
	if a, b := allocs(small), allocs(big); b > a*1.1+10 {
		t.Fatalf("planning 100,000 sessions took %v allocations, 10 sessions %v", b, a)
	}
	p := sessionPlan(t, big, 1)
	if n := p.Sessions.Turns(99_999); n < 2 {
		t.Fatalf("session 99,999 has %d turns", n)
	}
}

// TestSessionProjection: "cost" prices a sessions scenario turn by turn —
// prompts that grow into the 128K tier, the conversation before each turn's
// message cached — not as an empty mix.
func TestSessionProjection(t *testing.T) {
	sc, err := Builtin("chat-sessions")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(sc, sc.Load.Seed)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := p.Project(1, 24*time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range pr.Variants {
		if !v.Priced || !(v.Per1K > 0) || !(v.CacheSavingsPer1K > 0) {
			t.Fatalf("%s: priced %v, per 1K %v, cache savings %v", v.Target, v.Priced, v.Per1K, v.CacheSavingsPer1K)
		}
		shares := map[string]float64{}
		for _, tc := range v.Tiers {
			shares[tc.Tier] = tc.Share
			if tc.Share > 0 && !(tc.Cached > 0 && tc.Cached < tc.Prompt) {
				t.Errorf("%s %s: cached %v of prompt %v", v.Target, tc.Tier, tc.Cached, tc.Prompt)
			}
		}
		if !(shares["32k"] > 0 && shares["128k"] > 0) {
			t.Errorf("%s: tier shares %v, want turns in 32k and 128k", v.Target, shares)
		}
	}
}

// TestAgentSessionTools: with a tools block every turn offers the tool,
// the plan is a runner.SessionToolSource, and a tool step's latency and
// result are pure functions of (session pair, turn, step) of the planned
// length.
func TestAgentSessionTools(t *testing.T) {
	src := strings.Replace(sessionBase, "  output_tokens: 64\n", "  output_tokens: 64\n  tools: {latency_ms: {dist: uniform, min: 100, max: 200}, result_tokens: 500}\n", 1)
	a, b := sessionPlan(t, src, 4), sessionPlan(t, src, 4)
	tools, ok := a.SessionSource().(runner.SessionToolSource)
	if !ok {
		t.Fatal("a sessions plan with tools is not a runner.SessionToolSource")
	}
	if _, ok := sessionPlan(t, sessionBase, 4).SessionSource().(runner.SessionToolSource); ok {
		t.Fatal("a sessions plan without tools answers tool calls")
	}
	other := b.SessionSource().(runner.SessionToolSource)
	lat, res := tools.ToolResult(3, 1, 0)
	lat2, res2 := other.ToolResult(3, 1, 0)
	if lat != lat2 || !bytes.Equal(res, res2) || lat < 100*time.Millisecond || lat > 200*time.Millisecond {
		t.Fatalf("tool step: %v %d bytes, other plan %v %d bytes", lat, len(res), lat2, len(res2))
	}
	if _, next := tools.ToolResult(3, 1, 1); bytes.Equal(res, next) {
		t.Fatal("two steps return the same result")
	}
	if est := EstimateTokens(string(res)); est < 400 || est > 600 {
		t.Errorf("result of %d estimated tokens, want about 500", est)
	}
	turn := a.Sessions.Turn(0, 0)
	if !bytes.Contains(turn.Tail, []byte(`"tools":[{"type":"function","function":{"name":"search"`)) {
		t.Fatalf("the turn offers no tool: %s", turn.Tail)
	}
	if !json.Valid(append(append(append([]byte(nil), turn.Body...), turn.Messages...), turn.Tail...)) {
		t.Fatal("the body is not JSON")
	}
}

// conversationsFile is a ShareGPT dataset: a conversation of three human
// turns after a system turn, and one of one.
const conversationsFile = `{"id":"a","conversations":[{"from":"system","value":"You are terse."},{"from":"human","value":"First \"question\"?"},{"from":"gpt","value":"` + "An answer of about twelve tokens in all, give or take a few." + `"},{"from":"human","value":"Second?"},{"from":"gpt","value":"Short."},{"from":"human","value":"Third?"}]}
{"id":"b","conversations":[{"from":"human","value":"Only one."},{"from":"gpt","value":"Fine."}]}
`

func conversationsScenario(t *testing.T, sessions string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "conv.jsonl"), []byte(conversationsFile), 0o644); err != nil {
		t.Fatal(err)
	}
	return "name: s\ntargets:\n  - {name: mini, model: doubao-seed-2.0-mini}\nsource:\n  dataset: " + filepath.Join(dir, "conv.jsonl") +
		"\nsessions:\n" + sessions + "load:\n  seed: 3\n  max_in_flight: 10\n  stages:\n    - {kind: constant, rate: 2/s, duration: 10s}\n"
}

// TestSessionConversations: with conversations: true each session is a
// ShareGPT row drawn with the seed, its human turns the user messages in
// order (system turns before the first), each turn's max_tokens the
// estimated length of the file's reply; the file's replies are not sent.
func TestSessionConversations(t *testing.T) {
	p := sessionPlan(t, conversationsScenario(t, "  conversations: true\n  think_ms: 100\n"), 3)
	seen := map[int]bool{}
	for s := int64(0); s < 20; s++ {
		n := p.Sessions.Turns(s)
		seen[n] = true
		var texts []string
		for turn := range n {
			tt := p.Sessions.Turn(s, turn)
			var msgs []struct{ Role, Content string }
			if err := json.Unmarshal(append(append([]byte("["), tt.Messages...), ']'), &msgs); err != nil {
				t.Fatalf("session %d turn %d messages: %v", s, turn, err)
			}
			for _, m := range msgs {
				texts = append(texts, m.Role+": "+m.Content)
			}
			var v struct {
				MaxTokens int `json:"max_tokens"`
			}
			body := append(append(append([]byte(nil), tt.Body...), tt.Messages...), tt.Tail...)
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			if n == 3 && turn == 0 && v.MaxTokens != EstimateTokens("An answer of about twelve tokens in all, give or take a few.") {
				t.Errorf("turn 1 max_tokens %d, want the reply's estimate", v.MaxTokens)
			}
			if n == 3 && turn == 2 && v.MaxTokens != defaultDatasetOut {
				t.Errorf("turn 3 (no reply in the file) max_tokens %d, want the default %d", v.MaxTokens, defaultDatasetOut)
			}
		}
		want := map[int]string{
			3: `[system: You are terse. user: First "question"? user: Second? user: Third?]`,
			1: `[user: Only one.]`,
		}[n]
		if fmt.Sprint(texts) != want {
			t.Fatalf("session %d (%d turns) sends %q, want %s", s, n, texts, want)
		}
	}
	if !seen[1] || !seen[3] {
		t.Fatalf("20 sessions drew conversations of %v turns; want both rows", seen)
	}
	for _, tc := range []struct{ sessions, want string }{
		{"  conversations: true\n  turns: 3\n", "sessions.turns: goes unused with conversations"},
		{"  conversations: true\n  user_tokens: 30\n", "sessions.user_tokens: goes unused with conversations"},
	} {
		if _, err := Parse("s.yaml", []byte(conversationsScenario(t, tc.sessions))); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %s", tc.sessions, err, tc.want)
		}
	}
	noSource := strings.Replace(sessionBase, "  turns: {dist: uniform, min: 2, max: 5}\n", "  conversations: true\n", 1)
	if _, err := Parse("s.yaml", []byte(noSource)); err == nil || !strings.Contains(err.Error(), "sessions.conversations: needs source.dataset") {
		t.Errorf("conversations without a dataset: %v", err)
	}
}
