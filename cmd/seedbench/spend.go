package main

import (
	"net"
	"net/url"

	"github.com/seedbench/seedbench/scenarios"
)

// allBuiltinMock says every target is served by the built-in mock (no
// base_url).
func allBuiltinMock(sc *scenarios.Scenario) bool {
	for _, t := range sc.Targets {
		if t.BaseURL != "" {
			return false
		}
	}
	return true
}

// needsSpendCap says a run of sc may cost money: some target is neither the
// built-in mock nor a server on this machine's loopback interface (a mock
// or a test server: a paid API is never there).
func needsSpendCap(sc *scenarios.Scenario) bool {
	for _, t := range sc.Targets {
		if t.BaseURL == "" {
			continue
		}
		u, err := url.Parse(t.BaseURL)
		if err != nil {
			return true
		}
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return true
		}
	}
	return false
}

// spendCap is the flag's cap, else load.max_spend, in the catalog's
// currency (0: none).
func spendCap(flag string, sc *scenarios.Scenario) (float64, error) {
	return spendCapIn(flag, sc, "")
}

// spendCapIn is spendCap in currency ("" for the catalog's), for a search
// whose bill is shown, and capped, in it.
func spendCapIn(flag string, sc *scenarios.Scenario, currency string) (float64, error) {
	s, src := flag, "--max-spend"
	if s == "" {
		s, src = sc.Load.MaxSpend, "load.max_spend"
	}
	if s == "" {
		return 0, nil
	}
	v, err := sc.Catalog().ParseMoneyIn(s, currency)
	if err != nil {
		return 0, usageErr("%s: %v", src, err)
	}
	return v, nil
}
