package report

import "html/template"

// The SLO section's window timelines and error-budget burn, a block of its
// own in report.html (after the SLO table) so the page's other sections
// change without touching it.
var _ = template.Must(htmlTemplate.New("slo-time").Parse(`{{if .S.SLO.Windows}}
<h3>Windows</h3>
<p class="note">✓ pass, ✗ fail, · no requests; the SLO over time chart below draws the same.</p>
<pre id="windows">{{timelines .S}}</pre>{{end}}{{if .S.SLO.Burn}}
<h3>Error budget burn</h3>
<p class="note">Multi-window, multi-burn-rate conditions of the SRE workbook, windows scaled to the run ({{burnNote .S}}); a condition holds when the error ratio over both windows exceeds burn × budget. A fired page fails the verdict.</p>
<table id="burn"><tr><th class="l">target</th><th class="l">objective</th><th>budget</th><th>spent</th><th class="l">condition</th><th>long</th><th>short</th><th>burn &gt;</th><th>peak</th><th class="l">fired</th></tr>
{{range $b := .S.SLO.Burn}}{{range .Alerts}}<tr><td class="l">{{$b.Target}}</td><td class="l"><code>{{$b.Text}}</code></td><td>{{pct $b.Budget}}</td><td>{{pct $b.Consumed}}</td><td class="l">{{.Name}}</td><td>{{secs .LongS}}</td><td>{{secs .ShortS}}</td><td>{{.Burn}}x</td><td>{{printf "%.1f" .Peak}}x</td><td class="l {{if and .Fired .Page}}bad{{else if not .Fired}}ok{{end}}">{{.Outcome}}</td></tr>
{{end}}{{end}}</table>{{end}}`))
