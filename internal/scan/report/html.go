package report

import (
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/scan"
)

// page is one self-contained HTML page: inline CSS, no scripts, no
// external resources. html/template escapes every value.
var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper": func(s scan.Severity) string { return strings.ToUpper(string(s)) },
	"when":  func(t time.Time) string { return t.Format(time.RFC3339) },
	"round": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>apiguard scan of {{.Target}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.4em}
table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
.sev{font-weight:bold;padding:.1em .4em;border-radius:3px;color:#fff}
.high{background:#b00020}.medium{background:#c77700}.low{background:#3b6ea5}
pre{background:#f5f5f5;padding:.6em;white-space:pre-wrap;word-break:break-all;font-size:.85em}
.finding{border:1px solid #ddd;border-radius:4px;padding:.6em 1em;margin:1em 0}
</style>
</head>
<body>
<h1>apiguard scan of {{.Target}}</h1>
<p>Started {{when .Started}} · {{.Operations}} operations · {{.Requests}} requests in {{round .Duration}}{{if .Interrupted}} · <strong>interrupted</strong>{{end}}</p>
<h2>Summary</h2>
<table><tr><th>high</th><th>medium</th><th>low</th></tr>
<tr><td>{{.Summary.High}}</td><td>{{.Summary.Medium}}</td><td>{{.Summary.Low}}</td></tr></table>
<h2>Findings</h2>
{{range .Findings}}<div class="finding">
<p><span class="sev {{.Severity}}">{{upper .Severity}}</span> <code>{{.Check}}</code> <code>{{.Method}} {{.Path}}</code> ({{.OWASP}})</p>
<p><strong>{{.Title}}</strong></p>
<p>Evidence:</p>
<pre>{{.Evidence}}</pre>
<p>Remediation: {{.Remediation}}</p>
</div>
{{else}}<p>No findings.</p>
{{end}}
{{if .Stats}}<h2>Cost per check</h2>
<table><tr><th>check</th><th>requests</th><th>time</th><th>findings</th></tr>
{{range .Stats}}<tr><td>{{.Check}}</td><td>{{.Requests}}</td><td>{{round .Duration}}</td><td>{{.Findings}}</td></tr>
{{end}}</table>{{end}}
{{range .Notes}}<p>Note: {{.}}</p>
{{end}}
</body>
</html>
`))

// HTML writes one self-contained HTML page.
func HTML(w io.Writer, res *scan.Result) error { return page.Execute(w, res) }
