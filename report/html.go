package report

import (
	"encoding/base64"
	"html/template"
	"io"
	"sort"
	"strings"
)

// WriteHTML renders report.html: one self-contained page — styles, script
// and the plots (PNG as data: URIs) inline, nothing fetched — that opens
// offline from a CI artifact or an e-mail attachment.
func WriteHTML(w io.Writer, s *Summary, plots []Plot) error {
	type fig struct {
		Plot
		Src template.URL
	}
	figs := make([]fig, len(plots))
	for i, p := range plots {
		// Data URIs of our own PNG bytes: safe to mark as a URL.
		figs[i] = fig{Plot: p, Src: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(p.PNG))}
	}
	var defs []metricDef
	for m := range numMetrics {
		defs = append(defs, metricDef{Name: m.Title(), Key: m.String(), Def: metricDefinitions[m]})
	}
	return htmlTemplate.Execute(w, struct {
		S       *Summary
		Figures []fig
		Failed  int
		Metrics []metricDef
		// Untrusted is the trust problem, shown in the badge before any
		// SLO verdict; Inconclusive the checks with too few samples.
		Untrusted    string
		Inconclusive int
		// ZeroCompletion: successes that answered no token, counted apart.
		ZeroCompletion []string
		// The per-stage load table, in the cells every format shows.
		LoadHeader  []string
		Load        [][]string
		LoadCaption string
		// The per-turn table of sessions (turns_render.go).
		TurnsHeader  []string
		Turns        [][]string
		TurnsCaption string
		TurnsNotes   []string
		// Throttling and quota headroom per target (quota_render.go).
		Quota []quotaView
		// The Context API's cache bill per target (contextcost.go).
		ContextCost []string
	}{s, figs, failedChecks(s), defs, untrustedReason(s), countStatus(s, StatusInconclusive), zeroCompletionNotes(s),
		loadHeader, loadRows(s), capitalize(loadCaption(s)),
		turnsHeader, turnsRows(s), capitalize(turnsCaption(s)), sessionNotes(s), quotaViews(s), contextCostNotes(s)})
}

type metricDef struct{ Name, Key, Def string }

// metricDefinitions are the contract's definitions (DESIGN.md), shown at the
// foot of the page.
var metricDefinitions = [numMetrics]string{
	Lag:       "sent − intended: how late the generator sent the request against its plan. Of every issued request.",
	TTFB:      "response headers received (first response byte).",
	TTFT:      "the first streamed event whose delta carries content, reasoning or a tool call; a role-only or empty chunk never counts.",
	TTFAT:     "the first answer content, after any thinking.",
	ITL:       "each gap between consecutive token-bearing events (several tokens may share an event; see tokens per event).",
	TPOT:      "(E2E − TTFT) / (completion_tokens − 1), with the server's usage count when it sent one.",
	E2E:       "until data: [DONE]. A stream that ends without it is a failure (stream_truncated).",
	Corrected: "E2E + schedule lag: latency from the planned send time, so a generator that fell behind cannot hide it (coordinated omission).",
}

var htmlFuncs = template.FuncMap{
	"ms":     fmtMS,
	"pct":    fmtPct,
	"rate":   fmtRate,
	"money":  fmtMoney,
	"signed": fmtSignedPct,
	"tier":   tierLabel,
	"dist":   func(d Dist, p float64) string { return fmtDist(d, p) },
	"check":  func(c Check) string { return checkValue(c, c.Measured) },
	"share":  func(n, of int64) string { return fmtPct(ratio(n, of)) },
	"ints":   joinInts,
	"deref":  func(f *float64) float64 { return *f },
	// the SLO timelines and burn block (html_slo.go)
	"burnNote": burnScaleNote,
	"timelines": func(s *Summary) string {
		var b strings.Builder
		writeWindowTimelines(&b, s, "")
		return b.String()
	},
	"secs": func(s float64) string { return shortDur(secs(s)) },
	"metrics": func(g Group) []namedDist {
		var out []namedDist
		for m := range numMetrics {
			out = append(out, namedDist{Name: m.Title(), D: g.Latency[m.String()]})
		}
		return out
	},
	"sortedKeys": func(m map[string]int64) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	},
}

type namedDist struct {
	Name string
	D    Dist
}

var htmlTemplate = template.Must(template.New("report").Funcs(htmlFuncs).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>seedbench: {{.S.Scenario}}</title>
<style>
body { font: 15px/1.45 -apple-system, "Segoe UI", "Liberation Sans", Helvetica, Arial, sans-serif; color: #1b1f24; margin: 0 auto; max-width: 1200px; padding: 0 24px 48px; }
h1 { font-size: 24px; margin: 24px 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
.meta { color: #57606a; } .note { color: #57606a; font-style: italic; }
.verdict { display: inline-block; padding: 6px 14px; border-radius: 6px; font-weight: 600; margin: 12px 0; }
.pass { background: #dafbe1; color: #116329; } .fail { background: #ffebe9; color: #a40e26; } .none { background: #eaeef2; color: #424a53; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0 12px; font-variant-numeric: tabular-nums; font-size: 13.5px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eaeef2; text-align: right; white-space: nowrap; }
th { background: #f6f8fa; font-weight: 600; } td.l, th.l { text-align: left; }
tr.sub td { color: #57606a; } tr.sub td.l:first-child { padding-left: 22px; }
td.ok { color: #116329; font-weight: 600; } td.bad { color: #a40e26; font-weight: 600; }
figure { margin: 18px 0 28px; } figure img { width: 100%; max-width: 1100px; height: auto; border: 1px solid #eaeef2; }
figcaption { color: #57606a; margin-top: 4px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; } dt { font-weight: 600; } dd { margin: 0; }
ul.warn li { color: #9a6700; }
</style>
</head>
<body>
<h1>seedbench report: {{.S.Scenario}}</h1>
<div class="meta">seed {{.S.Seed}} · {{len .S.Targets}} target(s) · window {{printf "%.1f" .S.Window.Seconds}} s{{if gt .S.TargetRate 0.0}} · {{rate .S.TargetRate}} req/s planned, {{rate .S.Achieved}} achieved{{end}} · started {{.S.Start.Format "2006-01-02 15:04:05 MST"}} · {{.S.Tool}}</div>
{{if .Untrusted}}<div class="verdict fail" id="verdict">{{.Untrusted}}</div>
{{else if not .S.SLO.Checks}}<div class="verdict none" id="verdict">No SLO objectives</div>
{{else if .S.SLO.Pass}}<div class="verdict pass" id="verdict">SLO PASS — {{len .S.SLO.Checks}} checks</div>
{{else if .Failed}}<div class="verdict fail" id="verdict">SLO FAIL — {{.Failed}} of {{len .S.SLO.Checks}} checks failed</div>
{{else}}<div class="verdict none" id="verdict">SLO INCONCLUSIVE — {{.Inconclusive}} of {{len .S.SLO.Checks}} checks had too few samples</div>{{end}}
<p class="note">Latency percentiles are of successful requests only; failed and dropped requests count in availability and errors.</p>

<h2>Summary</h2>
<div class="wide"><table id="summary">
<tr><th class="l">target</th><th class="l">tier</th><th>requests</th><th>ok</th><th>failed</th><th>dropped</th><th>availability</th><th>req/s</th><th>in tok/s</th><th>out tok/s</th><th>TTFT p50</th><th>TTFT p99</th><th>TPOT p50</th><th>TPOT p99</th><th>E2E p50</th><th>E2E p99</th><th>goodput/s</th></tr>
{{range .S.Targets}}{{template "grow" .All}}{{if gt (len .Tiers) 1}}{{range .Tiers}}{{template "subrow" .}}{{end}}{{end}}{{end}}
{{if gt (len .S.Targets) 1}}{{template "grow" .S.Overall}}{{end}}
</table></div>{{with .ZeroCompletion}}
<ul id="zero-completion">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}

{{if .Load}}<h2>Load delivered</h2>
<p class="note">{{.LoadCaption}}.</p>
<table id="load"><tr>{{range $i, $h := .LoadHeader}}<th{{if lt $i 2}} class="l"{{end}}>{{$h}}</th>{{end}}</tr>
{{range .Load}}<tr>{{range $i, $c := .}}<td{{if lt $i 2}} class="l"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table>{{end}}{{if .Turns}}
<h2>Sessions by turn</h2>
<p class="note">{{.TurnsCaption}}.</p>
<table id="turns"><tr>{{range $i, $h := .TurnsHeader}}<th{{if eq $i 0}} class="l"{{end}}>{{$h}}</th>{{end}}</tr>
{{range .Turns}}<tr>{{range $i, $c := .}}<td{{if eq $i 0}} class="l"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table>
<ul id="conversations">{{range .TurnsNotes}}<li>{{.}}</li>{{end}}</ul>{{end}}

{{if .S.SLO.Checks}}<h2>SLO</h2>
<table id="slo"><tr><th class="l"></th><th class="l">target</th><th class="l">objective</th><th>measured</th><th>error budget left</th><th class="l">basis</th><th class="l">from</th></tr>
{{range .S.SLO.Checks}}<tr><td class="l {{if .Pass}}ok{{else}}bad{{end}}">{{.Status}}</td><td class="l">{{.Target}}</td><td class="l"><code>{{.Text}}</code></td><td>{{check .}}</td><td>{{if .BudgetLeft}}{{pct (deref .BudgetLeft)}}{{end}}</td><td class="l">{{.Basis}}</td><td class="l">{{.Source}}</td></tr>
{{end}}</table>{{end}}{{template "slo-time" .}}

<h2>Plots</h2>
<div id="plots" data-expected="{{len .Figures}}">
{{range .Figures}}<figure id="plot-{{.Name}}"><img class="plot" src="{{.Src}}" alt="{{.Title}}"><figcaption><b>{{.Title}}.</b> {{.Caption}} (<a href="plots/{{.Name}}.svg">SVG</a>, <a href="plots/{{.Name}}.png">PNG</a>)</figcaption></figure>
{{else}}<p class="note">No plots (rendering was skipped or there was nothing to draw).</p>
{{end}}</div>

<h2>Latency by target</h2>
{{range .S.Targets}}<h3>{{.Name}} <span class="meta">({{.Model}})</span></h3>
<table class="latency"><tr><th class="l">metric</th><th>count</th><th>min</th><th>mean</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>
{{range metrics .All}}<tr><td class="l">{{.Name}}</td><td>{{.D.Count}}</td>{{if .D.Count}}<td>{{ms .D.Min}}</td><td>{{ms .D.Mean}}</td><td>{{ms .D.P50}}</td><td>{{ms .D.P90}}</td><td>{{ms .D.P95}}</td><td>{{ms .D.P99}}</td><td>{{ms .D.P999}}</td><td>{{ms .D.Max}}</td>{{else}}<td colspan="8" class="l">—</td>{{end}}</tr>
{{end}}</table>
{{end}}

{{if or .S.Overall.Failed .S.Overall.Dropped}}<h2>Errors</h2>
<table id="errors"><tr><th class="l">target</th><th class="l">class</th><th>HTTP</th><th class="l">gateway code</th><th>count</th><th>share of requests</th><th class="l">example</th></tr>
{{range $t := .S.Targets}}{{range $t.Errors}}<tr><td class="l">{{$t.Name}}</td><td class="l">{{.Class}}</td><td>{{if .HTTPStatus}}{{.HTTPStatus}}{{else}}—{{end}}</td><td class="l">{{.Code}}</td><td>{{.Count}}</td><td>{{share .Count $t.All.Requests}}</td><td class="l">{{.Example}}</td></tr>
{{end}}{{end}}</table>{{end}}

{{if .S.Currency}}<h2>Cost ({{.S.Currency}}, from server usage)</h2>
<table id="cost"><tr><th class="l">target</th><th class="l">tier</th><th>requests</th><th>prompt tok</th><th>cached tok</th><th>completion tok</th><th>input</th><th>cache read</th><th>output</th><th>total</th><th>per 1K req</th><th>cache saved</th></tr>
{{range $t := .S.Targets}}{{with .Cost}}{{range .Tiers}}<tr class="sub"><td class="l">{{$t.Name}}</td><td class="l">{{.Tier}}</td><td>{{.Requests}}</td><td>{{.PromptTokens}}</td><td>{{.CachedTokens}}</td><td>{{.CompletionTokens}}</td><td>{{money .Input}}</td><td>{{money .CacheRead}}</td><td>{{money .Output}}</td><td>{{money .Total}}</td><td>{{money .Per1K}}</td><td>{{money .CacheSavings}}</td></tr>
{{end}}<tr><td class="l"><b>{{$t.Name}}</b></td><td class="l">total</td><td>{{.BilledRequests}}</td><td></td><td></td><td></td><td></td><td></td><td></td><td><b>{{money .Total}}</b></td><td><b>{{money .Per1K}}</b></td><td>{{money .CacheSavings}}</td></tr>
{{end}}{{end}}</table>
<ul>{{range $t := .S.Targets}}{{with .Cost}}{{if gt .ProjectedRate 0.0}}<li><b>{{$t.Name}}</b> projected at {{rate .ProjectedRate}} req/s: {{money .PerDay}} {{$.S.Currency}} per day, {{money .PerMonth}} per 30 days</li>{{end}}{{end}}{{end}}</ul>
{{range .ContextCost}}<p class="context-cost">{{.}}</p>
{{end}}{{range $t := .S.Targets}}{{range .TierMismatches}}<p>{{$t.Name}}: {{.Count}} request(s) planned in tier {{.Planned}} were billed in tier {{.Billed}} (k {{ints .Examples}}).</p>
{{end}}{{end}}{{end}}{{with .Quota}}
<h2>Quota</h2>{{range .}}
<p class="note">{{.Note}}.</p>{{if .Rows}}
<table class="quota"><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}{{end}}{{end}}

<h2>Tokens</h2>
<table id="tokens"><tr><th class="l">target</th><th>with usage</th><th>without</th><th>server prompt</th><th>server completion</th><th>cached share</th><th>client vs server prompt</th><th>client vs server completion</th><th>tokens per event</th><th>thinking</th></tr>
{{range $t := .S.Targets}}{{with .All.Tokens}}<tr><td class="l">{{$t.Name}}</td><td>{{.WithUsage}}</td><td>{{.WithoutUsage}}</td><td>{{.ServerPrompt}}</td><td>{{.ServerCompletion}}</td><td>{{pct .CachedShare}}</td><td>{{signed .PromptMismatch}}</td><td>{{signed .CompletionMismatch}}</td><td>{{printf "%.2f" .TokensPerEvent}}</td><td>{{.Thinking}}</td></tr>
{{end}}{{end}}
</table>

{{if .S.Warnings}}<h2>Warnings</h2><ul class="warn">{{range .S.Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}

<h2>Definitions</h2>
<dl>{{range .Metrics}}<dt>{{.Name}} <code>{{.Key}}</code></dt><dd>{{.Def}}</dd>{{end}}
<dt>availability</dt><dd>successful / issued requests in the measured window; every failure stays in the denominator. Dropped requests (never sent) are listed apart.</dd>
<dt>goodput</dt><dd>successful requests within every per-request objective (the highest-percentile limit of each of TTFB, TTFT, TTFAT, TPOT, E2E, corrected), per second.</dd>
<dt>cost</dt><dd>per request from server usage: tier by prompt tokens; (prompt − cached)·input + cached·cache read + completion·output, at the tier's prices.</dd>
</dl>
<p class="meta">Files: {{range .S.Files}}{{.}} {{end}}</p>
<script>
// Marks the page with how many plots decoded, for automated checks (and
// shows a notice when one did not).
(function () {
  var errors = 0;
  window.addEventListener("error", function () { errors++; document.body.dataset.jsErrors = errors; }, true);
  function check() {
    var imgs = document.querySelectorAll("img.plot"), ok = 0, bad = 0;
    imgs.forEach(function (img) { if (img.complete && img.naturalWidth > 0) { ok++; } else { bad++; } });
    document.body.dataset.plotsLoaded = ok;
    document.body.dataset.plotsFailed = bad;
    document.body.dataset.jsErrors = errors;
  }
  if (document.readyState === "complete") { check(); } else { window.addEventListener("load", check); }
})();
</script>
</body>
</html>
{{define "grow"}}<tr><td class="l"><b>{{if .Target}}{{.Target}}{{else}}all{{end}}</b></td><td class="l">{{tier .Tier}}</td>{{template "cells" .}}</tr>
{{end}}{{define "subrow"}}<tr class="sub"><td class="l"></td><td class="l">{{tier .Tier}}</td>{{template "cells" .}}</tr>
{{end}}{{define "cells"}}<td>{{.Requests}}</td><td>{{.OK}}</td><td>{{.Failed}}</td><td>{{.Dropped}}</td><td>{{pct .Availability}}</td><td>{{rate .Throughput}}</td><td>{{rate .InputTokensRate}}</td><td>{{rate .OutputTokensRate}}</td><td>{{dist (index .Latency "ttft") 50.0}}</td><td>{{dist (index .Latency "ttft") 99.0}}</td><td>{{dist (index .Latency "tpot") 50.0}}</td><td>{{dist (index .Latency "tpot") 99.0}}</td><td>{{dist (index .Latency "e2e") 50.0}}</td><td>{{dist (index .Latency "e2e") 99.0}}</td><td>{{rate .Goodput}}</td>{{end}}
`))

// untrustedReason is the badge's "UNTRUSTWORTHY: …" line, "" for a trusted run.
func untrustedReason(s *Summary) string {
	if j, why := s.Judge(); j == Untrusted {
		return why
	}
	return ""
}
