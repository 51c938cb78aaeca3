package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testSessions plans sessions of a fixed number of turns; turn t of
// session s says "s<s> t<t>".
type testSessions struct {
	turns     int
	answerCap int
	convCap   int
}

func (ts testSessions) Turns(int64) int                { return ts.turns }
func (ts testSessions) Think(int64, int) time.Duration { return time.Millisecond }
func (ts testSessions) userText(s int64, t int) string { return fmt.Sprintf("s%d t%d", s, t) }

func (ts testSessions) Turn(s int64, t int) SessionTurn {
	msg := fmt.Sprintf(`{"role":"user","content":%q}`, ts.userText(s, t))
	if t == 0 {
		msg = `{"role":"system","content":"be brief"},` + msg
	}
	return SessionTurn{
		Request:   Request{K: s*100 + int64(t), Class: "chat", MaxTokens: 16, EstPromptTokens: 10 * (t + 1), Body: []byte(`{"model":"m","stream":true,"messages":[`)},
		Messages:  []byte(msg),
		Tail:      []byte(`],"max_tokens":16}`),
		AnswerCap: ts.answerCap, ConversationCap: ts.convCap,
	}
}

// chatServer answers each request with a reply naming the last user
// message, streamed in fragments that need escaping (quotes, a newline,
// non-ASCII), and keeps every request's messages.
type chatServer struct {
	mu     sync.Mutex
	bodies map[string][]message // last user text → messages sent
	fail   string               // a last user text answered with a 500
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// reply is what the server answers to user text u.
func reply(u string) []string {
	return []string{`Re "` + u + `":`, "\nline two ", "é — ✓ \\ done."}
}

func (cs *chatServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Messages  []message `json:"messages"`
		MaxTokens int       `json:"max_tokens"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.MaxTokens != 16 {
		http.Error(w, fmt.Sprintf("bad body: %v", err), http.StatusBadRequest)
		return
	}
	last := body.Messages[len(body.Messages)-1].Content
	cs.mu.Lock()
	if cs.bodies == nil {
		cs.bodies = map[string][]message{}
	}
	cs.bodies[last] = body.Messages
	cs.mu.Unlock()
	if last == cs.fail {
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for _, frag := range reply(last) {
		b, _ := json.Marshal(frag)
		fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"content\":%s}}]}\n\n", b)
	}
	fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
	fmt.Fprintf(w, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":9}}\n\ndata: [DONE]\n\n", 20*len(body.Messages))
}

func runSessions(t *testing.T, cs *chatServer, src SessionSource, stages []Stage) []*Result {
	t.Helper()
	hs := httptest.NewServer(cs)
	defer hs.Close()
	var c collector
	cfg := Config{Targets: []Target{{Name: "a", Model: "m", BaseURL: hs.URL}}, Stages: stages, Sessions: src,
		Sink: c.sink, TimersOnly: true}
	if _, err := Run(context.Background(), context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	return c.sorted()
}

// TestSessionSendsConversation: every turn sends the whole conversation so
// far — the planned messages and each answer exactly as it was streamed
// back — and its record carries session and turn, in open and closed loop.
func TestSessionSendsConversation(t *testing.T) {
	ts := testSessions{turns: 3}
	for _, tc := range []struct {
		name     string
		stages   []Stage
		sessions []int64
	}{
		{"open", []Stage{{Name: "open", Pacer: rate(100), Duration: 25 * time.Millisecond}}, []int64{0, 1}},
		{"closed", []Stage{{Name: "closed", Concurrency: 2, MaxRequests: 3}}, []int64{0, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st := tc.stages[0]; st.Open() && Count(st) != int64(len(tc.sessions)) {
				t.Fatalf("the stage starts %d sessions, the test expects %d", Count(st), len(tc.sessions))
			}
			cs := &chatServer{}
			res := runSessions(t, cs, ts, tc.stages)
			if len(res) != len(tc.sessions)*ts.turns {
				t.Fatalf("%d records, want %d", len(res), len(tc.sessions)*ts.turns)
			}
			i := 0
			for _, s := range tc.sessions {
				var want []message
				want = append(want, message{"system", "be brief"})
				for turn := range ts.turns {
					r := res[i]
					i++
					if !r.OK() || r.Session != s || r.Turn != turn+1 || r.K != s*100+int64(turn) {
						t.Fatalf("record %+v: want ok, session %d, turn %d", r, s, turn+1)
					}
					if r.IntendedUS >= 0 != (tc.name == "open" && turn == 0) {
						t.Errorf("session %d turn %d: intended %d (only an open-loop first turn has a plan time)", s, turn+1, r.IntendedUS)
					}
					u := ts.userText(s, turn)
					want = append(want, message{"user", u})
					got := cs.bodies[u]
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("session %d turn %d sent\n%q\nwant\n%q", s, turn+1, got, want)
					}
					if turn > 0 && r.EstPromptTokens <= 10*(turn+1) {
						t.Errorf("turn %d: est prompt %d does not count the earlier answers", turn+1, r.EstPromptTokens)
					}
					want = append(want, message{"assistant", strings.Join(reply(u), "")})
				}
			}
		})
	}
}

// TestSessionAnswerCap: an answer longer than the cap is sent back as its
// beginning, whole fragments only (still valid JSON).
func TestSessionAnswerCap(t *testing.T) {
	ts := testSessions{turns: 2, answerCap: 20}
	cs := &chatServer{}
	runSessions(t, cs, ts, []Stage{{Concurrency: 1, MaxRequests: 1}})
	got := cs.bodies[ts.userText(0, 1)]
	if len(got) != 4 {
		t.Fatalf("turn 2 sent %q", got)
	}
	first := reply(ts.userText(0, 0))[0]
	if got[2].Role != "assistant" || got[2].Content != first {
		t.Fatalf("kept answer %q, want the first fragment %q", got[2].Content, first)
	}
}

// TestSessionConversationBound: a server that accepts a conversation past
// any context window cannot make a session grow without bound: the turn
// over the bound is a conversation_too_long failure, never sent, and the
// session ends there.
func TestSessionConversationBound(t *testing.T) {
	ts := testSessions{turns: 5, convCap: 150}
	cs := &chatServer{}
	res := runSessions(t, cs, ts, []Stage{{Concurrency: 1, MaxRequests: 1}})
	last := res[len(res)-1]
	if len(res) < 2 || len(res) >= 5 || last.ErrorClass != ClassConversationTooLong || last.SentUS != -1 || !strings.Contains(last.Error, "over the session's bound of 150") {
		t.Fatalf("%d records, last %s %q sent %d", len(res), last.ErrorClass, last.Error, last.SentUS)
	}
	for _, r := range res[:len(res)-1] {
		if !r.OK() {
			t.Fatalf("turn %d: %s %s", r.Turn, r.ErrorClass, r.Error)
		}
	}
	if len(cs.bodies) != len(res)-1 {
		t.Errorf("the server got %d requests for %d records: the over-bound turn was sent", len(cs.bodies), len(res))
	}
}

// TestSessionEndsOnFailure: a failed turn ends its conversation; the other
// sessions go on.
func TestSessionEndsOnFailure(t *testing.T) {
	ts := testSessions{turns: 3}
	cs := &chatServer{fail: ts.userText(1, 1)}
	res := runSessions(t, cs, ts, []Stage{{Concurrency: 1, MaxRequests: 2}})
	var turns []string
	for _, r := range res {
		turns = append(turns, fmt.Sprintf("%d/%d %s", r.Session, r.Turn, r.Status))
	}
	want := "[0/1 ok 0/2 ok 0/3 ok 1/1 ok 1/2 error]"
	if fmt.Sprint(turns) != want {
		t.Fatalf("records %v, want %s", turns, want)
	}
}

// TestAnswerCollectAllocs: reading an event and keeping its content costs
// no allocation once the answer buffer has grown.
func TestAnswerCollectAllocs(t *testing.T) {
	data := []byte(`{"choices":[{"index":0,"delta":{"content":"Hello \"world\"\n, how are you"}}]}`)
	var c chunk
	var a answerBuf
	a.reset(1 << 20)
	one := func() {
		if err := scanChunk(data, &c); err != nil {
			t.Fatal(err)
		}
		a.add(c.text)
		if len(a.buf) > 1<<19 {
			a.buf = a.buf[:0]
		}
	}
	for range 1 << 15 { // grow the buffer to its working size
		one()
	}
	if n := testing.AllocsPerRun(1000, one); n != 0 {
		t.Fatalf("%v allocations per event", n)
	}
	if want := `Hello \"world\"\n, how are you`; !strings.HasSuffix(string(a.buf), want) {
		t.Fatalf("kept %q", a.buf[len(a.buf)-40:])
	}
}

// TestSessionShardsMerge: shards split sessions by session id — every turn
// of a session runs in the shard that owns it — and merging the shards'
// results gives exactly the unsharded run's records, none missing or
// duplicated.
func TestSessionShardsMerge(t *testing.T) {
	ts := testSessions{turns: 3}
	stages := []Stage{{Name: "open", Pacer: rate(200), Duration: 40 * time.Millisecond}, {Name: "closed", Concurrency: 3, MaxRequests: 5}}
	whole := runSessions(t, &chatServer{}, ts, stages)
	dir := t.TempDir()
	var paths []string
	owner := map[int64]int{}
	const n = 3
	for i := range n {
		hs := httptest.NewServer(&chatServer{})
		p := fmt.Sprintf("%s/shard%d.jsonl", dir, i)
		w, err := CreateResults(p, Header{Scenario: "s", PlanHash: "h", ShardIndex: i, ShardCount: n})
		if err != nil {
			t.Fatal(err)
		}
		var c collector
		cfg := Config{Targets: []Target{{Name: "a", Model: "m", BaseURL: hs.URL}}, Stages: stages, Sessions: ts,
			Shard: Shard{Index: i, Count: n}, TimersOnly: true, Sink: func(r *Result) { c.sink(r); w.Write(r) }}
		if _, err := Run(context.Background(), context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		hs.Close()
		if err := w.Close(Footer{End: time.Now()}); err != nil {
			t.Fatal(err)
		}
		for _, r := range c.sorted() {
			if o, ok := owner[r.Session]; ok && o != i {
				t.Fatalf("session %d has turns in shards %d and %d", r.Session, o, i)
			}
			owner[r.Session] = i
		}
		paths = append(paths, p)
	}
	var merged strings.Builder
	info, err := Merge(&merged, paths)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Complete() || info.Records != int64(len(whole)) || len(info.DuplicateK) > 0 {
		t.Fatalf("merged %d records (whole run %d), info %+v", info.Records, len(whole), info)
	}
	got := map[string]bool{}
	for _, line := range strings.Split(merged.String(), "\n") {
		var r Result
		if json.Unmarshal([]byte(line), &r) == nil && r.Type == "result" {
			got[fmt.Sprintf("%d %d/%d", r.K, r.Session, r.Turn)] = true
		}
	}
	for _, r := range whole {
		if key := fmt.Sprintf("%d %d/%d", r.K, r.Session, r.Turn); !got[key] {
			t.Errorf("turn %s of the whole run is missing from the merge", key)
		}
	}
	if len(owner) < n {
		t.Errorf("%d sessions over %d shards: the test needs every shard to own one", len(owner), n)
	}
}

// toolSessions are testSessions whose answers may be tool calls: the tool
// takes a millisecond and answers "result of s<s> t<t> #<step>".
type toolSessions struct{ testSessions }

func (ts toolSessions) ToolResult(s int64, t, step int) (time.Duration, []byte) {
	return time.Millisecond, fmt.Appendf(nil, "result of s%d t%d #%d", s, t, step)
}

// toolServer answers a request whose last message is the user's with a
// streamed tool call (id, name, then the arguments in two fragments), and
// one whose last message is a tool result with text.
type toolServer struct {
	mu     sync.Mutex
	bodies [][]toolMessage
}

type toolMessage struct {
	Role       string `json:"role"`
	Content    any    `json:"content"`
	ToolCallID string `json:"tool_call_id,omitempty"`
	ToolCalls  []struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Function struct {
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls,omitempty"`
}

func (ts *toolServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Messages []toolMessage `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ts.mu.Lock()
	ts.bodies = append(ts.bodies, body.Messages)
	n := len(ts.bodies)
	ts.mu.Unlock()
	w.Header().Set("Content-Type", "text/event-stream")
	if last := body.Messages[len(body.Messages)-1]; last.Role == "user" {
		fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_%d\",\"type\":\"function\",\"function\":{\"name\":\"search\",\"arguments\":\"{\\\"q\\\":\"}}]}}]}\n\n", n)
		fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"x y\\\"}\"}}]}}]}\n\n")
		fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n")
		return
	}
	fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"content\":\"found it\"}}]}\n\n")
	fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
}

// TestSessionToolSteps: an answer that is a tool call is sent back, after
// the tool's latency, as the assistant's call and a tool message with the
// planned result; the next assistant turn follows; every request is a
// record turn, numbered on.
func TestSessionToolSteps(t *testing.T) {
	srv := &toolServer{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	var c collector
	cfg := Config{Targets: []Target{{Name: "a", Model: "m", BaseURL: hs.URL}}, Stages: []Stage{{Concurrency: 1, MaxRequests: 1}},
		Sessions: toolSessions{testSessions{turns: 2}}, Sink: c.sink, TimersOnly: true}
	if _, err := Run(context.Background(), context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	res := c.sorted()
	var got []string
	for _, r := range res {
		got = append(got, fmt.Sprintf("k%d turn%d %s", r.K, r.Turn, r.Finish))
	}
	if want := "[k0 turn1 tool_calls k1 turn2 stop k2 turn3 tool_calls k3 turn4 stop]"; fmt.Sprint(got) != want {
		t.Fatalf("records %v, want %s", got, want)
	}
	if len(srv.bodies) != 4 {
		t.Fatalf("%d requests", len(srv.bodies))
	}
	second := srv.bodies[1]
	if len(second) != 4 {
		t.Fatalf("the step after the call sent %d messages, want system, user, call, result", len(second))
	}
	call, result := second[2], second[3]
	if call.Role != "assistant" || call.Content != nil || len(call.ToolCalls) != 1 || call.ToolCalls[0].ID != "call_1" ||
		call.ToolCalls[0].Type != "function" || call.ToolCalls[0].Function.Name != "search" || call.ToolCalls[0].Function.Arguments != `{"q":"x y"}` {
		t.Fatalf("call sent back as %+v", call)
	}
	if result.Role != "tool" || result.ToolCallID != "call_1" || result.Content != "result of s0 t0 #0" {
		t.Fatalf("tool message %+v", result)
	}
	if fourth := srv.bodies[3]; len(fourth) != 8 || fourth[4].Content != "found it" || fourth[5].Content != "s0 t1" {
		t.Fatalf("turn 2's step sent %d messages: %+v", len(fourth), fourth)
	}
}
