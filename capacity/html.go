package capacity

import (
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"

	"github.com/seedbench/seedbench/report/plot"
)

// Figure is one rendered chart of the capacity report.
type Figure struct {
	Name, Title string
	PNG, SVG    []byte
}

// Figures draws the capacity charts: latency against offered load per
// variant (objectives and capacity marked), achieved against offered rate,
// and cost against latency at the expected rate. A chart without data is
// left out.
func (r *Report) Figures() ([]Figure, error) {
	var curves []plot.CapacityCurve
	for _, res := range r.Results {
		lv, p50, p99, tpot, ach := r.levelsOf(res)
		cv := plot.CapacityCurve{Name: res.Target, Level: lv, TTFTP50: p50, TTFTP99: p99, TPOTP95: tpot, Achieved: ach, Capacity: res.Capacity}
		for _, l := range r.Limits[res.Target] {
			cv.Limits = append(cv.Limits, plot.Limit{MS: l.MS, Label: fmt.Sprintf("%s ≤ %s", l.Objective, ms(l.MS))})
		}
		curves = append(curves, cv)
	}
	unit := "req/s"
	if r.Mode == ByConcurrency {
		unit = "streams"
	}
	var pts []plot.CostPoint
	cur := r.Currency
	for _, c := range r.Decision.Choices {
		pts = append(pts, plot.CostPoint{Name: c.Target, TTFTP99: c.TTFTP99, Per1K: c.Per1K, Fits: c.Fits})
		if cur == "" {
			cur = c.Currency
		}
	}
	if cur == "" {
		cur = "CNY"
	}
	type chart struct {
		name, title string
		draw        func() (*plot.Figure, error)
	}
	charts := []chart{
		{"capacity_latency", "Latency against offered load", func() (*plot.Figure, error) { return plot.CapacityLatency(unit, curves) }},
		{"cost_latency", "Cost against latency at the expected rate", func() (*plot.Figure, error) { return plot.CostLatency(cur, pts) }},
	}
	if r.Mode == ByRate {
		charts = append(charts[:1], append([]chart{{"achieved_offered", "Achieved against offered rate", func() (*plot.Figure, error) { return plot.AchievedVsOffered(curves) }}}, charts[1:]...)...)
	}
	var out []Figure
	for _, c := range charts {
		f, err := c.draw()
		if errors.Is(err, plot.ErrNoData) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("%s: %w", c.name, err)
		}
		png, err := f.PNG()
		if err != nil {
			return out, fmt.Errorf("%s: %w", c.name, err)
		}
		svg, err := f.SVG()
		if err != nil {
			return out, fmt.Errorf("%s: %w", c.name, err)
		}
		out = append(out, Figure{Name: c.name, Title: c.title, PNG: png, SVG: svg})
	}
	return out, nil
}

// WriteHTML writes capacity.html: one self-contained page (styles and the
// charts as data: URIs inline, nothing fetched), like report.html.
func WriteHTML(w io.Writer, r *Report, figs []Figure) error {
	type fig struct {
		Figure
		Src template.URL
	}
	fs := make([]fig, len(figs))
	for i, f := range figs {
		// Data URIs of our own PNG bytes: safe to mark as a URL.
		fs[i] = fig{Figure: f, Src: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(f.PNG))}
	}
	head, rows := r.rows()
	return htmlTemplate.Execute(w, struct {
		R       *Report
		Head    []string
		Rows    [][]string
		Figures []fig
		Cap     string
		Spent   string
	}{r, head, rows, fs, capText(r), money(r.Spent, r.Currency)})
}

var htmlTemplate = template.Must(template.New("capacity").Funcs(template.FuncMap{
	"level": LevelText,
	"ms":    ms,
	"pct":   pct,
	"g3":    func(v float64) string { return fmt.Sprintf("%.3g", v) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>seedbench capacity: {{.R.Scenario}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em} h2{font-size:1.2em;margin-top:2em}
.decision{font-size:1.1em;background:#eef6ee;border-left:5px solid #2a7;padding:.8em 1em}
.decision.none{background:#fbeeee;border-color:#c33}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}
th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;white-space:nowrap}
th{background:#f4f4f4} td.num{text-align:right}
img{max-width:100%;border:1px solid #eee;margin:.5em 0}
code{font-size:.9em} .muted{color:#666;font-size:.9em}
</style></head><body>
<h1>Capacity: {{.R.Scenario}}</h1>
<p class="decision{{if not .R.Decision.Recommended}} none{{end}}">{{.R.Decision.Sentence}}</p>
<p class="muted">Highest {{if eq .R.Mode "rate"}}offered rate{{else}}number of concurrent streams{{end}} at which every objective passed and the load was delivered, bracket within {{pct .R.Tolerance}}; expected {{level .R.Mode .R.Decision.Expected}} × {{g3 .R.Decision.Headroom}} headroom = {{level .R.Mode .R.Decision.Needed}}. Objectives: {{range $i, $o := .R.Objectives}}{{if $i}}, {{end}}<code>{{$o}}</code>{{end}}. Spent {{.Spent}}{{.Cap}}.</p>
<table><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>
{{range .Figures}}<h2>{{.Title}}</h2><img src="{{.Src}}" alt="{{.Title}}">{{end}}
<h2>Probes</h2>
<p class="muted">Every probe is a run directory of its own: <code>seedbench report DIR</code> re-reports it.</p>
<table><tr><th>variant</th><th>phase</th><th>offered</th><th>achieved</th><th>ok</th><th>TTFT p50</th><th>TTFT p99</th><th>TPOT p95</th><th>verdict</th><th>binding</th><th>directory</th></tr>
{{range .R.Results}}{{$m := .Mode}}{{$t := .Target}}{{range .Probes}}<tr><td>{{$t}}</td><td>{{.Phase}}</td><td class="num">{{level $m .Level}}</td><td class="num">{{g3 .Outcome.Achieved}}/s</td><td class="num">{{.Outcome.OK}}</td><td class="num">{{ms .Outcome.TTFTP50}}</td><td class="num">{{ms .Outcome.TTFTP99}}</td><td class="num">{{ms .Outcome.TPOTP95}}</td><td>{{.Verdict}}</td><td>{{.Binding}}</td><td><code>{{.Outcome.Dir}}</code></td></tr>
{{end}}{{end}}</table>
{{range .R.Warnings}}<p class="muted">warning: {{.}}</p>{{end}}
<p class="muted">{{.R.Tool}} · schema {{.R.Schema}}</p>
</body></html>
`))
