package report

import (
	"fmt"
	"io"
	"os"
	"sort"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/seedbench/seedbench/runner"
)

// TargetStats aggregates one target's records.
type TargetStats struct {
	Name, Model string
	Requests    int64 // measured (non-warmup) requests, dropped included
	OK          int64
	Errors      map[string]int64
	TTFT, E2E   *hdrhistogram.Histogram
	FirstUS     int64
	LastUS      int64
	OutTokens   int64
}

// Summary is the result of reading one or more results files.
type Summary struct {
	Header   runner.Header
	Targets  []*TargetStats
	Warnings []string
}

// Aggregate streams over the results files at paths.
func Aggregate(paths ...string) (*Summary, error) {
	s := &Summary{}
	byName := map[string]*TargetStats{}
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		rd, err := runner.NewReader(f, p)
		if err != nil {
			f.Close()
			return nil, err
		}
		if i == 0 {
			s.Header = rd.Header
		}
		var r runner.Result
		for {
			err := rd.Next(&r)
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return nil, err
			}
			if r.Warmup {
				continue
			}
			t := byName[r.Target]
			if t == nil {
				t = &TargetStats{Name: r.Target, Model: r.Model, Errors: map[string]int64{}, TTFT: newHist(), E2E: newHist(), FirstUS: -1}
				byName[r.Target] = t
				s.Targets = append(s.Targets, t)
			}
			t.Requests++
			if t.FirstUS < 0 || (r.SentUS >= 0 && r.SentUS < t.FirstUS) {
				t.FirstUS = r.SentUS
			}
			if end := r.SentUS + r.E2EUS; end > t.LastUS {
				t.LastUS = end
			}
			if !r.OK() {
				t.Errors[r.ErrorClass]++
				continue
			}
			t.OK++
			record(t.TTFT, r.TTFTUS)
			record(t.E2E, r.E2EUS)
			if r.Usage != nil {
				t.OutTokens += int64(r.Usage.CompletionTokens)
			}
		}
		s.Warnings = append(s.Warnings, rd.Warnings...)
		f.Close()
	}
	sort.Slice(s.Targets, func(i, j int) bool { return s.Targets[i].Name < s.Targets[j].Name })
	return s, nil
}

func ms(us int64) string { return fmt.Sprintf("%.1fms", float64(us)/1000) }

// WriteText renders the terminal summary.
func WriteText(w io.Writer, s *Summary) error {
	fmt.Fprintf(w, "scenario %s  seed %d\n", s.Header.Scenario, s.Header.Seed)
	fmt.Fprintf(w, "%-10s %8s %7s %10s %10s %10s %10s %10s %10s %9s\n", "target", "requests", "errors", "ttft p50", "ttft p90", "ttft p99", "e2e p50", "e2e p90", "e2e p99", "req/s")
	for _, t := range s.Targets {
		dur := float64(t.LastUS-t.FirstUS) / 1e6
		rps := 0.0
		if dur > 0 {
			rps = float64(t.OK) / dur
		}
		fmt.Fprintf(w, "%-10s %8d %7d %10s %10s %10s %10s %10s %10s %9.2f\n", t.Name, t.Requests, t.Requests-t.OK,
			ms(t.TTFT.ValueAtQuantile(50)), ms(t.TTFT.ValueAtQuantile(90)), ms(t.TTFT.ValueAtQuantile(99)),
			ms(t.E2E.ValueAtQuantile(50)), ms(t.E2E.ValueAtQuantile(90)), ms(t.E2E.ValueAtQuantile(99)), rps)
		for c, n := range t.Errors {
			fmt.Fprintf(w, "  %s: %d\n", c, n)
		}
	}
	for _, wn := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
	return nil
}
