package scenarios

import (
	"testing"
	"time"
)

// benchPlan is a plan whose only class is a fixed prompt of n tokens.
func benchPlan(b *testing.B, tokens string) *Plan {
	b.Helper()
	src := []byte(`name: bench
targets: [{name: mini, model: doubao-seed-2.0-mini}]
mix: [{name: c, prompt_tokens: ` + tokens + `, output_tokens: 100}]
load: {stages: [{kind: constant, rate: 1/s, duration: 1s}]}
`)
	s, err := ParseWith("bench.yaml", src, Options{Env: testEnv})
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewPlan(s, 1)
	if err != nil {
		b.Fatal(err)
	}
	theCorpus() // built once per process, outside the timing
	return p
}

// BenchmarkRequest256K builds complete request bodies with a 250,000-token
// prompt (the largest the 256k tier allows with room for the answer).
func BenchmarkRequest256K(b *testing.B) {
	p := benchPlan(b, "250000")
	b.ReportAllocs()
	var size int
	for i := 0; b.Loop(); i++ {
		size = len(p.Source.Request(int64(i)).Body)
	}
	b.ReportMetric(float64(size)/1e6, "MB/body")
}

// BenchmarkRequest2K is a typical chat-sized request.
func BenchmarkRequest2K(b *testing.B) {
	p := benchPlan(b, "2000")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = p.Source.Request(int64(i))
	}
}

// BenchmarkPoissonPace is the scheduler's per-hit cost of the Poisson pacer
// called in order, as the runner does.
func BenchmarkPoissonPace(b *testing.B) {
	p := NewPoisson(1000, 1)
	b.ReportAllocs()
	var hits uint64
	for b.Loop() {
		w, _ := p.Pace(0, hits)
		hits++
		_ = w
	}
}

// BenchmarkGammaPace is the same for the gamma pacer (CV 2).
func BenchmarkGammaPace(b *testing.B) {
	g := NewGamma(1000, 2, 1)
	b.ReportAllocs()
	var hits uint64
	for b.Loop() {
		_, _ = g.Pace(time.Duration(hits), hits)
		hits++
	}
}

// BenchmarkBuildCorpus is the one-time cost, per process, of the prompt
// corpus (2¹⁹ units, about 3 MB of text).
func BenchmarkBuildCorpus(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = buildCorpus()
	}
}
