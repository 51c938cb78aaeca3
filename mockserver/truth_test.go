package mockserver

import (
	"bufio"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestTruthAgainstClient compares the ground truth with what a client on
// loopback measures. The client starts its clock before sending and stops
// it after reading, the server starts after receiving and stops after
// flushing, so for every token event client ≥ server must hold; the
// difference is the loopback and scheduling delay, small on one machine.
func TestTruthAgainstClient(t *testing.T) {
	cfg := fastConfig()
	cfg.TimeScale = 0.02 // Pro: ~9ms to the first token, ~0.7ms per token
	cfg.Truth = true
	_, hs := startServer(t, cfg)
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/chat/completions", strings.NewReader(
		`{"model":"doubao-seed-2.0-pro","stream":true,"stream_options":{"include_usage":true},"max_tokens":40,"messages":[{"role":"user","content":"hi"}]}`))
	sent := time.Now()
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var client []int64
	var body strings.Builder
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		at := time.Since(sent).Microseconds()
		body.WriteString(line)
		if strings.HasPrefix(line, "data: ") && (strings.Contains(line, `"content":"`) && !strings.Contains(line, `"content":""`) || strings.Contains(line, `"reasoning_content":"`)) {
			client = append(client, at)
		}
		if err != nil {
			break
		}
	}
	tr := truthOf(t, body.String())
	if len(tr.EventsUS) != len(client) {
		t.Fatalf("server reports %d token events, client saw %d", len(tr.EventsUS), len(client))
	}
	var diffs []int64
	for i := range client {
		d := client[i] - tr.EventsUS[i]
		if d < 0 {
			t.Errorf("event %d: client %dµs before server %dµs", i, client[i], tr.EventsUS[i])
		}
		diffs = append(diffs, d)
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i] < diffs[j] })
	median := diffs[len(diffs)/2]
	t.Logf("client − server: median %dµs, max %dµs over %d events", median, diffs[len(diffs)-1], len(diffs))
	if median > 50_000 {
		t.Errorf("median client − server %dµs: truth and measurement disagree by more than loopback can explain", median)
	}
	if tr.TTFTUS < 9000*9/10 {
		t.Errorf("ttft %dµs is below the modelled prefill (~9ms)", tr.TTFTUS)
	}
}
