package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The example trace and dataset files the built-in scenarios replay are
// made here, from a fixed seed, not downloaded: `go test ./scenarios/ -run
// TestExampleData -update` rewrites them; without -update the test fails
// when a file differs from what the generator makes.

// exampleMooncake is a 60-second Mooncake-format trace of 240 requests:
// Poisson arrivals at 4/s; 70% of them continue one of 12 conversations
// whose shared history is 2–24 blocks of 512 tokens (hash ids shared, so a
// prefix cache sees them), the rest are one-off prompts; a few long ones
// cross the 32K tier.
func exampleMooncake() []byte {
	r := rand.New(rand.NewPCG(16, 1))
	var b bytes.Buffer
	next := int64(100000) // one-off prompts: ids no conversation uses
	nextID := int64(1000)
	type conv struct{ ids []int64 }
	convs := make([]conv, 12)
	for i := range convs {
		n := 2 + r.IntN(6)
		for range n {
			convs[i].ids = append(convs[i].ids, nextID)
			nextID++
		}
	}
	t := 0.0
	for range 240 {
		t += r.ExpFloat64() / 4 * 1000
		var ids []int64
		if r.Float64() < 0.7 {
			c := &convs[r.IntN(len(convs))]
			ids = append(ids, c.ids...)
			// The conversation grows by a block or two each time, up to 24.
			for range 1 + r.IntN(2) {
				if len(c.ids) < 24 {
					c.ids = append(c.ids, nextID)
					nextID++
				}
			}
		} else {
			n := 1 + r.IntN(8)
			if r.Float64() < 0.05 {
				n = 70 + r.IntN(10) // ~36K–40K tokens: the 128K tier
			}
			for range n {
				ids = append(ids, next)
				next++
			}
		}
		input := len(ids)*512 - r.IntN(512)
		out := int(math.Round(60 * math.Exp(0.6*r.NormFloat64())))
		row := map[string]any{"timestamp": int64(t), "input_length": input, "output_length": max(out, 4), "hash_ids": ids}
		line, _ := json.Marshal(row)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// exampleAzure is 120 requests of the Azure LLM inference trace's CSV
// shape, at 2/s with bursts.
func exampleAzure() []byte {
	r := rand.New(rand.NewPCG(16, 2))
	var b bytes.Buffer
	b.WriteString("TIMESTAMP,ContextTokens,GeneratedTokens\n")
	at := time.Date(2023, 11, 16, 18, 15, 46, 680590000, time.UTC)
	for i := range 120 {
		gap := r.ExpFloat64() / 2
		if i%30 < 5 {
			gap /= 8 // a burst
		}
		at = at.Add(time.Duration(gap * float64(time.Second)))
		ctx := int(math.Round(1500 * math.Exp(0.9*r.NormFloat64())))
		gen := int(math.Round(150 * math.Exp(0.7*r.NormFloat64())))
		fmt.Fprintf(&b, "%s,%d,%d\n", at.Format("2006-01-02 15:04:05.0000000"), min(max(ctx, 16), 30000), max(gen, 1))
	}
	return b.Bytes()
}

// exampleChat is a dataset of 60 prompts in the OpenAI messages shape,
// with expected output lengths; some carry a long system prompt.
func exampleChat() []byte {
	r := rand.New(rand.NewPCG(16, 3))
	c := theCorpus()
	text := func(units int) string {
		return strings.ReplaceAll(string(c.appendUnits(nil, r.IntN(corpusUnits), units)), `\n`, "\n")
	}
	var b bytes.Buffer
	for i := range 60 {
		var msgs []map[string]string
		if i%3 == 0 {
			msgs = append(msgs, map[string]string{"role": "system", "content": "You are a careful assistant. " + text(1500)})
		}
		msgs = append(msgs, map[string]string{"role": "user", "content": text(40 + r.IntN(600))})
		row := map[string]any{"messages": msgs, "max_tokens": 50 + r.IntN(400)}
		line, _ := json.Marshal(row)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// exampleAgent is a dataset of agent steps: each row offers tools; half are
// a user's request (the model may call a tool), half the step after a tool
// result (the model answers).
func exampleAgent() []byte {
	r := rand.New(rand.NewPCG(16, 4))
	c := theCorpus()
	text := func(units int) string {
		return strings.ReplaceAll(string(c.appendUnits(nil, r.IntN(corpusUnits), units)), `\n`, "\n")
	}
	tools := []map[string]any{
		{"type": "function", "function": map[string]any{"name": "search_docs", "description": "Search the documentation",
			"parameters": map[string]any{"type": "object", "properties": map[string]any{"input": map[string]string{"type": "string"}}}}},
		{"type": "function", "function": map[string]any{"name": "run_query", "description": "Run a read-only SQL query",
			"parameters": map[string]any{"type": "object", "properties": map[string]any{"input": map[string]string{"type": "string"}}}}},
	}
	var b bytes.Buffer
	for i := range 40 {
		sys := map[string]any{"role": "system", "content": "You are an operations agent. Use the tools. " + text(400)}
		user := map[string]any{"role": "user", "content": text(30 + r.IntN(200))}
		msgs := []map[string]any{sys, user}
		if i%2 == 1 {
			id := fmt.Sprintf("call_%024x", r.Uint64())
			msgs = append(msgs,
				map[string]any{"role": "assistant", "content": nil, "tool_calls": []map[string]any{{"id": id, "type": "function",
					"function": map[string]string{"name": "search_docs", "arguments": `{"input":"` + text(8) + `"}`}}}},
				map[string]any{"role": "tool", "tool_call_id": id, "content": text(200 + r.IntN(1500))})
		}
		row := map[string]any{"messages": msgs, "tools": tools, "max_tokens": 200 + r.IntN(300)}
		line, _ := json.Marshal(row)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func TestExampleData(t *testing.T) {
	for name, gen := range map[string]func() []byte{
		"mooncake-sample.jsonl": exampleMooncake,
		"azure-sample.csv":      exampleAzure,
		"chat-dataset.jsonl":    exampleChat,
		"agent-dataset.jsonl":   exampleAgent,
	} {
		path := filepath.Join("builtin", "data", name)
		want := gen()
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale or missing (go test ./scenarios/ -run TestExampleData -update): %v", path, err)
		}
	}
}
