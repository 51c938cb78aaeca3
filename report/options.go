package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/seedbench/seedbench/scenarios"
)

// Options configure a report.
type Options struct {
	// Pricing is the model catalog's prices; nil leaves cost out.
	Pricing Pricing
	// SLO objectives laid over the scenario's (the --slo flag): an
	// objective here replaces the scenario's of the same key, on every
	// target; the scenario's other objectives stay (scenarios.SLO.Merge).
	SLO []scenarios.Objective
	// Rate, when above zero, is the total request rate (req/s) cost
	// projections assume instead of the scenario's.
	Rate float64
	// NoPlots skips the charts (and leaves report.html without them).
	NoPlots bool
	// PlotDPI is the resolution of the PNG plots; 0 means plot.DefaultDPI
	// (twice a screen's, sharp on high-density displays).
	PlotDPI int
	// StepSummary, when set, is a file the Markdown report is appended to
	// (GitHub Actions' $GITHUB_STEP_SUMMARY).
	StepSummary string
	// JUnit, when set, is where the SLO checks are written as JUnit XML.
	JUnit string
	// Workers decoding in parallel; 0 means GOMAXPROCS.
	Workers int
}

// ResultsFiles expands report arguments: a results file stands for itself; a
// directory for its results.jsonl, or — a directory of shard directories —
// every */results.jsonl below it, sorted.
func ResultsFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		p := filepath.Join(a, "results.jsonl")
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
			continue
		}
		shards, _ := filepath.Glob(filepath.Join(a, "*", "results.jsonl"))
		if len(shards) == 0 {
			return nil, fmt.Errorf("%s: no results.jsonl in it or in its subdirectories", a)
		}
		sort.Strings(shards)
		out = append(out, shards...)
	}
	if len(out) == 0 {
		return nil, errors.New("no results files given")
	}
	return out, nil
}

// objectives resolves the objectives for a run: the scenario's from the
// first header, overridden by opts.SLO.
func objectives(resolved json.RawMessage, opts Options) ([]scenarios.Objective, error) {
	base, err := ScenarioObjectives(resolved)
	if err != nil {
		return nil, err
	}
	return resolveObjectives(base, opts.SLO), nil
}

// Aggregate reads the results files and returns their summary, writing
// nothing. Use WriteAll to produce the report's files.
func Aggregate(paths []string, opts Options) (*Summary, error) {
	return aggregate(paths, opts, nil)
}

func aggregate(paths []string, opts Options, csv io.Writer) (*Summary, error) {
	if len(paths) == 0 {
		return nil, errors.New("no results files given")
	}
	h, err := readHeader(paths[0])
	if err != nil {
		return nil, err
	}
	objs, err := objectives(h.Resolved, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", paths[0], err)
	}
	pricing := opts.Pricing
	if fr, ok := pricing.(forRun); ok {
		pricing = fr.forRun(h)
	}
	limits := func(target string) [numMetrics]int64 { return requestLimits(objectivesFor(objs, target)) }
	ro := readOptions{workers: opts.Workers, csv: csv, agg: func() *aggregator {
		ag := newAggregator(pricing, limits)
		ag.stages = h.Stages
		ag.windowed = func(target string) []scenarios.Objective { return objectivesFor(objs, target) }
		return ag
	}}
	ag, files, err := readAll(paths, ro)
	if err != nil {
		return nil, err
	}
	s := build(ag, files, objs, pricing, opts.Rate)
	if pricing == nil {
		s.Warnings = append(s.Warnings, "no price catalog: cost not computed")
	}
	return s, nil
}

// plural is "1 request" / "2 requests".
func plural(n int64, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, strings.TrimSuffix(word, "s"))
}
