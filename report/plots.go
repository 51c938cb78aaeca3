package report

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/seedbench/seedbench/report/plot"
)

// Plot is one rendered chart.
type Plot struct {
	Name    string // file name stem under plots/
	Title   string
	Caption string // what it shows and how to read it
	PNG     []byte
	SVG     []byte
}

// plotSpec builds one chart's figure from a summary.
type plotSpec struct {
	name, title, caption string
	build                func(*Summary) (*plot.Figure, error)
}

var plotSpecs = []plotSpec{
	{"ttft_histogram", "TTFT histogram",
		"Time to first token of successful requests, per variant, as the share of its requests in each bin (log time axis, up to p99.9).",
		ttftHistogram},
	{"latency_percentiles", "Latency percentile distribution",
		"TTFT and end-to-end latency of successful requests at every percentile, HDR-style: each step right is ten times rarer (90%, 99%, 99.9%).",
		latencyPercentiles},
	{"ttft_vs_prompt", "TTFT vs prompt tokens",
		"A deterministic sample of successful requests: time to first token against the server's prompt token count; dashed lines are price-tier boundaries.",
		ttftVsPrompt},
	{"timeline", "Throughput and TTFT over time",
		"Successful requests per second (by completion time) and TTFT p50/p99 of the requests sent in each bucket.",
		timeline},
	{"slo_time", "SLO over time",
		"Each windowed objective window by window (green held, red failed, grey nothing to judge) and each error-budget burn condition over the run (red: the page condition held, which fails the verdict; orange: the ticket condition).",
		sloLanes},
	{"cost_per_1k", "Cost per 1K requests by tier",
		"Server-usage cost per 1,000 billed requests per variant, stacked by the tier each request was billed in.",
		costPer1K},
}

// renderPlots draws every chart there is data for, writes PNG and SVG under
// dir/plots, and returns them for report.html.
func renderPlots(dir string, s *Summary, opts Options) ([]Plot, error) {
	if opts.NoPlots {
		return nil, nil
	}
	pd := filepath.Join(dir, DirPlots)
	if err := os.MkdirAll(pd, 0o755); err != nil {
		return nil, err
	}
	out := make([]*Plot, len(plotSpecs))
	errs := make([]error, len(plotSpecs))
	var wg sync.WaitGroup
	for i, sp := range plotSpecs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fig, err := sp.build(s)
			if errors.Is(err, plot.ErrNoData) {
				return
			}
			if err != nil {
				errs[i] = fmt.Errorf("plot %s: %w", sp.name, err)
				return
			}
			p := &Plot{Name: sp.name, Title: sp.title, Caption: sp.caption}
			dpi := opts.PlotDPI
			if dpi <= 0 {
				dpi = plot.DefaultDPI
			}
			if p.PNG, err = fig.PNGAt(dpi); err == nil {
				p.SVG, err = fig.SVG()
			}
			if err == nil {
				err = os.WriteFile(filepath.Join(pd, sp.name+".png"), p.PNG, 0o644)
			}
			if err == nil {
				err = os.WriteFile(filepath.Join(pd, sp.name+".svg"), p.SVG, 0o644)
			}
			if err != nil {
				errs[i] = fmt.Errorf("plot %s: %w", sp.name, err)
				return
			}
			out[i] = p
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var plots []Plot
	for _, p := range out {
		if p != nil {
			plots = append(plots, *p)
		}
	}
	return plots, nil
}

// histOf returns target name's distribution of m (every tier).
func histOf(s *Summary, name string, m Metric) *hdrhistogram.Histogram {
	if a := s.all[name]; a != nil {
		return a.hist[m]
	}
	return nil
}

func ttftHistogram(s *Summary) (*plot.Figure, error) {
	lo, hi := math.Inf(1), 0.0
	for _, t := range s.Targets {
		h := histOf(s, t.Name, TTFT)
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		lo = math.Min(lo, float64(h.Min()))
		hi = math.Max(hi, float64(h.ValueAtPercentile(99.9)))
	}
	if hi <= 0 {
		return nil, plot.ErrNoData
	}
	if hi <= lo*1.05 {
		lo, hi = lo*0.9, hi*1.1
	}
	// 50 bins of equal width on the log axis between the fastest request and
	// the slowest variant's p99.9.
	const nBins = 50
	llo, lhi := math.Log(lo), math.Log(hi*1.0001)
	var series []plot.HistSeries
	for _, t := range s.Targets {
		h := histOf(s, t.Name, TTFT)
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		counts := make([]float64, nBins)
		for _, b := range h.Distribution() {
			if b.Count == 0 {
				continue
			}
			v := float64(b.From+b.To) / 2
			i := int((math.Log(math.Max(v, lo)) - llo) / (lhi - llo) * nBins)
			if i >= nBins || i < 0 {
				continue // beyond the axis (past the p99.9 shown)
			}
			counts[i] += float64(b.Count)
		}
		hs := plot.HistSeries{Name: t.Name, N: h.TotalCount()}
		for i, c := range counts {
			hs.Bins = append(hs.Bins, plot.Bin{
				Lo:    math.Exp(llo+(lhi-llo)*float64(i)/nBins) / 1000,
				Hi:    math.Exp(llo+(lhi-llo)*float64(i+1)/nBins) / 1000,
				Share: c / float64(h.TotalCount()),
			})
		}
		series = append(series, hs)
	}
	return plot.Histogram("TTFT distribution per variant (successful requests)", "time to first token (log scale)", series)
}

func latencyPercentiles(s *Summary) (*plot.Figure, error) {
	var panels []plot.PercentilePanel
	for _, m := range []Metric{TTFT, E2E} {
		pp := plot.PercentilePanel{Title: m.Title() + " by percentile"}
		for _, t := range s.Targets {
			h := histOf(s, t.Name, m)
			if h == nil || h.TotalCount() == 0 {
				pp.Series = append(pp.Series, plot.PercentileSeries{Name: t.Name})
				continue
			}
			// Up to the percentile the sample can speak for: 1/n of the tail.
			xmax := math.Min(5, math.Log10(float64(h.TotalCount())))
			ps := plot.PercentileSeries{Name: t.Name}
			for x := 0.0; x <= xmax+1e-9; x += 0.02 {
				p := 100 * (1 - math.Pow(10, -x))
				ps.Points = append(ps.Points, plot.PercentilePoint{Percentile: p, MS: float64(h.ValueAtPercentile(p)) / 1000})
			}
			pp.Series = append(pp.Series, ps)
		}
		panels = append(panels, pp)
	}
	return plot.Percentiles(panels)
}

func ttftVsPrompt(s *Summary) (*plot.Figure, error) {
	var series []plot.ScatterSeries
	tiers := map[string]bool{}
	for _, t := range s.Targets {
		ta := s.targets[t.Name]
		ss := plot.ScatterSeries{Name: t.Name}
		if ta != nil {
			pts := append([]point(nil), ta.sample.points...)
			sort.Slice(pts, func(i, j int) bool { return pts[i].hash < pts[j].hash })
			if len(pts) > ta.sample.size {
				pts = pts[:ta.sample.size]
			}
			for _, p := range pts {
				ss.Prompt = append(ss.Prompt, float64(p.prompt))
				ss.TTFTMS = append(ss.TTFTMS, float64(p.ttftUS)/1000)
			}
		}
		for _, g := range t.Tiers {
			tiers[g.Tier] = true
		}
		if t.Cost != nil {
			for _, c := range t.Cost.Tiers {
				tiers[c.Tier] = true
			}
		}
		series = append(series, ss)
	}
	var bounds []plot.Boundary
	for _, tier := range sortedTiers(tiers) {
		if n := tierSize(tier); tier != "" && n < math.MaxInt-1 {
			bounds = append(bounds, plot.Boundary{X: float64(n), Label: "tier " + tier + " ends"})
		}
	}
	return plot.Scatter("TTFT vs prompt length (successful requests, sampled)", series, bounds)
}

// maxTimelinePoints bounds the points of a timeline line: a long run's
// per-bucket series are merged into wider buckets for drawing (the CSV keeps
// them all), which also keeps the rasterizer's work small.
const maxTimelinePoints = 400

func timeline(s *Summary) (*plot.Figure, error) {
	var series []plot.TimeSeries
	tss := timeseries(s)
	longest := 0
	for _, ts := range tss {
		longest = max(longest, len(ts.points))
	}
	f := max(1, (longest+maxTimelinePoints-1)/maxTimelinePoints) // buckets per drawn point
	step := float64(s.step) * float64(f)
	for _, ts := range tss {
		out := plot.TimeSeries{Name: ts.target}
		for i := 0; i < len(ts.points); i += f {
			var b bucket
			for _, p := range ts.points[i:min(i+f, len(ts.points))] {
				b.add(p.b)
			}
			out.T = append(out.T, float64(ts.points[i].t)+step/2)
			out.Throughput = append(out.Throughput, float64(b.ok)/step)
			out.TTFTP50 = append(out.TTFTP50, b.ttft.quantile(0.5)/1000)
			out.TTFTP99 = append(out.TTFTP99, b.ttft.quantile(0.99)/1000)
		}
		series = append(series, out)
	}
	return plot.Timeline(series, s.step*int64(f))
}

func costPer1K(s *Summary) (*plot.Figure, error) {
	if s.Currency == "" {
		return nil, plot.ErrNoData
	}
	seen := map[string]bool{}
	var bars []plot.CostBar
	for _, t := range s.Targets {
		if t.Cost == nil || t.Cost.BilledRequests == 0 {
			continue
		}
		b := plot.CostBar{Name: t.Name, ByTier: map[string]float64{}}
		for _, tc := range t.Cost.Tiers {
			b.ByTier[tc.Tier] += tc.Total * 1000 / float64(t.Cost.BilledRequests)
			seen[tc.Tier] = true
		}
		bars = append(bars, b)
	}
	return plot.Cost(s.Currency, sortedTiers(seen), bars)
}
