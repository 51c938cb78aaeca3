package scenarios

import (
	"strings"
	"testing"
)

// base is a valid scenario; each error case below changes one line of it.
// Line numbers in the expected messages refer to this text.
const base = `name: t
targets:
  - name: mini
    model: doubao-seed-2.0-mini
mix:
  - name: chat
    weight: 1
    prompt_tokens: 2000
    output_tokens: 100
load:
  seed: 1
  max_in_flight: 10
  stages:
    - kind: constant
      rate: 5/s
      duration: 10s
`

func testEnv(name string) (string, bool) {
	v, ok := map[string]string{"GATEWAY": "https://gw.example/api/v3", "EMPTY": ""}[name]
	return v, ok
}

// replace swaps the text of one line of base (1-based).
func replace(line int, text string) string {
	lines := strings.Split(base, "\n")
	lines[line-1] = text
	return strings.Join(lines, "\n")
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want string
	}{
		// Unknown field, with the near miss suggested.
		{"unknown field", replace(15, "      rat: 5/s"),
			"s.yaml:15:7: load.stages[0].rat: unknown field (did you mean \"rate\"?)"},
		// A misspelt field does not hide what validation finds elsewhere
		// (every problem in one pass), nor is it echoed by its sibling.
		{"typo beside a validation error", strings.Replace(replace(15, "      rat: 5/s"), "max_in_flight: 10", "max_in_flight: -3", 1),
			"s.yaml:12:18: load.max_in_flight: -3 must be at least 1\n" +
				"s.yaml:15:7: load.stages[0].rat: unknown field (did you mean \"rate\"?)"},
		// Wrong type: text where a whole number goes.
		{"wrong type", replace(12, "  max_in_flight: lots"),
			`s.yaml:12:18: load.max_in_flight: "lots" is not a whole number (want a whole number)`},
		// A fraction where a whole number goes is refused, not truncated.
		{"fraction for integer", replace(12, "  max_in_flight: 1.5"),
			"s.yaml:12:18: load.max_in_flight: 1.5 is not a whole number (want a whole number)"},
		// A quoted number is text.
		{"quoted number", replace(12, `  max_in_flight: "10"`),
			`s.yaml:12:18: load.max_in_flight: "10" is quoted text, want a whole number (write it without quotes)`},
		// A list where a number goes.
		{"list for number", replace(7, "    weight: [1, 2]"),
			"s.yaml:7:13: mix[0].weight: want a number, got a list"},
		// A mapping where a list goes.
		{"mapping for list", strings.Join(strings.Split(base, "\n")[:12], "\n") + "\n  stages: {kind: constant, rate: 5/s, duration: 10s}\n",
			"s.yaml:13:11: load.stages: want a list, got a mapping"},
		// Rate that is not a rate.
		{"bad rate", replace(15, "      rate: fast"),
			`s.yaml:15:13: load.stages[0].rate: "fast" is not a rate (try "20/s" or "1200/m")`},
		// Rate ≤ 0.
		{"zero rate", replace(15, "      rate: 0/s"),
			`s.yaml:15:13: load.stages[0].rate: "0/s" must be above zero (try "1/s")`},
		// A rate without unit.
		{"rate without unit", replace(15, "      rate: 20"),
			`s.yaml:15:13: load.stages[0].rate: "20" is not a rate (try "20/s" or "1200/m")`},
		// Durations and ratios that do not parse, each at its place, in
		// one pass; a required one not given says what it says today.
		{"every unit in one pass", strings.Replace(replace(16, "      duration: 1d0"), "  max_in_flight: 10\n", "  max_in_flight: 10\n  timeout: 0s\n  warmup: soon\n", 1) +
			"guard_band: lots\nprefix:\n  - {name: a, groups: 2, tokens: 500}\n",
			`s.yaml:13:12: load.timeout: "0s" must be above zero (try "30s")` + "\n" +
				`s.yaml:14:11: load.warmup: "soon" is not a duration (try "30s", "5m", "2h" or "30d")` + "\n" +
				`s.yaml:18:17: load.stages[0].duration: "1d0" is not a duration (try "30s", "5m", "2h" or "30d")` + "\n" +
				`s.yaml:19:13: guard_band: "lots" is not a fraction (try "99.9%" or "0.999")` + "\n" +
				`s.yaml:21:5: prefix[0].share: "" is not a fraction (try "99.9%" or "0.999")`},
		// Unknown stage kind.
		{"bad kind", replace(14, "    - kind: steady"),
			`s.yaml:14:13: load.stages[0].kind: "steady" is not a stage kind (one of constant, poisson, gamma, ramp, sine, concurrency, trace)`},
		// A field another kind takes.
		{"field of another kind", replace(15, "      users: 5"),
			"s.yaml:14:7: load.stages[0].rate: missing (a constant stage takes rate)\n" +
				"s.yaml:15:14: load.stages[0].users: is not used by a constant stage (constant takes rate)"},
		// Weights that do not sum above zero.
		{"zero weights", replace(7, "    weight: 0"),
			"s.yaml:6:3: mix: the weights sum to 0 (at least one class needs a weight above zero)"},
		// Prompt beyond the last tier (and the context).
		{"prompt above context", replace(8, "    prompt_tokens: 300000"),
			"s.yaml:8:20: mix[0].prompt_tokens.value: 300000 is above the last tier's bound (≤ 256000)"},
		// Prompt + output within the context window is fine.
		{"prompt plus output within context", replace(9, "    output_tokens: 10000"), ""},
		// Prompt + output beyond the context window.
		{"context exceeded", strings.Replace(replace(8, "    prompt_tokens: 250000"), "output_tokens: 100", "output_tokens: 20000", 1),
			"s.yaml:8:20: mix[0].prompt_tokens.value: 250000 prompt + 20000 output tokens exceed the 262144-token context window (lower one of them)"},
		// min above max.
		{"min above max", replace(8, "    prompt_tokens: {dist: uniform, min: 5000, max: 1000}"),
			"s.yaml:8:52: mix[0].prompt_tokens.max: 1000 is below min 5000 (min ≤ max)"},
		// A parameter the distribution does not take.
		{"dist field", replace(8, "    prompt_tokens: {dist: normal, mean: 5000, sigma: 1}"),
			"s.yaml:8:20: mix[0].prompt_tokens.stddev: 0 must be above zero (for a fixed length use a bare number)\n" +
				"s.yaml:8:54: mix[0].prompt_tokens.sigma: is not used by a normal distribution (normal takes mean and stddev, with optional min and max)"},
		// A fixed length inside the guard band of a tier boundary.
		{"guard band", replace(8, "    prompt_tokens: 32000"),
			"s.yaml:8:20: mix[0].prompt_tokens.value: 32000 is within the 3% guard band around a tier boundary (move it, or set boundaries: true to test the boundary)"},
		// A tier that does not exist.
		{"bad tier", replace(8, "    tier: 64k"),
			`s.yaml:8:11: mix[0].tier: "64k" is not a tier of doubao-seed-2.0-mini (one of 32k, 128k, 256k)`},
		// Lengths outside the class's tier.
		{"outside tier", strings.Replace(base, "    prompt_tokens: 2000", "    tier: 128k\n    prompt_tokens: 2000", 1),
			"s.yaml:9:20: mix[0].prompt_tokens.value: 2000 is below tier 128k (> 32000)"},
		// Output above the model's max output.
		{"output above max", replace(9, "    output_tokens: 200000"),
			"s.yaml:9:20: mix[0].output_tokens.value: 200000 is above the 131072-token output limit of the targets (max_output_tokens)"},
		// Missing required field.
		{"missing model", replace(4, "    api_key_env: KEY"),
			"s.yaml:3:5: targets[0].model: missing (the model name to send, e.g. doubao-seed-2.0-mini)"},
		// An API key pasted where the variable name goes.
		{"key in api_key_env", replace(4, "    model: doubao-seed-2.0-mini\n    api_key_env: sk-abc123"),
			`s.yaml:5:18: targets[0].api_key_env: "sk-abc123" is not an environment variable name (the variable that holds the key, e.g. ARK_API_KEY — never the key itself)`},
		// An unset environment variable without default.
		{"unset env", replace(4, "    model: doubao-seed-2.0-mini\n    base_url: ${NOPE}"),
			"s.yaml:5:15: targets[0].base_url: ${NOPE} is not set (export it, or write ${NOPE:-default})"},
		// Unknown thinking mode.
		{"bad thinking", replace(4, "    model: doubao-seed-2.0-mini\n    thinking: on"),
			`s.yaml:5:15: targets[0].thinking: "on" is not one of enabled, disabled, auto`},
		// extra_body may not set what seedbench sets.
		{"reserved body field", replace(4, "    model: doubao-seed-2.0-mini\n    extra_body: {max_tokens: 5}"),
			"s.yaml:5:30: targets[0].extra_body.max_tokens: is set by seedbench itself (the mix sets max_tokens; targets set model)"},
		// An unknown objective name, and a bad value.
		{"bad objective", base + "slo:\n  ttft_p100: 2s\n  availability: most\n",
			"s.yaml:18:3: slo.ttft_p100: \"p100\" is not a statistic (try p50, p95, p99, p99.9, mean or max)\n" +
				`s.yaml:19:17: slo.availability: "most" is not a fraction (try "99.9%" or "0.999")`},
		// An objective for a target that does not exist.
		{"slo target", base + "slo:\n  targets:\n    max:\n      ttft_p99: 2s\n",
			`s.yaml:19:5: slo.targets.max: "max" is not a target of this scenario`},
		// Prefix shares above 100% of a class.
		{"prefix share", base + "prefix:\n  - {name: a, groups: 2, tokens: 500, share: 80%}\n  - {name: b, groups: 2, tokens: 500, share: 30%}\n",
			"s.yaml:19:46: prefix[1].share: prefix shares of class \"chat\" add up to 110% (at most 100%)"},
		// A prefix longer than the class's prompts.
		{"prefix too long", base + "prefix:\n  - {name: a, groups: 2, tokens: 1990, share: 50%}\n",
			"s.yaml:18:34: prefix[0].tokens: 1990 leaves no room in class \"chat\", whose prompts are at most 2000 tokens"},
		// Invalid YAML.
		{"syntax", replace(3, "  - name: [mini"),
			"s.yaml:4:5: invalid YAML: ',' or ']' must be specified"},
		// Two documents.
		{"two documents", base + "---\nname: other\n",
			"s.yaml:18:1: a scenario file holds one YAML document (remove the second \"---\")"},
		// An alias to nothing.
		{"bad alias", replace(4, "    model: *m"),
			`s.yaml:4:12: targets[0].model: alias *m refers to no anchor defined above it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWith("s.yaml", []byte(tc.src), Options{Env: testEnv})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
