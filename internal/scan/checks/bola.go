package checks

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// bolaSuspected replays, as --auth-b, the object reads that succeeded for
// --auth (objects A created or listed): one GET per object operation (at
// most maxBOLA), plus one PUT/PATCH as B on an object the scan created as
// A, when such an operation exists. An operation that also answers
// anonymous requests is left to auth.missing.
type bolaSuspected struct{}

const maxBOLA = 8

var bolaSuspectedMeta = scan.Meta{
	ID: "bola.suspected", Severity: scan.High, OWASP: "API1:2023",
	Title:       "Another user can read or change this user's object",
	Remediation: "Check on every object access that the caller owns or may see the object (by the authenticated subject, which apiguard passes upstream in X-Apiguard-Subject), not just that the caller is authenticated.",
}

func (bolaSuspected) Info() scan.Meta { return bolaSuspectedMeta }

func (bolaSuspected) Estimate(env *scan.Env) int {
	if !env.Auth.Set() || !env.AuthB.Set() {
		return 0
	}
	return maxBOLA + 2
}

func (bolaSuspected) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	if !env.Auth.Set() || !env.AuthB.Set() {
		return nil
	}
	if env.Auth == env.AuthB {
		env.Note("bola.suspected: --auth and --auth-b are the same credential; skipped")
		return nil
	}
	var out []scan.Finding
	n := 0
	for _, op := range env.Target.Ops {
		if n >= maxBOLA || ctx.Err() != nil {
			break
		}
		a := env.Baseline(op)
		if op.Method != http.MethodGet || !op.HasPathParams() || !a.OK() {
			continue
		}
		n++
		x, err := env.Send(ctx, op, env.AuthB, func(r *scan.Request) { r.Path = a.ReqPath })
		if err != nil {
			if fatal(ctx, err) {
				break
			}
			continue
		}
		if !x.OK() || !sameObject(a, x) {
			continue
		}
		if u, err := env.Unauth(ctx, op); err != nil || u.OK() {
			continue // public, or unknown: not an authorization finding
		}
		out = append(out, bolaSuspectedMeta.Finding(op.Method, opPath(op), fmt.Sprintf(
			"user A read %s; user B (--auth-b) got the same object:\n%s", a.PathQuery(), x.Evidence(""))))
	}
	for _, op := range env.Target.Ops {
		if (op.Method != http.MethodPatch && op.Method != http.MethodPut) || !op.HasPathParams() ||
			env.Target.OwnedID(scan.Collection(op.Path)) == "" {
			continue
		}
		x, err := env.Send(ctx, op, env.AuthB, nil)
		if err != nil {
			break
		}
		if x.OK() {
			out = append(out, bolaSuspectedMeta.Finding(op.Method, opPath(op),
				"user B (--auth-b) changed an object that user A created in this scan:\n"+x.Evidence("")))
		}
		break
	}
	return out
}

// sameObject reports whether B's response is A's object: equal bodies, or
// B's body carrying the id from A's request path.
func sameObject(a, b *scan.Exchange) bool {
	if string(a.Body) == string(b.Body) {
		return true
	}
	seg := a.URL.Path[strings.LastIndex(a.URL.Path, "/")+1:]
	return seg != "" && strings.Contains(string(b.Body), seg) && similar(a.Body, b.Body)
}
