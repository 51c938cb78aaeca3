package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestSelfcheckJSON runs a one-second selfcheck through the CLI and checks
// the exit code matches the verdict and the output is the JSON report.
func TestSelfcheckJSON(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "selfcheck", "--streams", "3", "--rates", "none",
		"--ttft", "20ms", "--itl", "2ms", "--tokens", "8", "--duration", "600ms", "--warmup", "200ms", "--json"}, &out, &errOut)
	var rep struct {
		Steps []struct {
			Kind     string `json:"kind"`
			Streams  int    `json:"streams"`
			Requests int    `json:"requests"`
		} `json:"steps"`
		Verdict struct {
			Trusted bool   `json:"trusted"`
			Text    string `json:"text"`
		} `json:"verdict"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON (%v): %s\nstderr: %s", err, out.Bytes(), errOut.Bytes())
	}
	// The request count is the selfcheck package's to test; on a starved
	// machine a short window may hold none.
	if len(rep.Steps) != 1 || rep.Steps[0].Kind != "streams" || rep.Steps[0].Streams != 3 || rep.Verdict.Text == "" {
		t.Fatalf("steps: %+v", rep.Steps)
	}
	// Exit 0 when trusted, 3 when even the lowest step is outside the limit.
	if want := map[bool]int{true: exitOK, false: exitUntrusted}[rep.Verdict.Trusted]; code != want {
		t.Fatalf("exit %d with verdict %+v, want %d; stderr: %s", code, rep.Verdict, want, errOut.Bytes())
	}
}

// TestSelfcheckText prints the header, one line per step and the verdict.
func TestSelfcheckText(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "selfcheck", "--streams", "2", "--rates", "50",
		"--ttft", "20ms", "--itl", "2ms", "--tokens", "6", "--duration", "500ms", "--warmup", "100ms"}, &out, &errOut)
	if code != exitOK && code != exitUntrusted {
		t.Fatalf("exit %d: %s", code, errOut.Bytes())
	}
	s := out.String()
	for _, want := range []string{"seedbench selfcheck:", "TTFT err min/p50/p99/max", "\nstreams 2 ", "\nrate 50/s ", "this machine"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

func TestSelfcheckBadUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		// Not a number.
		{"streams word", []string{"--streams", "many"}, `--streams: "many" is not a positive whole number`},
		// Zero is not a load.
		{"rates zero", []string{"--rates", "0"}, `--rates: "0"`},
		// Validation errors name the field.
		{"itl too small", []string{"--itl", "100us"}, "itl: 100µs is not in 1ms..10s"},
		{"stray argument", []string{"extra"}, "selfcheck takes no arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), append([]string{"seedbench", "selfcheck"}, tc.args...), &out, &errOut)
			if code != exitUsage || !strings.Contains(errOut.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut.String(), tc.want)
			}
		})
	}
}

// FuzzParseInts: --streams and --rates either fail or give positive
// numbers that survive a round trip through joinInts.
func FuzzParseInts(f *testing.F) {
	for _, s := range []string{"100,500", " 1 , 2 ,", "0", "-3", "abc", "", ",,", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		xs, err := parseInts(s)
		if err != nil {
			return
		}
		if len(xs) == 0 {
			t.Fatalf("parseInts(%q) = no numbers and no error", s)
		}
		for _, x := range xs {
			if x < 1 {
				t.Fatalf("parseInts(%q) = %v: not positive", s, xs)
			}
		}
		again, err := parseInts(joinInts(xs))
		if err != nil || !slices.Equal(again, xs) {
			t.Fatalf("round trip of %v: %v, %v", xs, again, err)
		}
	})
}
