package checks

import (
	"context"
	"fmt"
	"regexp"

	"github.com/apiguard/apiguard/internal/scan"
)

// injectionSQL tries each injection point (at most maxPoints per
// operation) with a quote that breaks SQL (1 request: a database error in
// the response proves it), then a true and a false condition (2 requests:
// a 2xx for the true one and a different answer for the false one proves
// it). It stops at the first finding per operation: at most 3 requests
// per point.
type injectionSQL struct{}

var injectionSQLMeta = scan.Meta{
	ID: "injection.sql", Severity: scan.High, OWASP: "API8:2023",
	Title:       "SQL injection",
	Remediation: "Use parameterised queries everywhere; in apiguard, waf: block (the default) answers 403 to SQL injection payloads before they reach the API.",
}

var sqlErrRE = regexp.MustCompile(`(?i)(you have an error in your sql syntax|sql syntax.*mysql|mysql_fetch|ORA-\d{5}|postgresql.*error|pg_query|unterminated quoted string|quoted string not properly terminated|SQLSTATE\[|sqlite3?\.(operational|programming)error|SQLITE_ERROR|sql logic error|near "[^"]*": syntax error|unrecognized token:|Microsoft OLE DB|ODBC SQL Server Driver|Unclosed quotation mark|syntax error at or near|java\.sql\.SQLException|System\.Data\.SqlClient|PDOException|pq: syntax error)`)

func (injectionSQL) Info() scan.Meta { return injectionSQLMeta }

func (injectionSQL) Estimate(env *scan.Env) int {
	n := 0
	for _, op := range injectable(env) {
		n += 3 * len(points(env, op))
	}
	return n
}

func (injectionSQL) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	for _, op := range injectable(env) {
		base := env.Baseline(op)
	points:
		for _, p := range points(env, op) {
			x, err := env.Send(ctx, op, env.Auth, inject(env, op, p, p.value+`'"`))
			if err != nil {
				if fatal(ctx, err) {
					return out
				}
				continue
			}
			if m := sqlErrRE.FindString(string(x.Body)); m != "" && (base == nil || !sqlErrRE.Match(base.Body)) {
				out = append(out, injectionSQLMeta.Finding(op.Method, opPath(op),
					fmt.Sprintf("a quote in %s %q produced a database error:\n%s", p.in, p.name, x.Evidence(m))))
				break points
			}
			t, f := p.value+`' OR '1'='1`, p.value+`' AND '1'='2`
			if p.numeric {
				t, f = p.value+" OR 1=1", p.value+" AND 1=2"
			}
			xt, err := env.Send(ctx, op, env.Auth, inject(env, op, p, t))
			if err != nil {
				if fatal(ctx, err) {
					return out
				}
				continue
			}
			if !xt.OK() {
				continue
			}
			xf, err := env.Send(ctx, op, env.Auth, inject(env, op, p, f))
			if err != nil {
				if fatal(ctx, err) {
					return out
				}
				continue
			}
			if xf.Status != xt.Status || !similar(xt.Body, xf.Body) {
				out = append(out, injectionSQLMeta.Finding(op.Method, opPath(op), fmt.Sprintf(
					"%s %q: a true condition and a false one get different answers (%d, %d bytes vs %d, %d bytes):\n%s\n\n%s",
					p.in, p.name, xt.Status, len(xt.Body), xf.Status, len(xf.Body), xt.Evidence(""), xf.Evidence(""))))
				break points
			}
		}
	}
	return out
}
