package mockserver

// promptShape is what the server learns from a prompt: its token count
// under the mock's tokenizer and chat template, and the hash of every
// block-aligned prefix (for the prefix cache).
type promptShape struct {
	tokens int
	// blocks[i] is the hash of the rendered prompt up to the end of token
	// (i+1)·blockTokens: two prompts share blocks[0..k] exactly when they
	// share their first (k+1)·blockTokens tokens (up to hash collisions).
	blocks []uint64
}

// FNV-1a, 64 bit.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// promptMeter renders the prompt as a chat template would (role marker,
// content, end marker per message, then the assistant prefix), counting
// tokens and hashing the rendering as it goes.
type promptMeter struct {
	blockTokens int
	tokens      int
	hash        uint64
	blocks      []uint64
}

func (m *promptMeter) feed(s string) {
	h := m.hash
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	m.hash = h
}

// token counts one token that ends the bytes fed so far.
func (m *promptMeter) token() {
	m.tokens++
	if m.blockTokens > 0 && m.tokens%m.blockTokens == 0 {
		m.blocks = append(m.blocks, m.hash)
	}
}

// text feeds s token by token, so block boundaries fall at token ends.
func (m *promptMeter) text(s string) {
	pos := 0
	tokenWalker{}.walk(s, func(end int) {
		if end > pos {
			m.feed(s[pos:end])
			pos = end
		}
		m.token()
	})
}

// overhead adds n template tokens identified by marker.
func (m *promptMeter) overhead(marker string, n int) {
	m.feed("\x00")
	m.feed(marker)
	for range n {
		m.token()
	}
}

func measurePrompt(q *chatRequest, p *Profile) promptShape {
	m := promptMeter{blockTokens: p.PrefixCache.BlockTokens, hash: fnvOffset}
	if len(q.Tools) > 0 && string(q.Tools) != "null" {
		m.overhead("tools", p.TemplateTokensPerMessage)
		m.text(string(q.Tools))
	}
	for _, msg := range q.Messages {
		m.overhead(msg.Role, p.TemplateTokensPerMessage)
		if msg.Name != "" {
			m.text(msg.Name)
		}
		m.text(msg.Content.text)
		if msg.Content.otherParts > 0 {
			m.overhead("parts", msg.Content.otherParts*imagePartTokens)
		}
	}
	m.overhead("assistant", p.TemplateTokensPerRequest)
	return promptShape{tokens: m.tokens, blocks: m.blocks}
}
