package scenarios

// Every random choice in a plan comes from a splitmix64 stream seeded by
// hashing (seed, index, purpose). Streams are tiny values with no shared
// state, so request k is computed the same way on any machine, in any
// order, from any goroutine — which is what lets shards agree.

// Stream purposes, so that adding a draw for one purpose never shifts
// another's.
const (
	tagShape  = 0x5ea0_0001 // class, lengths, prefix group, corpus offset of a request pair
	tagSalt   = 0x5ea0_0002 // a request's unique salt
	tagPrefix = 0x5ea0_0003 // a prefix group's text
	tagStage  = 0x5ea0_0004 // a stage pacer's seed
	tagProbe  = 0x5ea0_0005 // calibration probes
)

type stream struct{ s uint64 }

// newStream starts a stream for (a, b, c).
func newStream(a, b, c uint64) stream {
	return stream{s: mix(mix(a, b), c)}
}

// mix hashes two words into one (splitmix64's finaliser over a ⊕ golden·b).
func mix(a, b uint64) uint64 {
	z := a ^ (b+0x632be59bd9b4e019)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// next is splitmix64.
func (r *stream) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// float is uniform in [0, 1) with 53 random bits.
func (r *stream) float() float64 { return float64(r.next()>>11) * 0x1p-53 }

// intn is uniform in [0, n) for n > 0 (multiply-shift; the bias is below
// 2⁻³² for any n a plan uses).
func (r *stream) intn(n int) int {
	return int((r.next() >> 32) * uint64(n) >> 32)
}
