package plot

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func newGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{0xe4}
	g.Horizontal.Color = color.Gray{0xe4}
	g.Vertical.Width = vg.Points(0.6)
	g.Horizontal.Width = vg.Points(0.6)
	return g
}

// vline is a labelled vertical marker across the data area (a tier
// boundary). It has no data range, so it never stretches the axes; outside
// them it is not drawn.
type vline struct {
	x     float64
	label string
}

func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	if !c.ContainsX(x) {
		return
	}
	sty := draw.LineStyle{Color: color.Gray{0x55}, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
	c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
	// The label sits at the bottom, clear of the legend at the top.
	ts := draw.TextStyle{Color: color.Gray{0x33}, Font: sans, Handler: plot.DefaultTextHandler, XAlign: draw.XLeft, YAlign: draw.YBottom}
	ts.Font.Size = vg.Points(10)
	c.FillText(ts, vg.Point{X: x + vg.Points(3), Y: c.Min.Y + vg.Points(3)}, v.label)
}

// msTicks labels a logarithmic millisecond axis at 1-2-5 steps with units:
// 500µs, 1ms, 2ms, 5ms … 1s, 2s.
type msTicks struct{}

func (msTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 {
		min = 1e-3
	}
	if max <= min {
		max = min * 10
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		base := math.Pow(10, e)
		for _, m := range []float64{1, 2, 5} {
			v := m * base
			if v < min*0.999 || v > max*1.001 {
				continue
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: fmtMSTick(v)})
		}
		for m := 3.0; m < 10; m++ {
			if v := m * base; m != 5 && v >= min && v <= max {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	if countLabelled(ticks) < 4 { // under a decade: label the minor ticks too
		for i := range ticks {
			if ticks[i].Label == "" {
				ticks[i].Label = fmtMSTick(ticks[i].Value)
			}
		}
	}
	if countLabelled(ticks) < 2 { // a narrow range: fall back to plain ticks
		ticks = nil
		for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
			if t.Label != "" {
				t.Label = fmtMSTick(t.Value)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

func countLabelled(ts []plot.Tick) int {
	n := 0
	for _, t := range ts {
		if t.Label != "" {
			n++
		}
	}
	return n
}

func fmtMSTick(ms float64) string {
	switch {
	case ms >= 1000:
		return strconv.FormatFloat(ms/1000, 'g', 4, 64) + "s"
	case ms < 1:
		return strconv.FormatFloat(ms*1000, 'g', 4, 64) + "µs"
	}
	return strconv.FormatFloat(ms, 'g', 4, 64) + "ms"
}

// humanNumber writes 32000 as 32K and 1500000 as 1.5M.
func humanNumber(v float64) string {
	switch {
	case math.Abs(v) >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 4, 64) + "M"
	case math.Abs(v) >= 1e3:
		return strconv.FormatFloat(v/1e3, 'g', 4, 64) + "K"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// thousandsTicks labels a linear token axis in K.
type thousandsTicks struct{}

func (thousandsTicks) Ticks(min, max float64) []plot.Tick {
	ts := (plot.DefaultTicks{}).Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = humanNumber(ts[i].Value)
		}
	}
	return ts
}

// lineStyle is variant i's line; dashed for a second metric of it.
func lineStyle(i int, dashed bool) draw.LineStyle {
	s := draw.LineStyle{Color: Palette(i), Width: vg.Points(1.8)}
	if dashed {
		s.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	}
	return s
}

func line(xs, ys []float64, sty draw.LineStyle) (*plotter.Line, error) {
	pts := make(plotter.XYs, 0, len(xs))
	for i := range xs {
		if math.IsNaN(ys[i]) || math.IsInf(ys[i], 0) {
			continue
		}
		pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.LineStyle = sty
	return l, nil
}

// timeTicks labels a time axis in seconds at a round step (1, 2, 5, 10,
// 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 6, 12 h …) giving 4 to 10 labels,
// written as 90s, 5m, 2h.
type timeTicks struct{}

func (timeTicks) Ticks(min, max float64) []plot.Tick {
	steps := []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400}
	span := max - min
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= 8 {
			step = s
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max+1e-9; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: fmtSeconds(v, step)})
		if m := v + step/2; m < max {
			ts = append(ts, plot.Tick{Value: m})
		}
	}
	return ts
}

// fmtSeconds writes an offset in the unit its step is round in.
func fmtSeconds(v, step float64) string {
	switch {
	case step >= 3600 && math.Mod(step, 3600) == 0:
		return strconv.FormatFloat(v/3600, 'g', 6, 64) + "h"
	case step >= 60 && math.Mod(step, 60) == 0:
		return strconv.FormatFloat(v/60, 'g', 6, 64) + "m"
	}
	return strconv.FormatFloat(v, 'g', 6, 64) + "s"
}
