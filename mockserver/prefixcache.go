package mockserver

import "sync"

// prefixCache is a block-aligned LRU over prompt prefixes, like a serving
// engine's KV-cache block pool. Each entry is the hash of a prompt prefix
// ending on a block boundary (see promptShape.blocks). A prompt's cached
// tokens are blockTokens × the number of its leading blocks found.
//
// Eviction order matters: blocks are touched from the last to the first, so
// the first block of a prompt is the most recently used and a chain is
// evicted from its end, never cut at its start (vLLM frees blocks the same
// way).
type prefixCache struct {
	mu    sync.Mutex
	cap   int
	index map[uint64]int32
	nodes []lruNode // nodes[0] is the list sentinel
	free  []int32
}

type lruNode struct {
	hash       uint64
	prev, next int32
}

func newPrefixCache(capacity int) *prefixCache {
	c := &prefixCache{cap: capacity, index: make(map[uint64]int32), nodes: make([]lruNode, 1, 1+min(capacity, 1024))}
	return c
}

// match returns how many leading blocks are cached, then records all of
// them as used (inserting the missing ones, evicting the least recently
// used beyond capacity).
func (c *prefixCache) match(blocks []uint64) int {
	if len(blocks) == 0 {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	hits := 0
	for _, h := range blocks {
		if _, ok := c.index[h]; !ok {
			break
		}
		hits++
	}
	for i := len(blocks) - 1; i >= 0; i-- {
		c.touch(blocks[i])
	}
	return hits
}

// touch moves h to the front, inserting it if absent.
func (c *prefixCache) touch(h uint64) {
	if i, ok := c.index[h]; ok {
		c.unlink(i)
		c.pushFront(i)
		return
	}
	var i int32
	switch {
	case len(c.free) > 0:
		i = c.free[len(c.free)-1]
		c.free = c.free[:len(c.free)-1]
	case len(c.nodes)-1 < c.cap:
		c.nodes = append(c.nodes, lruNode{})
		i = int32(len(c.nodes) - 1)
	default: // full: reuse the least recently used node
		i = c.nodes[0].prev
		c.unlink(i)
		delete(c.index, c.nodes[i].hash)
	}
	c.nodes[i].hash = h
	c.index[h] = i
	c.pushFront(i)
}

func (c *prefixCache) unlink(i int32) {
	n := &c.nodes[i]
	c.nodes[n.prev].next = n.next
	c.nodes[n.next].prev = n.prev
}

func (c *prefixCache) pushFront(i int32) {
	first := c.nodes[0].next
	c.nodes[i].prev, c.nodes[i].next = 0, first
	c.nodes[first].prev = i
	c.nodes[0].next = i
}

// len is the number of cached blocks.
func (c *prefixCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.index)
}
