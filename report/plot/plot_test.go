package plot

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"strings"
	"testing"
)

// figures builds every chart from small fixed data.
func figures(t *testing.T) map[string]*Figure {
	t.Helper()
	must := func(f *Figure, err error) *Figure {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	bins := func(scale float64) []Bin {
		var b []Bin
		for i := range 20 {
			lo := 50 * scale * math.Pow(1.1, float64(i))
			b = append(b, Bin{Lo: lo, Hi: lo * 1.1, Share: math.Exp(-math.Pow(float64(i-8)/4, 2)) / 7})
		}
		return b
	}
	pcts := func(scale float64) []PercentilePoint {
		var p []PercentilePoint
		for x := 0.0; x <= 3; x += 0.1 {
			p = append(p, PercentilePoint{Percentile: 100 * (1 - math.Pow(10, -x)), MS: scale * (80 + 40*x*x)})
		}
		return p
	}
	ts := func(scale float64) TimeSeries {
		s := TimeSeries{Name: "v"}
		for i := range 60 {
			s.T = append(s.T, float64(i)+0.5)
			s.Throughput = append(s.Throughput, 10+math.Sin(float64(i)/5))
			s.TTFTP50 = append(s.TTFTP50, scale*100)
			s.TTFTP99 = append(s.TTFTP99, scale*300)
		}
		return s
	}
	return map[string]*Figure{
		"histogram": must(Histogram("TTFT", "time to first token", []HistSeries{{Name: "mini", N: 100, Bins: bins(1)}, {Name: "pro", N: 80, Bins: bins(2)}})),
		"percentiles": must(Percentiles([]PercentilePanel{
			{Title: "TTFT", Series: []PercentileSeries{{Name: "mini", Points: pcts(1)}, {Name: "pro", Points: pcts(2)}}},
			{Title: "E2E", Series: []PercentileSeries{{Name: "mini", Points: pcts(10)}, {Name: "pro", Points: pcts(20)}}},
		})),
		"scatter": must(Scatter("TTFT vs prompt", []ScatterSeries{{Name: "mini", Prompt: []float64{1000, 40000, 150000}, TTFTMS: []float64{60, 120, 300}}},
			[]Boundary{{X: 32000, Label: "32k"}, {X: 128000, Label: "128k"}})),
		"timeline": must(Timeline([]TimeSeries{ts(1), ts(2)}, 1)),
		"lanes": must(Lanes("SLO over time", []Lane{
			{Label: "[mini] error_rate @5s", Spans: []Span{{0, 5, SpanPass}, {5, 10, SpanFail}, {10, 15, SpanEmpty}}},
			{Label: "[mini] error_rate@5s page 14.4x", Spans: []Span{{0, 15, SpanQuiet}, {6, 8.5, SpanPage}}},
		}, 15)),
		"cost": must(Cost("CNY", []string{"32k", "128k"}, []CostBar{{Name: "mini", ByTier: map[string]float64{"32k": 2, "128k": 1}}, {Name: "pro", ByTier: map[string]float64{"32k": 20}}})),
	}
}

// TestFiguresRender renders every chart as PNG (decodable, at 2× the
// figure size) and SVG (with its title and axis labels as text).
func TestFiguresRender(t *testing.T) {
	dpi := DefaultDPI
	if raceEnabled { // the race detector makes rasterizing ~40× slower
		dpi = 48
	}
	for name, f := range figures(t) {
		b, err := f.PNGAt(dpi)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: PNG does not decode: %v", name, err)
		}
		if w := img.Bounds().Dx(); w != int(f.w.Points()/72*float64(dpi)+0.5) {
			t.Errorf("%s: PNG %d px wide, want %v in at %d dpi", name, w, f.w.Points()/72, dpi)
		}
		svg, err := f.SVG()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.HasPrefix(bytes.TrimSpace(svg), []byte("<?xml")) || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("%s: not an SVG document", name)
		}
	}
	lanes, _ := figures(t)["lanes"].SVG()
	for _, want := range []string{"SLO over time", "[mini] error_rate @5s", "page 14.4x", "window passed", "window failed", "no requests", "page (fast burn) firing"} {
		if !strings.Contains(string(lanes), want) {
			t.Errorf("lanes chart lacks %q", want)
		}
	}
	if strings.Contains(string(lanes), "ticket (slow burn) firing") {
		t.Error("the lanes chart's legend names a state no span has")
	}
	svg, _ := figures(t)["cost"].SVG()
	for _, want := range []string{"Cost per 1K requests", "cost per 1K requests (CNY)", "tier 32k", "mini", "pro", "3.00", "20.00"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("cost chart lacks %q", want)
		}
	}
}

// TestNoData: a chart with nothing to draw says so instead of drawing empty
// axes.
func TestNoData(t *testing.T) {
	for name, err := range map[string]error{
		"histogram":   second(Histogram("t", "x", []HistSeries{{Name: "a"}})),
		"percentiles": second(Percentiles([]PercentilePanel{{Title: "t", Series: []PercentileSeries{{Name: "a"}}}})),
		"scatter":     second(Scatter("t", []ScatterSeries{{Name: "a"}}, nil)),
		"timeline":    second(Timeline([]TimeSeries{{Name: "a"}}, 1)),
		"cost":        second(Cost("CNY", nil, nil)),
		"lanes":       second(Lanes("t", nil, 10)),
	} {
		if !errors.Is(err, ErrNoData) {
			t.Errorf("%s: error %v, want ErrNoData", name, err)
		}
	}
}

func second(_ *Figure, err error) error { return err }

// TestMSTicks: a millisecond axis is labelled at 1-2-5 steps with units.
func TestMSTicks(t *testing.T) {
	var labels []string
	for _, tk := range (msTicks{}).Ticks(0.4, 2500) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	want := "500µs 1ms 2ms 5ms 10ms 20ms 50ms 100ms 200ms 500ms 1s 2s"
	if got := strings.Join(labels, " "); got != want {
		t.Errorf("labels %q, want %q", got, want)
	}
}

// TestTimeTicks: round steps in the unit that suits them.
func TestTimeTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     string
	}{
		{0, 13, "0s 2s 4s 6s 8s 10s 12s"},             // a quickstart
		{0, 300, "0m 1m 2m 3m 4m 5m"},                 // five minutes
		{0, 5000, "0m 15m 30m 45m 60m 75m"},           // a long benchmark
		{0, 86400, "0h 3h 6h 9h 12h 15h 18h 21h 24h"}, // a day's soak
	} {
		var labels []string
		for _, tk := range (timeTicks{}).Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("%v..%v: %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
}
