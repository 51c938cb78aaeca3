package report_test

import (
	"fmt"

	"github.com/seedbench/seedbench/report"
)

func ExampleTierPrice_Cost() {
	// Seed 2.0 Mini's 32K tier, CNY per 1M tokens.
	p := report.TierPrice{Tier: "32k", Currency: "CNY", Input: 0.2, Output: 2, CacheRead: 0.04}
	// 10,000 prompt tokens of which 2,000 cached, 500 completion tokens:
	// 8,000·0.2 + 2,000·0.04 + 500·2 = 2,680 per 1M.
	fmt.Printf("%.5f %s\n", p.Cost(10_000, 2_000, 500), p.Currency)
	fmt.Printf("saved by the cache: %.5f\n", p.CacheSavings(2_000))
	// Output:
	// 0.00268 CNY
	// saved by the cache: 0.00032
}

func ExampleParseThresholds() {
	th, err := report.ParseThresholds("ttft_p99=10%,availability=0.5%")
	if err != nil {
		panic(err)
	}
	for _, t := range th {
		fmt.Printf("%s: %g\n", t.Key, t.Limit)
	}
	// Output:
	// ttft_p99: 0.1
	// availability: 0.005
}
