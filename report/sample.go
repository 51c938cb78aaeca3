package report

import "sort"

// sampler keeps a bounded, deterministic sample of points for the TTFT vs
// prompt-tokens scatter: the size points whose hashed sequence number k is
// smallest (a bottom-k sketch). Unlike reservoir sampling the result does
// not depend on the order records arrive in, so parallel workers and shards
// give the same picture, and two samplers merge by keeping the smallest.
type sampler struct {
	size   int
	points []point
}

type point struct {
	hash   uint64
	k      int64
	prompt int   // prompt tokens (server's count when known)
	ttftUS int64 // time to first token
	tier   string
}

func newSampler(size int) *sampler { return &sampler{size: size} }

func (s *sampler) add(p point) {
	s.points = append(s.points, p)
	if len(s.points) >= 2*s.size {
		s.trim()
	}
}

func (s *sampler) trim() {
	sort.Slice(s.points, func(i, j int) bool { return s.points[i].hash < s.points[j].hash })
	if len(s.points) > s.size {
		s.points = s.points[:s.size]
	}
}

func (s *sampler) merge(o *sampler) {
	s.points = append(s.points, o.points...)
	s.trim()
}

// mix64 is splitmix64's finaliser: a bijective scramble of k, so the sample
// is spread over the whole run rather than its first requests.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
