package checks

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// errorsVerbose sends a malformed JSON body to the first JSON write and a
// mistyped path parameter to the first object read (at most 2 requests),
// then reads every exchange of the scan so far for stack traces, database
// errors, source file paths and internal addresses.
type errorsVerbose struct{}

var errorsVerboseMeta = scan.Meta{
	ID: "errors.verbose", Severity: scan.Medium, OWASP: "API8:2023",
	Title:       "Error responses reveal internals",
	Remediation: "Answer errors with a generic problem body (RFC 9457) and log the detail server-side; apiguard replaces upstream 5xx bodies with its own 502 problem (no stack trace, upstream address or library name).",
}

var leakPatterns = []struct {
	what string
	re   *regexp.Regexp
}{
	{"stack trace", regexp.MustCompile(`Traceback \(most recent call last\)|goroutine \d+ \[[a-z ]+\]:|panic: .+\n|\n\s+at [\w$.<>]+\([\w]+\.(?:java|kt|scala):\d+\)|\n\s+at (?:[\w$.<>\[\] ]+ \()?(?:/|[A-Za-z]:\\|file://)[^)\n]+:\d+:\d+\)?|File "[^"]+", line \d+|\.go:\d+ \+0x[0-9a-f]+|Exception in thread "|System\.[\w.]*Exception:|\bin /[\w/.-]+\.php on line \d+`)},
	{"database error", sqlErrRE},
	{"source file path", regexp.MustCompile(`(?:/home/\w+|/usr/src/app|/usr/local/lib/python\d[\d.]*|/var/www|/srv/\w+|/app/[\w/-]+|/opt/[\w/-]+|/go/src|/root)/[\w./-]*\.(?:py|js|mjs|ts|go|java|php|rb|cs)\b|[A-Za-z]:\\(?:Users|inetpub|Program Files)\\`)},
	{"internal address", regexp.MustCompile(`\b(?:10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3})(?::\d{2,5})?\b|\b[\w-]+(?:\.[\w-]+)*\.(?:internal|corp|lan|svc\.cluster\.local)\b|dial tcp [\d.:\[\]a-z]+`)},
}

// leak returns what internal detail body shows, and the match. Internal
// addresses count only in error responses and not when they are the
// target's own host.
func leak(x *scan.Exchange, ownHost string) (string, string) {
	body := string(x.Body)
	for _, p := range leakPatterns {
		if p.what == "internal address" && x.Status < 400 {
			continue
		}
		for _, m := range p.re.FindAllString(body, 5) {
			if ownHost != "" && strings.Contains(m, ownHost) {
				continue
			}
			return p.what, strings.TrimSpace(m)
		}
	}
	return "", ""
}

func (errorsVerbose) Info() scan.Meta { return errorsVerboseMeta }

func (errorsVerbose) Estimate(*scan.Env) int { return 2 }

func (errorsVerbose) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	for _, op := range env.Probeable() {
		if op.JSONBody() && op.Method != http.MethodGet {
			_, err := env.Send(ctx, op, env.Auth, func(r *scan.Request) { r.Body = []byte(`{"apiguard-scan": [`) })
			if fatal(ctx, err) {
				return nil
			}
			break
		}
	}
	for _, op := range env.Probeable() {
		if op.Method == http.MethodGet && op.HasPathParams() {
			pts := points(env, op)
			if len(pts) > 0 && pts[0].in == "path" {
				_, err := env.Send(ctx, op, env.Auth, inject(env, op, pts[0], `apg'"<>[]{}`))
				if fatal(ctx, err) {
					return nil
				}
			}
			break
		}
	}
	var out []scan.Finding
	seen := map[string]bool{}
	host := env.Target.Base.Host
	for _, x := range env.Client.Exchanges() {
		if x.URL.Host != host {
			continue
		}
		what, m := leak(x, host)
		if what == "" {
			continue
		}
		method, path := x.Method, x.URL.Path
		if op := opFor(env, x); op != nil {
			path = op.Path
		}
		if seen[method+" "+path] {
			continue
		}
		seen[method+" "+path] = true
		out = append(out, errorsVerboseMeta.Finding(method, path, fmt.Sprintf("response shows a %s:\n%s", what, x.Evidence(m))))
	}
	return out
}

// opFor returns the operation an exchange was sent to, by method and path
// template, or nil.
func opFor(env *scan.Env, x *scan.Exchange) *scan.Operation {
	p := strings.TrimPrefix(x.URL.Path, strings.TrimSuffix(env.Target.Base.Path, "/"))
	p = strings.TrimPrefix(p, env.Target.Prefix)
	for _, op := range env.Target.Ops {
		if op.Method == x.Method && scan.MatchTemplate(op.Path, p) {
			return op
		}
	}
	return nil
}
