package main

import (
	"testing"
	"time"

	"github.com/seedbench/seedbench/runner"
)

func TestParseShard(t *testing.T) {
	t.Parallel()
	env := func(v string) func(string) string {
		return func(string) string { return v }
	}
	for _, tc := range []struct {
		in      string
		env     string
		want    runner.Shard
		wantErr bool
	}{
		{"", "", runner.Shard{Index: 0, Count: 1}, false}, // unsharded
		{"0/4", "", runner.Shard{Index: 0, Count: 4}, false},
		{"3/4", "", runner.Shard{Index: 3, Count: 4}, false},
		{"4/4", "", runner.Shard{}, true},                        // index out of range
		{"-1/4", "", runner.Shard{}, true},                       // negative index
		{"1/0", "", runner.Shard{}, true},                        // no shards
		{"1", "", runner.Shard{}, true},                          // no count
		{"auto/3", "2", runner.Shard{Index: 2, Count: 3}, false}, // Indexed Job
		{"auto/3", "", runner.Shard{}, true},                     // not in a Job
		{"auto/3", "3", runner.Shard{}, true},                    // index beyond count
	} {
		got, err := parseShard(tc.in, env(tc.env))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseShard(%q, env %q) = %v, %v; want %v, err %v", tc.in, tc.env, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseStartAt(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, in := range []string{"2026-05-01T12:00:00Z", "1777636800000000000"} {
		got, err := parseStartAt(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseStartAt(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"tomorrow", "-5", "2026-05-01"} {
		if _, err := parseStartAt(bad); err == nil {
			t.Errorf("parseStartAt(%q) accepted", bad)
		}
	}
}
