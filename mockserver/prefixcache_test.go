package mockserver

import (
	"strings"
	"testing"
)

func TestPrefixCacheMatch(t *testing.T) {
	c := newPrefixCache(4)
	tests := []struct {
		blocks []uint64
		hits   int
		size   int
	}{
		{[]uint64{1, 2, 3}, 0, 3},      // cold
		{[]uint64{1, 2, 3}, 3, 3},      // same prompt: all blocks
		{[]uint64{1, 2, 9}, 2, 4},      // shared first two blocks
		{[]uint64{5}, 0, 4},            // full: evicts the LRU block, which is an end (3), not a start
		{[]uint64{1, 2, 3}, 2, 4},      // 3 was evicted, 1 and 2 survive
		{[]uint64{7, 8, 10, 11}, 0, 4}, // a whole new chain pushes everything out
		{[]uint64{1}, 0, 4},
	}
	for i, tt := range tests {
		if got := c.match(tt.blocks); got != tt.hits {
			t.Errorf("step %d %v: %d hits, want %d", i, tt.blocks, got, tt.hits)
		}
		if got := c.len(); got != tt.size {
			t.Errorf("step %d: size %d, want %d", i, got, tt.size)
		}
	}
}

// TestPromptBlocks: two prompts sharing a long system message share their
// leading block hashes, and blocks are block-aligned.
func TestPromptBlocks(t *testing.T) {
	p := DefaultProfiles()["doubao-seed-2.0-pro"]
	sys := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 50)
	a := &chatRequest{Messages: []chatMessage{{Role: "system", Content: chatContent{text: sys}}, {Role: "user", Content: chatContent{text: "first question"}}}}
	b := &chatRequest{Messages: []chatMessage{{Role: "system", Content: chatContent{text: sys}}, {Role: "user", Content: chatContent{text: "second, different question"}}}}
	sa, sb := measurePrompt(a, &p), measurePrompt(b, &p)
	if len(sa.blocks) != sa.tokens/64 {
		t.Fatalf("%d blocks for %d tokens at 64 per block", len(sa.blocks), sa.tokens)
	}
	shared := 0
	for shared < min(len(sa.blocks), len(sb.blocks)) && sa.blocks[shared] == sb.blocks[shared] {
		shared++
	}
	// The system prompt is ~500 tokens: 7 full blocks are common.
	if sysTokens := countTokens(sys) + p.TemplateTokensPerMessage; shared != sysTokens/64 {
		t.Errorf("%d shared blocks, want %d", shared, sysTokens/64)
	}
	// Different roles with the same text are different prompts.
	c := &chatRequest{Messages: []chatMessage{{Role: "user", Content: chatContent{text: sys}}}}
	if sc := measurePrompt(c, &p); len(sc.blocks) > 0 && sc.blocks[0] == sa.blocks[0] {
		t.Error("a user message hashes like a system message")
	}
}
