package plot

import (
	"bytes"
	"fmt"
	"image/color"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is one chart, possibly of several aligned panels.
type Figure struct {
	panels [][]*plot.Plot // rows of columns
	w, h   vg.Length
}

// Size of a one-panel chart: wide enough for a laptop screen, text at 11 pt
// stays readable when the page shows it at 100%.
const (
	figW = 9 * vg.Inch
	figH = 4.6 * vg.Inch
)

// DefaultDPI renders PNGs at twice the screen's 96 dpi, sharp on
// high-density displays and when zoomed.
const DefaultDPI = 192

// PNG renders the figure as a PNG image at DefaultDPI.
func (f *Figure) PNG() ([]byte, error) { return f.PNGAt(DefaultDPI) }

// PNGAt renders the figure as a PNG image at dpi dots per inch.
func (f *Figure) PNGAt(dpi int) (_ []byte, err error) {
	defer recoverDraw(&err)
	c := vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	f.draw(draw.New(c))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("png: %w", err)
	}
	return b.Bytes(), nil
}

// SVG renders the figure as SVG. Fonts are named, not embedded (a browser
// substitutes a sans-serif face), to keep files small.
func (f *Figure) SVG() (_ []byte, err error) {
	defer recoverDraw(&err)
	c := vgsvg.New(f.w, f.h)
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	f.draw(dc)
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("svg: %w", err)
	}
	return b.Bytes(), nil
}

// recoverDraw turns a panic inside gonum (it panics on, say, a log axis
// over a non-positive range) into an error: a chart that cannot be drawn
// must not take the rest of the report down with it.
func recoverDraw(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("drawing failed: %v", r)
	}
}

func (f *Figure) draw(dc draw.Canvas) {
	rows, cols := len(f.panels), len(f.panels[0])
	if rows == 1 && cols == 1 {
		f.panels[0][0].Draw(draw.Crop(dc, 4, -4, 4, -4))
		return
	}
	t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(18), PadY: vg.Points(14),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(4)}
	canvases := plot.Align(f.panels, t, dc)
	for i := range f.panels {
		for j, p := range f.panels[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
}

var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// newPlot is a plot in the report's style: sans-serif text, a light grid,
// the legend top left inside the data area.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sansBold
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Label.Font = sans
		a.Tick.Label.Font.Size = vg.Points(10)
		a.Padding = vg.Points(2)
	}
	p.Legend.TextStyle.Font = sans
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Legend.YOffs = vg.Points(-4)
	p.Legend.ThumbnailWidth = vg.Points(18)
	g := newGrid()
	p.Add(g)
	return p
}

// Palette gives variant i its colour in every chart: the Okabe–Ito
// colour-blind-safe palette.
func Palette(i int) color.Color {
	p := []color.RGBA{
		{0x00, 0x72, 0xB2, 0xff}, // blue
		{0xD5, 0x5E, 0x00, 0xff}, // vermillion
		{0x00, 0x9E, 0x73, 0xff}, // bluish green
		{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
		{0xE6, 0x9F, 0x00, 0xff}, // orange
		{0x56, 0xB4, 0xE9, 0xff}, // sky blue
		{0x00, 0x00, 0x00, 0xff}, // black
		{0xF0, 0xE4, 0x42, 0xff}, // yellow
	}
	return p[i%len(p)]
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), a}
}
