package plot

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CapacityCurve is one variant's probes of a capacity search: per probe the
// offered level and what was measured there.
type CapacityCurve struct {
	Name  string
	Level []float64 // offered req/s (or streams)
	// Latencies in ms; NaN where the probe had no successful request.
	TTFTP50, TTFTP99, TPOTP95 []float64
	Achieved                  []float64 // req/s sent over the load window
	// Limits are the latency objectives drawn as horizontal lines.
	Limits []Limit
	// Capacity is the found capacity (0: none), marked as a vertical line.
	Capacity float64
}

// Limit is a labelled horizontal line: an objective's ceiling.
type Limit struct {
	MS    float64
	Label string
}

// hline is a labelled horizontal marker across the data area; like vline
// it has no data range of its own.
type hline struct {
	y     float64
	label string
	color color.Color
}

func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.y)
	if !c.ContainsY(y) {
		return
	}
	sty := draw.LineStyle{Color: h.color, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	ts := draw.TextStyle{Color: h.color, Font: sans, Handler: plot.DefaultTextHandler, XAlign: draw.XLeft, YAlign: draw.YBottom}
	ts.Font.Size = vg.Points(9)
	c.FillText(ts, vg.Point{X: c.Min.X + vg.Points(3), Y: y + vg.Points(2)}, h.label)
}

// sorted returns the points (x, y) in order of x, skipping NaN and
// non-positive y (the axes are logarithmic).
func sorted(xs, ys []float64) plotter.XYs {
	pts := make(plotter.XYs, 0, len(xs))
	for i := range xs {
		if i < len(ys) && ys[i] > 0 && !math.IsNaN(ys[i]) && !math.IsInf(ys[i], 0) {
			pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
	return pts
}

// CapacityLatency draws, one panel per variant, TTFT p50 (solid), TTFT p99
// (dashed) and TPOT p95 (dotted) against the offered level, the latency
// objectives as horizontal lines and the capacity as a vertical one.
func CapacityLatency(unit string, curves []CapacityCurve) (*Figure, error) {
	var rows [][]*plot.Plot
	for _, cv := range curves {
		p := newPlot(cv.Name+": latency against offered load", "offered "+unit, "latency (log scale)")
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = msTicks{}
		drawn := false
		for j, s := range []struct {
			name string
			ys   []float64
			dash []vg.Length
		}{
			{"TTFT p50", cv.TTFTP50, nil},
			{"TTFT p99", cv.TTFTP99, []vg.Length{vg.Points(6), vg.Points(3)}},
			{"TPOT p95", cv.TPOTP95, []vg.Length{vg.Points(1.5), vg.Points(2.5)}},
		} {
			pts := sorted(cv.Level, s.ys)
			if len(pts) == 0 {
				continue
			}
			col := Palette(j)
			l, sc, err := plotter.NewLinePoints(pts)
			if err != nil {
				return nil, err
			}
			l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.6), Dashes: s.dash}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
			p.Add(l, sc)
			p.Legend.Add(s.name, l, sc)
			drawn = true
		}
		if !drawn {
			continue
		}
		for j, lim := range cv.Limits {
			if lim.MS > 0 {
				p.Add(hline{y: lim.MS, label: lim.Label, color: color.Gray{0x44 + uint8(j)*0x18}})
				p.Y.Max = math.Max(p.Y.Max, lim.MS*1.3)
				p.Y.Min = math.Min(p.Y.Min, lim.MS/1.3)
			}
		}
		if cv.Capacity > 0 {
			p.Add(capLine{x: cv.Capacity})
		}
		p.Y.Max *= 3 // room for the legend
		p.X.Min, p.X.Max = 0, p.X.Max*1.08
		rows = append(rows, []*plot.Plot{p})
	}
	if len(rows) == 0 {
		return nil, ErrNoData
	}
	return &Figure{panels: rows, w: figW, h: figH * vg.Length(float64(len(rows))) * 0.8}, nil
}

// AchievedVsOffered draws each variant's achieved rate against the offered
// one, with the diagonal where the load was delivered in full.
func AchievedVsOffered(curves []CapacityCurve) (*Figure, error) {
	p := newPlot("Achieved against offered rate", "offered req/s", "achieved req/s")
	hi := 0.0
	for i, cv := range curves {
		pts := sorted(cv.Level, cv.Achieved)
		if len(pts) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		l.LineStyle = lineStyle(i, false)
		sc.GlyphStyle = draw.GlyphStyle{Color: Palette(i), Radius: vg.Points(2.4), Shape: draw.CircleGlyph{}}
		p.Add(l, sc)
		p.Legend.Add(cv.Name, l, sc)
		for _, q := range pts {
			hi = math.Max(hi, math.Max(q.X, q.Y))
		}
	}
	if hi == 0 {
		return nil, ErrNoData
	}
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: hi * 1.05, Y: hi * 1.05}})
	if err != nil {
		return nil, err
	}
	diag.LineStyle = draw.LineStyle{Color: color.Gray{0x99}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}
	p.Add(diag)
	p.Legend.Add("delivered in full", diag)
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max, p.Y.Max = hi*1.05, hi*1.3
	return &Figure{panels: [][]*plot.Plot{{p}}, w: figW, h: figH}, nil
}

// CostPoint is one variant at the expected rate: its latency and its cost.
type CostPoint struct {
	Name    string
	TTFTP99 float64 // ms
	Per1K   float64
	Fits    bool // meets every objective at the expected rate with headroom
}

// CostLatency draws one point per variant: TTFT p99 against cost per 1K
// requests at the expected rate; variants that do not fit are hollow.
func CostLatency(currency string, pts []CostPoint) (*Figure, error) {
	p := newPlot("Cost against latency at the expected rate (filled: fits with headroom)", "TTFT p99 (log scale)", "cost per 1K requests ("+currency+")")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = msTicks{}
	drawn := false
	maxY, minX, maxX := 0.0, math.Inf(1), 0.0
	for i, c := range pts {
		if c.TTFTP99 <= 0 {
			continue
		}
		sc, err := plotter.NewScatter(plotter.XYs{{X: c.TTFTP99, Y: c.Per1K}})
		if err != nil {
			return nil, err
		}
		shape := draw.GlyphDrawer(draw.RingGlyph{})
		if c.Fits {
			shape = draw.CircleGlyph{}
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: Palette(i), Radius: vg.Points(6), Shape: shape}
		p.Add(sc)
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: []plotter.XY{{X: c.TTFTP99, Y: c.Per1K}}, Labels: []string{"  " + c.Name}})
		if err != nil {
			return nil, err
		}
		for j := range labels.TextStyle {
			labels.TextStyle[j].Font = sans
			labels.TextStyle[j].Font.Size = vg.Points(10)
		}
		p.Add(labels)
		maxY, minX, maxX = math.Max(maxY, c.Per1K), math.Min(minX, c.TTFTP99), math.Max(maxX, c.TTFTP99)
		drawn = true
	}
	if !drawn {
		return nil, ErrNoData
	}
	p.Y.Min, p.Y.Max = 0, maxY*1.35
	p.X.Min, p.X.Max = minX/1.6, maxX*1.8
	return &Figure{panels: [][]*plot.Plot{{p}}, w: figW, h: figH}, nil
}

// capLine marks the capacity: a solid vertical line labelled at its top
// left, on the side of the passing probes.
type capLine struct{ x float64 }

func (v capLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	if !c.ContainsX(x) {
		return
	}
	c.StrokeLine2(draw.LineStyle{Color: color.RGBA{0x22, 0x88, 0x33, 0xff}, Width: vg.Points(1.6)}, x, c.Min.Y, x, c.Max.Y)
	ts := draw.TextStyle{Color: color.RGBA{0x22, 0x66, 0x22, 0xff}, Font: sans, Handler: plot.DefaultTextHandler, XAlign: draw.XRight, YAlign: draw.YTop}
	ts.Font.Size = vg.Points(10)
	c.FillText(ts, vg.Point{X: x - vg.Points(3), Y: c.Max.Y - vg.Points(3)}, fmt.Sprintf("capacity %.3g", v.x))
}
