// Command selfcheckstat summarises several `seedbench selfcheck --json`
// reports of the same configuration: for every step, the median across
// runs of each figure, with the range beside it, as a Markdown table. One
// selfcheck run on a shared machine is an anecdote; the median of five is
// a figure worth quoting.
//
//	for i in 1 2 3 4 5; do seedbench selfcheck --json > sc-$i.json; done
//	go run ./bench/selfcheckstat sc-*.json
//
// It lives in bench/ because it is benchmark tooling, not part of the
// product: it reads selfcheck's JSON and nothing imports it.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/seedbench/seedbench/selfcheck"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "selfcheckstat:", err)
		os.Exit(2)
	}
}

func run(paths []string, w io.Writer) error {
	if len(paths) == 0 {
		return errors.New("usage: selfcheckstat REPORT.json... (from seedbench selfcheck --json)")
	}
	var reps []*selfcheck.Report
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var r selfcheck.Report
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: not a selfcheck JSON report: %w", p, err)
		}
		reps = append(reps, &r)
	}
	rows, err := summarize(reps)
	if err != nil {
		return err
	}
	return writeTable(w, reps, rows)
}

// figure is one column: its name and how to read it from a step (ok false
// when the step does not have it, e.g. lag in a closed-loop step).
type figure struct {
	name string
	get  func(*selfcheck.Step) (float64, bool)
}

func dist(d func(*selfcheck.Step) *selfcheck.Dist, q func(*selfcheck.Dist) int64) func(*selfcheck.Step) (float64, bool) {
	return func(s *selfcheck.Step) (float64, bool) {
		if x := d(s); x != nil {
			return float64(q(x)), true
		}
		return 0, false
	}
}

var (
	p50 = func(d *selfcheck.Dist) int64 { return d.P50 }
	p99 = func(d *selfcheck.Dist) int64 { return d.P99 }
)

var figures = []figure{
	{"req/s", func(s *selfcheck.Step) (float64, bool) { return s.RPS, true }},
	{"TTFT err p50 µs", dist(func(s *selfcheck.Step) *selfcheck.Dist { return s.TTFTErr }, p50)},
	{"TTFT err p99 µs", dist(func(s *selfcheck.Step) *selfcheck.Dist { return s.TTFTErr }, p99)},
	{"request p99 µs", dist(func(s *selfcheck.Step) *selfcheck.Dist { return s.TTFTRequest }, p99)},
	{"mock write p99 µs", dist(func(s *selfcheck.Step) *selfcheck.Dist { return s.TTFTMockWrite }, p99)},
	{"client read p99 µs", dist(func(s *selfcheck.Step) *selfcheck.Dist { return s.TTFTClientRead }, p99)},
	{"ITL abs err p50 µs", dist(func(s *selfcheck.Step) *selfcheck.Dist { return s.ITLAbsErr }, p50)},
	{"ITL abs err p99 µs", dist(func(s *selfcheck.Step) *selfcheck.Dist { return s.ITLAbsErr }, p99)},
	{"lag p99 µs", dist(func(s *selfcheck.Step) *selfcheck.Dist { return s.Lag }, p99)},
	{"wake-up p99 µs", dist(func(s *selfcheck.Step) *selfcheck.Dist { return s.Wakeup }, p99)},
	{"CPU cores", func(s *selfcheck.Step) (float64, bool) {
		if s.CPU == nil {
			return 0, false
		}
		return s.CPU.Cores, true
	}},
	{"load avg", func(s *selfcheck.Step) (float64, bool) {
		if s.Load1 == nil {
			return 0, false
		}
		return *s.Load1, true
	}},
}

// row is one step across runs: per figure, the values of every run that
// had it.
type row struct {
	step   string
	within int // runs in which the step was within limits
	values [][]float64
}

// summarize pairs the steps of every report by position; the reports must
// have run the same steps.
func summarize(reps []*selfcheck.Report) ([]row, error) {
	var rows []row
	for i, st := range reps[0].Steps {
		r := row{step: st.String(), values: make([][]float64, len(figures))}
		for j, rep := range reps {
			if len(rep.Steps) != len(reps[0].Steps) || rep.Steps[i].String() != r.step {
				return nil, fmt.Errorf("report %d ran different steps from report 1 (step %d: %q)", j+1, i+1, r.step)
			}
			s := &rep.Steps[i]
			if s.Within {
				r.within++
			}
			for f, fig := range figures {
				if v, ok := fig.get(s); ok {
					r.values[f] = append(r.values[f], v)
				}
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// median of xs (the mean of the two middle values for an even count);
// xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// cell is "median (min–max)", or "-" without values.
func cell(xs []float64) string {
	if len(xs) == 0 {
		return "-"
	}
	m := median(xs)
	// Integers stay integers; µs-sized figures are rounded (the median of
	// an even count may end in .5); small fractions (cores) keep two
	// decimals.
	format := func(v float64) string {
		if v == float64(int64(v)) || v >= 100 || v <= -100 {
			return fmt.Sprintf("%.0f", v)
		}
		return fmt.Sprintf("%.2f", v)
	}
	if len(xs) == 1 || xs[0] == xs[len(xs)-1] {
		return format(m)
	}
	return fmt.Sprintf("%s (%s–%s)", format(m), format(xs[0]), format(xs[len(xs)-1]))
}

func writeTable(w io.Writer, reps []*selfcheck.Report, rows []row) error {
	m, c := reps[0].Machine, reps[0].Config
	var b strings.Builder
	fmt.Fprintf(&b, "seedbench selfcheck, %d runs: median (min–max) per step; %d CPUs, %s; TTFT %dms, ITL %dms, %d tokens, %gs per step, limit %dµs\n\n",
		len(reps), m.CPUs, m.Go, c.TTFTUS/1000, c.ITLUS/1000, c.Tokens, c.DurationS, c.LimitUS)
	b.WriteString("| step | within limit |")
	for _, f := range figures {
		b.WriteString(" " + f.name + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(figures)) + "\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d/%d |", r.step, r.within, len(reps))
		for f := range figures {
			b.WriteString(" " + cell(r.values[f]) + " |")
		}
		b.WriteString("\n")
	}
	var verdicts []string
	for _, rep := range reps {
		verdicts = append(verdicts, fmt.Sprintf("%d streams / %d req/s", rep.Verdict.MaxStreams, rep.Verdict.MaxRate))
	}
	fmt.Fprintf(&b, "\naccurate up to, per run: %s\n", strings.Join(verdicts, "; "))
	_, err := io.WriteString(w, b.String())
	return err
}
