package plot

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SpanState is what a stretch of a lane was.
type SpanState int

// The states a lane's spans are drawn in.
const (
	SpanPass   SpanState = iota // a window that held its objective
	SpanFail                    // a window that did not
	SpanEmpty                   // a window with nothing to judge
	SpanQuiet                   // a burn condition that did not hold
	SpanPage                    // a fast-burn (page) condition that held
	SpanTicket                  // a slow-burn (ticket) condition that held
)

var spanColors = [...]color.Color{
	SpanPass:   color.RGBA{0x2d, 0xa4, 0x4e, 0xff},
	SpanFail:   color.RGBA{0xcf, 0x22, 0x2e, 0xff},
	SpanEmpty:  color.Gray{0xd0},
	SpanQuiet:  color.RGBA{0xe3, 0xf2, 0xe6, 0xff},
	SpanPage:   color.RGBA{0xcf, 0x22, 0x2e, 0xff},
	SpanTicket: color.RGBA{0xE6, 0x9F, 0x00, 0xff},
}

var spanNames = [...]string{
	SpanPass: "window passed", SpanFail: "window failed", SpanEmpty: "no requests",
	SpanQuiet: "burn below threshold", SpanPage: "page (fast burn) firing", SpanTicket: "ticket (slow burn) firing",
}

// Span is a stretch [From, To) of a lane, seconds from the run's start.
type Span struct {
	From, To float64
	State    SpanState
}

// Lane is one row of the chart: a windowed objective's windows, or a burn
// condition's quiet and firing stretches.
type Lane struct {
	Label string
	Spans []Span
}

// Lanes draws one horizontal lane per objective or condition over the
// run's time axis, the first lane on top: pass/fail per window, burn
// conditions firing. endS is the axis's end (the run's length).
func Lanes(title string, lanes []Lane, endS float64) (*Figure, error) {
	if len(lanes) == 0 {
		return nil, ErrNoData
	}
	p := newPlot(title, "time since the run's start", "")
	p.X.Tick.Marker = timeTicks{}
	p.X.Min, p.X.Max = 0, endS
	n := len(lanes)
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	var ticks []plot.Tick
	seen := map[SpanState]bool{}
	for i, l := range lanes {
		y := float64(n - 1 - i)
		ticks = append(ticks, plot.Tick{Value: y, Label: l.Label})
		for _, s := range l.Spans {
			seen[s.State] = true
			p.X.Max = max(p.X.Max, s.To)
		}
		p.Add(laneSpans{y: y, spans: l.Spans})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	entries := 0
	for st := range spanNames {
		if seen[SpanState(st)] {
			p.Legend.Add(spanNames[st], swatch{spanColors[st]})
			entries++
		}
	}
	// The legend goes bottom right, in room of its own below the lanes:
	// a lane is 0.42 in, a legend entry about 0.18 in.
	const lane = 0.42 * vg.Inch
	room := (vg.Length(entries)*0.18*vg.Inch + 0.1*vg.Inch) / lane
	p.Y.Min -= float64(room)
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.YOffs = vg.Points(2)
	h := 1.3*vg.Inch + (vg.Length(n)+room)*lane
	return &Figure{panels: [][]*plot.Plot{{p}}, w: figW, h: h}, nil
}

// laneSpans fills one lane's spans as bars 70 % of the lane high.
type laneSpans struct {
	y     float64
	spans []Span
}

func (l laneSpans) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	lo, hi := trY(l.y-0.35), trY(l.y+0.35)
	for _, s := range l.spans {
		x0, x1 := trX(s.From), trX(s.To)
		switch {
		case x1-x0 < vg.Points(0.6):
			x1 = x0 + vg.Points(0.6) // a short firing stays visible
		case x1-x0 > vg.Points(3) && s.State <= SpanEmpty:
			x1 -= vg.Points(0.8) // a hairline between windows
		}
		pts := []vg.Point{{X: x0, Y: lo}, {X: x1, Y: lo}, {X: x1, Y: hi}, {X: x0, Y: hi}}
		c.FillPolygon(spanColors[s.State], c.ClipPolygonXY(pts))
	}
}

// swatch is a legend entry's filled square.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.c)
	c.Fill(c.Rectangle.Path())
}
