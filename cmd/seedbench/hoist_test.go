package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestHoistFlags(t *testing.T) {
	t.Parallel()
	cmds := newApp(nil, nil).Commands
	for _, tc := range []struct {
		in, want string
	}{
		// Flags after the scenario move in front of it, values and all.
		{"seedbench run mini-vs-pro --duration 10s --quiet", "seedbench run --duration 10s --quiet mini-vs-pro"},
		// --flag=value is one token.
		{"seedbench run quickstart --rate=5/s", "seedbench run --rate=5/s quickstart"},
		// Already in order: unchanged.
		{"seedbench run --seed 3 quickstart", "seedbench run --seed 3 quickstart"},
		// A boolean flag does not swallow the next argument.
		{"seedbench run --quiet quickstart", "seedbench run --quiet quickstart"},
		// Subcommands: the flag belongs to "scenarios show".
		{"seedbench scenarios show quickstart --yaml", "seedbench scenarios show --yaml quickstart"},
		// After "--" everything is positional.
		{"seedbench compare a -- --b", "seedbench compare a -- --b"},
		// Several positional arguments keep their order.
		{"seedbench compare base cur --max-regression ttft_p99=5%", "seedbench compare --max-regression ttft_p99=5% base cur"},
		// Unknown command: untouched, for the CLI to report.
		{"seedbench nope x --y", "seedbench nope x --y"},
	} {
		got := hoistFlags(cmds, strings.Fields(tc.in))
		if want := strings.Fields(tc.want); !reflect.DeepEqual(got, want) {
			t.Errorf("hoistFlags(%q) = %q, want %q", tc.in, got, want)
		}
	}
}
