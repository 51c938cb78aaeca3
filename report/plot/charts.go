package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ErrNoData is returned for a chart with nothing to draw.
var ErrNoData = errors.New("no data to plot")

// Bin is one bar of a histogram: values in [Lo, Hi) ms held Share of the
// variant's requests.
type Bin struct{ Lo, Hi, Share float64 }

// HistSeries is one variant's histogram.
type HistSeries struct {
	Name string
	N    int64 // requests behind it, for the legend
	Bins []Bin
}

// Histogram draws one outline histogram per variant on a logarithmic time
// axis, as the percentage of each variant's requests per bin, so variants of
// different sizes compare.
func Histogram(title, xLabel string, series []HistSeries) (*Figure, error) {
	p := newPlot(title, xLabel, "share of requests (%)")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = msTicks{}
	drawn := false
	maxShare := 0.0
	for i, s := range series {
		if len(s.Bins) == 0 {
			continue
		}
		for _, b := range s.Bins {
			maxShare = math.Max(maxShare, b.Share)
		}
		// A step outline: up the left edge of each bin, across, down.
		pts := plotter.XYs{{X: s.Bins[0].Lo, Y: 0}}
		for _, b := range s.Bins {
			pts = append(pts, plotter.XY{X: b.Lo, Y: b.Share * 100}, plotter.XY{X: b.Hi, Y: b.Share * 100})
		}
		pts = append(pts, plotter.XY{X: s.Bins[len(s.Bins)-1].Hi, Y: 0})
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.LineStyle = lineStyle(i, false)
		l.FillColor = withAlpha(Palette(i), 0x28)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (n=%d)", s.Name, s.N), l)
		drawn = true
	}
	if !drawn {
		return nil, ErrNoData
	}
	p.Y.Min = 0
	p.Y.Max = maxShare * 100 * 1.2 // headroom for the legend
	p.Legend.Left = false
	return &Figure{panels: [][]*plot.Plot{{p}}, w: figW, h: figH}, nil
}

// PercentilePoint is a latency (ms) at a percentile (0–100).
type PercentilePoint struct{ Percentile, MS float64 }

// PercentileSeries is one variant's percentile distribution of one metric.
type PercentileSeries struct {
	Name   string
	Points []PercentilePoint
}

// PercentilePanel is one metric's distribution for every variant.
type PercentilePanel struct {
	Title  string
	Series []PercentileSeries
}

// percentileX maps a percentile to the HDR-style axis position
// x = −log10(1 − p/100): 90% → 1, 99% → 2, 99.9% → 3, so the tail gets as
// much room as the body.
func percentileX(p float64) float64 { return -math.Log10(1 - p/100) }

type percentileTicks struct{}

func (percentileTicks) Ticks(min, max float64) []plot.Tick {
	labels := []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"}
	var ts []plot.Tick
	for i, l := range labels {
		x := float64(i)
		if x > max+1e-9 {
			break
		}
		ts = append(ts, plot.Tick{Value: x, Label: l})
		if i+1 < len(labels) { // minor ticks at 50%, 95%, 99.5% …
			if m := x + math.Log10(2); m <= max {
				ts = append(ts, plot.Tick{Value: m})
			}
		}
	}
	return ts
}

// Percentiles draws latency against percentile, HDR-style: a log-scale
// latency axis and a percentile axis stretched toward the tail. One panel
// per metric, side by side.
func Percentiles(panels []PercentilePanel) (*Figure, error) {
	var row []*plot.Plot
	for pi, pp := range panels {
		yl := ""
		if pi == 0 {
			yl = "latency (log scale)"
		}
		p := newPlot(pp.Title, "percentile", yl)
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = msTicks{}
		p.X.Tick.Marker = percentileTicks{}
		p.X.Min = 0
		drawn := false
		for i, s := range pp.Series {
			xs := make([]float64, 0, len(s.Points))
			ys := make([]float64, 0, len(s.Points))
			for _, pt := range s.Points {
				if pt.MS <= 0 {
					continue
				}
				xs = append(xs, percentileX(pt.Percentile))
				ys = append(ys, pt.MS)
			}
			if len(xs) == 0 {
				continue
			}
			l, err := line(xs, ys, lineStyle(i, false))
			if err != nil {
				return nil, err
			}
			p.Add(l)
			p.Legend.Add(s.Name, l)
			drawn = true
		}
		if !drawn {
			continue
		}
		row = append(row, p)
	}
	if len(row) == 0 {
		return nil, ErrNoData
	}
	return &Figure{panels: [][]*plot.Plot{row}, w: figW, h: figH}, nil
}

// ScatterSeries is one variant's sample of (prompt tokens, TTFT ms).
type ScatterSeries struct {
	Name   string
	Prompt []float64
	TTFTMS []float64
}

// Boundary is a labelled vertical line: a price tier's upper bound.
type Boundary struct {
	X     float64
	Label string
}

// Scatter draws TTFT against prompt tokens with the tier boundaries, which
// is where prefill cost (and price) steps.
func Scatter(title string, series []ScatterSeries, bounds []Boundary) (*Figure, error) {
	p := newPlot(title, "prompt tokens (server count)", "TTFT (log scale)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = msTicks{}
	p.X.Tick.Marker = thousandsTicks{}
	p.X.Min = 0
	drawn := false
	maxX := 0.0
	for i, s := range series {
		pts := make(plotter.XYs, 0, len(s.Prompt))
		for j := range s.Prompt {
			if s.TTFTMS[j] > 0 {
				pts = append(pts, plotter.XY{X: s.Prompt[j], Y: s.TTFTMS[j]})
				maxX = math.Max(maxX, s.Prompt[j])
			}
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(Palette(i), 0x90), Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		// A bigger glyph for the legend than the dots themselves.
		key := draw.GlyphStyle{Color: Palette(i), Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
		p.Legend.Add(fmt.Sprintf("%s (%d sampled)", s.Name, len(pts)), glyphThumb{key})
		drawn = true
	}
	if !drawn {
		return nil, ErrNoData
	}
	// Room beyond the largest point, so the dots at the edge are drawn whole.
	p.X.Max = maxX * 1.04
	p.Y.Min, p.Y.Max = p.Y.Min/1.1, p.Y.Max*1.15
	for _, b := range bounds {
		if b.X < maxX*1.05 {
			p.Add(vline{x: b.X, label: b.Label})
		}
	}
	return &Figure{panels: [][]*plot.Plot{{p}}, w: figW, h: figH}, nil
}

type glyphThumb struct{ sty draw.GlyphStyle }

func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(g.sty, c.Center())
}

// TimeSeries is one variant over time: bucket start (s) and values.
type TimeSeries struct {
	Name       string
	T          []float64 // seconds from the run's start
	Throughput []float64 // successful requests per second
	TTFTP50    []float64 // ms, NaN where no request was sent
	TTFTP99    []float64
}

// Timeline draws throughput (top) and TTFT p50/p99 (bottom) over time.
func Timeline(series []TimeSeries, stepS int64) (*Figure, error) {
	top := newPlot("Throughput over time", "", "successful req/s")
	bottom := newPlot("TTFT over time (solid p50, dashed p99)", fmt.Sprintf("time since the run's start (%d s buckets)", stepS), "TTFT (log scale)")
	bottom.Y.Scale = plot.LogScale{}
	bottom.Y.Tick.Marker = msTicks{}
	top.X.Tick.Marker = timeTicks{}
	bottom.X.Tick.Marker = timeTicks{}
	top.Y.Min = 0
	drawn, drawnTTFT := false, false
	for i, s := range series {
		if len(s.T) == 0 {
			continue
		}
		l, err := line(s.T, s.Throughput, lineStyle(i, false))
		if err != nil {
			return nil, err
		}
		top.Add(l)
		top.Legend.Add(s.Name, l)
		for j, ys := range [][]float64{s.TTFTP50, s.TTFTP99} {
			if !anyPositive(ys) {
				continue
			}
			l, err := line(s.T, ys, lineStyle(i, j == 1))
			if err != nil {
				return nil, err
			}
			bottom.Add(l)
			drawnTTFT = true
			if j == 0 {
				bottom.Legend.Add(s.Name, l)
			}
		}
		drawn = true
	}
	if !drawn {
		return nil, ErrNoData
	}
	// Headroom above the lines for the legends.
	top.Y.Max *= 1.3
	if top.Y.Max <= 0 {
		top.Y.Max = 1
	}
	if !drawnTTFT { // nothing succeeded with a first token: throughput alone
		top.X.Label.Text = bottom.X.Label.Text
		return &Figure{panels: [][]*plot.Plot{{top}}, w: figW, h: figH}, nil
	}
	bottom.Y.Max *= 1.8
	// Both panels share the time axis.
	top.X.Min, top.X.Max = math.Min(top.X.Min, bottom.X.Min), math.Max(top.X.Max, bottom.X.Max)
	bottom.X.Min, bottom.X.Max = top.X.Min, top.X.Max
	return &Figure{panels: [][]*plot.Plot{{top}, {bottom}}, w: figW, h: figH * 1.6}, nil
}

func anyPositive(ys []float64) bool {
	for _, y := range ys {
		if y > 0 && !math.IsInf(y, 0) {
			return true
		}
	}
	return false
}

// CostBar is one variant's cost per 1K requests split by billed tier.
type CostBar struct {
	Name   string
	ByTier map[string]float64 // tier → its share of the cost per 1K requests
}

// Cost draws cost per 1K requests per variant, stacked by tier.
func Cost(currency string, tiers []string, bars []CostBar) (*Figure, error) {
	if len(bars) == 0 || len(tiers) == 0 {
		return nil, ErrNoData
	}
	p := newPlot("Cost per 1K requests, by billed tier", "variant", "cost per 1K requests ("+currency+")")
	names := make([]string, len(bars))
	for i, b := range bars {
		names[i] = b.Name
	}
	width := vg.Points(math.Min(90, 420/float64(len(bars))))
	var below *plotter.BarChart
	shades := tierShades(len(tiers))
	total := 0.0
	for _, b := range bars {
		sum := 0.0
		for _, v := range b.ByTier {
			sum += v
		}
		total = math.Max(total, sum)
	}
	if total <= 0 {
		return nil, ErrNoData
	}
	for ti, tier := range tiers {
		vals := make(plotter.Values, len(bars))
		for i, b := range bars {
			vals[i] = b.ByTier[tier]
		}
		bc, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return nil, err
		}
		bc.Color = shades[ti]
		bc.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(0.8)}
		if below != nil {
			bc.StackOn(below)
		}
		p.Add(bc)
		p.Legend.Add("tier "+tier, bc)
		below = bc
	}
	p.Add(barLabels{bars: bars, width: width})
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.7, float64(len(bars)-1)+0.7
	p.Y.Min = 0
	p.Y.Max = total * 1.35 // room for the totals and the legend above the bars
	p.Legend.Left = false
	return &Figure{panels: [][]*plot.Plot{{p}}, w: figW, h: figH}, nil
}

// tierShades runs from light to dark blue-green: the cheap tier pale, the
// expensive one dark.
func tierShades(n int) []color.Color {
	out := make([]color.Color, n)
	for i := range n {
		f := 0.0
		if n > 1 {
			f = float64(i) / float64(n-1)
		}
		// interpolate #9ecae1 → #08519c
		r := 0x9e + f*(0x08-0x9e)
		g := 0xca + f*(0x51-0xca)
		b := 0xe1 + f*(0x9c-0xe1)
		out[i] = color.RGBA{uint8(r), uint8(g), uint8(b), 0xff}
	}
	return out
}

// barLabels writes each bar's total above it.
type barLabels struct {
	bars  []CostBar
	width vg.Length
}

func (b barLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	ts := draw.TextStyle{Color: color.Gray{0x22}, Font: sansBold, Handler: plot.DefaultTextHandler, XAlign: draw.XCenter, YAlign: draw.YBottom}
	ts.Font.Size = vg.Points(10)
	for i, bar := range b.bars {
		sum := 0.0
		for _, v := range bar.ByTier {
			sum += v
		}
		c.FillText(ts, vg.Point{X: trX(float64(i)), Y: trY(sum) + vg.Points(3)}, money(sum))
	}
}

func money(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.4f", v)
}
