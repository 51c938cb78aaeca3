package main

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// A command line the CLI cannot run is answered in at most three lines on
// stderr (what is wrong, with the name meant when one is near; the usage
// line), nothing on stdout, and exit 2.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args string
		want []string // substrings of stderr
	}{
		// An unknown command, nothing near: the commands there are.
		{"frobnicate", []string{`unknown command "frobnicate"`, "one of: run, "}},
		// A near miss.
		{"rnu", []string{`unknown command "rnu" (did you mean "run"?)`}},
		// An unknown subcommand, and a near one.
		{"scenarios frob", []string{`unknown scenarios subcommand "frob"`, "one of: list, show, validate"}},
		{"scenarios lsit", []string{`(did you mean "list"?)`}},
		// An unknown flag gets the near flag and the usage line, not the help.
		{"run --durration 5s", []string{"unknown flag --durration (did you mean --duration?)", "usage: seedbench run [flags] [SCENARIO]"}},
		{"scenarios show --yml quickstart", []string{"(did you mean --yaml?)", "usage: seedbench scenarios show"}},
		// A bad value names the flag as the help spells it.
		{"run --seed seven", []string{`invalid value "seven" for flag --seed`, "usage: seedbench run"}},
		// A flag before any command.
		{"--frob", []string{"unknown flag --frob", "usage: seedbench"}},
		// A misspelt built-in scenario.
		{"scenarios show mini-vs-pr", []string{`no built-in scenario "mini-vs-pr" (did you mean "mini-vs-pro"?)`}},
		{"cost quickstrat", []string{`(did you mean "quickstart"?)`}},
	} {
		out, errOut, code := seedbench(t, strings.Fields(tc.args)...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want 2", tc.args, code)
		}
		if out != "" {
			t.Errorf("%s: stdout %q, want nothing", tc.args, out)
		}
		if n := strings.Count(strings.TrimRight(errOut, "\n"), "\n") + 1; n > 3 {
			t.Errorf("%s: %d lines on stderr, want at most 3:\n%s", tc.args, n, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.args, w, errOut)
			}
		}
	}
}

// The help shows a default only when it is real: no Go zero values
// ("(default: 0)", "(default: false)"), and the ones that matter say what
// an unset flag does.
func TestHelpDefaults(t *testing.T) {
	var walk func(cmds []*cli.Command, path []string)
	walk = func(cmds []*cli.Command, path []string) {
		for _, c := range cmds {
			args := append(append([]string(nil), path...), c.Name)
			walk(c.Subcommands, args)
			out, _, code := seedbench(t, append(args, "--help")...)
			if code != 0 {
				t.Errorf("%s --help: exit %d", strings.Join(args, " "), code)
			}
			for _, zero := range []string{"(default: 0)", "(default: false)", "(default: 0s)", `(default: "")`, "(default: ) "} {
				if strings.Contains(out, zero) {
					t.Errorf("%s --help shows %s:\n%s", strings.Join(args, " "), zero, out)
				}
			}
		}
	}
	walk(newApp(nil, nil).Commands, nil)
	for _, tc := range []struct{ args, want string }{
		// The mock's real default time scale is 1.
		{"mock --help", "--time-scale value           multiply every latency (1 real time, 0.01 a hundred times faster, 0 no waiting) (default: the config's, else 1)"},
		{"mock --help", "(default: the config's, else 16 MiB)"},
		{"report --help", "cost projections (default: the scenario's)\n"},
		{"run --help", "plan with this seed (default: the scenario's load.seed)"},
		// A default that is not zero is shown as before.
		{"run --help", "(default: 30s)"},
	} {
		out, _, _ := seedbench(t, strings.Fields(tc.args)...)
		if !strings.Contains(out, tc.want) {
			t.Errorf("%s lacks %q:\n%s", tc.args, tc.want, out)
		}
	}
}
