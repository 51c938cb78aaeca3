package scenarios_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/seedbench/seedbench/scenarios"
)

func ExampleParse() {
	src := []byte(`name: demo
targets:
  - {name: mini, model: doubao-seed-2.0-mini}
mix:
  - {name: chat, prompt_tokens: 2000, output_tokens: 200}
load:
  stages:
    - {kind: poisson, rate: 600/m, duration: 1m}
`)
	s, err := scenarios.Parse("demo.yaml", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := scenarios.NewPlan(s, 1)
	r := p.Source.Request(0)
	fmt.Println(s.Name, len(p.Stages), "stage,", r.Class, r.Tier, r.EstPromptTokens, r.MaxTokens)
	// Output: demo 1 stage, chat 32k 2000 200
}

func ExampleParse_error() {
	_, err := scenarios.Parse("demo.yaml", []byte(`name: demo
targets:
  - {name: mini, model: doubao-seed-2.0-mini}
mix:
  - {name: chat, prompt_tokens: 2000, output_tokens: 200}
load:
  stages:
    - {kind: constant, rate: fast, duration: 1m}
`))
	fmt.Println(err)
	// Output: demo.yaml:8:30: load.stages[0].rate: "fast" is not a rate (try "20/s" or "1200/m")
}

func ExampleModel_Cost() {
	mini, _ := scenarios.DefaultCatalog().Lookup("doubao-seed-2.0-mini")
	// 24,000 prompt tokens of which 16,000 cached, 500 completion tokens:
	// 8,000·0.2 + 16,000·0.04 + 500·2 = 3,240 per 1M.
	c := mini.Cost(scenarios.Usage{PromptTokens: 24000, CachedTokens: 16000, CompletionTokens: 500})
	fmt.Printf("%s tier: %.6f %s\n", c.Tier, c.Total, c.Currency)
	// Output: 32k tier: 0.003240 CNY
}

func ExampleRecalibrate() {
	// Three probes: the server counted 1.2 tokens per estimated token plus
	// 9 tokens of chat template.
	c, _ := scenarios.Recalibrate(scenarios.Calibration{}, []scenarios.CalibrationSample{
		{Estimate: 500, Server: 609}, {Estimate: 2000, Server: 2409}, {Estimate: 8000, Server: 9609},
	})
	fmt.Printf("ratio %.2f overhead %.0f; 32000 server tokens need %d estimated\n", c.Ratio, c.Overhead, c.FromServer(32000))
	// Output: ratio 1.20 overhead 9; 32000 server tokens need 26659 estimated
}

func ExampleObjective() {
	o, _ := scenarios.ParseObjective("ttft_p99", "2s")
	fmt.Println(o, o.Quantile, o.Met((1500 * time.Millisecond).Seconds()))
	// Output: ttft_p99 ≤ 2s 0.99 true
}

func ExampleRate() {
	s, _ := scenarios.Parse("demo.yaml", []byte(`
name: demo
targets: [{model: doubao-seed-2.0-mini}]
mix: [{prompt_tokens: 2000, output_tokens: 200}]
load: {stages: [{kind: sine, mean: 1200/m, amplitude: 5/s, period: 10m, duration: 1h}]}
`))
	// Read once, where the scenario is read: the number for arithmetic,
	// the text for messages and for the results header.
	st := s.Load.Stages[0]
	fmt.Println(st.Mean.PerSec, st.Mean, st.Period.D)
	b, _ := json.Marshal(st)
	fmt.Println(string(b))
	// A rate the program sets is written the way a scenario would be.
	fmt.Println(scenarios.RateOf(0.5))
	// Output:
	// 20 1200/m 10m0s
	// {"kind":"sine","mean":"1200/m","amplitude":"5/s","period":"10m","duration":"1h"}
	// 30/m
}
