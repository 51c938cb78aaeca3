package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
)

// writeSessions writes a results file of conversations that grow: session
// s has 3 + s%3 turns on each target; turn t's prompt is 20,000·t tokens
// (so turns 1 cross nothing, turn 2 is in the 128K tier), of which the
// earlier turns' share is cached; TTFT grows with the prompt. Session 4's
// third turn fails, ending it; one session is a dropped first turn.
func writeSessions(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "results.jsonl")
	h := runner.Header{Scenario: "sessions", Seed: 1, Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ShardCount: 1,
		Targets: []runner.TargetInfo{{Name: "mini", Model: "doubao-seed-2.0-mini"}, {Name: "pro", Model: "doubao-seed-2.0-pro"}}}
	w, err := runner.CreateResults(p, h)
	if err != nil {
		t.Fatal(err)
	}
	for s := int64(0); s < 12; s++ {
		target, model := "mini", "doubao-seed-2.0-mini"
		if s%2 == 1 {
			target, model = "pro", "doubao-seed-2.0-pro"
		}
		turns := 3 + int(s/2)%3
		sent := s * 1_000_000
		for turn := 1; turn <= turns; turn++ {
			r := &runner.Result{Type: "result", K: s*1000 + int64(turn-1), Target: target, Model: model, Class: "session",
				Session: s, Turn: turn, IntendedUS: -1, SentUS: sent, Status: runner.StatusOK}
			if turn == 1 {
				r.IntendedUS = sent
			}
			if s == 10 {
				r.Status, r.ErrorClass, r.SentUS = runner.StatusDropped, runner.ClassDropped, -1
				w.Write(r)
				break
			}
			prompt := 20_000 * turn
			r.TTFTUS = int64(100_000 + prompt*5 + int(s)*1000)
			r.E2EUS = r.TTFTUS + 500_000
			r.EventsUS = []int64{r.TTFTUS, r.E2EUS}
			r.Usage = &runner.Usage{PromptTokens: prompt, CompletionTokens: 100, CachedTokens: 20_000 * (turn - 1)}
			if s == 4 && turn == 3 {
				r.Status, r.ErrorClass, r.Error, r.Usage = runner.StatusError, runner.ClassHTTP5xx, "HTTP 500", nil
			}
			w.Write(r)
			if r.Status != runner.StatusOK {
				break
			}
			sent += r.E2EUS + 300_000
		}
	}
	if err := w.Close(runner.Footer{End: h.Start.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGoldenSessions: the per-turn view in summary.json and in the text,
// Markdown and HTML reports.
func TestGoldenSessions(t *testing.T) {
	p := writeSessions(t, t.TempDir())
	s, err := Aggregate([]string{p}, Options{Pricing: testPrices{}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Sessions == nil || len(s.Sessions.Targets) != 2 {
		t.Fatalf("sessions view %+v", s.Sessions)
	}
	mini := s.Sessions.Targets[0]
	if mini.Target != "mini" || len(mini.Turns) != 4 {
		t.Fatalf("mini: %d turn rows, want 4", len(mini.Turns))
	}
	// Six mini sessions (0, 2, …, 10) of 3, 4, 5, 3, 4, 5 turns; session 4
	// failed at turn 3, session 10 was dropped.
	counts := []int64{6, 5, 5, 2}
	for i, r := range mini.Turns {
		if r.Requests != counts[i] {
			t.Errorf("mini turn %d: %d requests, want %d", r.Turn, r.Requests, counts[i])
		}
	}
	t1, t2 := mini.Turns[0], mini.Turns[1]
	if t1.CachedShare != 0 || t2.CachedShare != 0.5 || *t2.TTFTP50MS <= *t1.TTFTP50MS {
		t.Errorf("turn 1 cached %v, turn 2 cached %v (want 0, 0.5); TTFT %v → %v", t1.CachedShare, t2.CachedShare, *t1.TTFTP50MS, *t2.TTFTP50MS)
	}
	// Turn 1 bill: 20,000 prompt tokens in the 32K tier at 0.2/M, 100 out at 2/M.
	if want := (20_000*0.2 + 100*2) / 1e6; t1.CostMean != round9(want) {
		t.Errorf("turn 1 cost %v, want %v", t1.CostMean, want)
	}
	if len(mini.Crossings) != 2 || mini.Crossings[1].Tier != "128k" || mini.Crossings[1].FirstTurn != 2 || mini.Crossings[1].Conversations != 5 {
		t.Errorf("crossings %+v, want 5 conversations into 128k at turn 2", mini.Crossings)
	}
	if c := mini.Conversations; c.Conversations != 5 || c.Ended != 4 {
		t.Errorf("conversations %+v: want 5 (the dropped one never started), 4 without an error", c)
	}
	// The load delivered counts sessions: their first turns, not every turn.
	for _, d := range s.Load {
		if d.Target == "mini" && (d.Sent != 5 || d.Dropped != 1) {
			t.Errorf("mini load delivered: sent %d, dropped %d; want the 5 sessions started and the 1 dropped", d.Sent, d.Dropped)
		}
	}
	js, err := json.MarshalIndent(s.Sessions, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	text, md, html := renderAll(t, s)
	const want = "mini: into the 128k tier at turn 2"
	for name, b := range map[string]*bytes.Buffer{"text": text, "markdown": md, "html": html} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the %s report does not say when conversations crossed into 128k", name)
		}
	}
	golden(t, "sessions.summary.json", append(js, '\n'))
	golden(t, "sessions.report.txt", bytes.ReplaceAll(text.Bytes(), []byte(p), []byte("sessions.jsonl")))
	golden(t, "sessions.report.md", bytes.ReplaceAll(md.Bytes(), []byte(p), []byte("sessions.jsonl")))
	golden(t, "sessions.report.html", bytes.ReplaceAll(html.Bytes(), []byte(p), []byte("sessions.jsonl")))
}

// TestSessionsMergeAcrossWorkers: the view is the same read by one worker
// or by many (a session's turns split between them).
func TestSessionsMergeAcrossWorkers(t *testing.T) {
	p := writeSessions(t, t.TempDir())
	var views []string
	for _, workers := range []int{1, 4} {
		s, err := Aggregate([]string{p}, Options{Pricing: testPrices{}, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(s.Sessions)
		views = append(views, string(js))
	}
	if views[0] != views[1] {
		t.Fatalf("one worker:\n%s\nfour:\n%s", views[0], views[1])
	}
}
