package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/apiguard/apiguard/internal/scan"
)

// massAssignment sends a valid write (POST, or PUT/PATCH on an object the
// scan created) with privileged fields the schema does not offer (role,
// is_admin, ...) and reads the object back (the GET on it, else the write's
// response): 2 requests per write operation, at most maxWrites.
type massAssignment struct{}

const maxWrites = 3

var massAssignmentMeta = scan.Meta{
	ID: "mass-assignment", Severity: scan.High, OWASP: "API3:2023",
	Title:       "A write accepts privileged fields and they take effect",
	Remediation: "Bind request bodies to an explicit allow-list of writable fields and reject unknown ones; in apiguard, give the route an openapi: spec with additionalProperties: false so such requests are refused with 400.",
}

// privileged are the fields a client must never set; the value is what
// the scan sets and what proves it took effect.
var privileged = map[string]any{"role": "admin", "is_admin": true, "isAdmin": true, "admin": true}

func (massAssignment) Info() scan.Meta { return massAssignmentMeta }

func (massAssignment) Estimate(*scan.Env) int { return 2 * maxWrites }

func (massAssignment) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	n := 0
	for _, op := range env.Probeable() {
		if n >= maxWrites || ctx.Err() != nil {
			break
		}
		if op.Method == http.MethodGet || op.Method == http.MethodHead || !op.JSONBody() || isLoginPath(op) {
			continue
		}
		body := copyObject(scan.BodySample(op.Body))
		added := map[string]any{}
		for k, v := range privileged {
			if _, documented := body[k]; documented || writable(op, k) {
				continue
			}
			added[k] = v
			body[k] = v
		}
		if len(added) == 0 {
			continue
		}
		n++
		w, err := env.Send(ctx, op, env.Auth, func(r *scan.Request) { r.Body, _ = json.Marshal(body) })
		if err != nil {
			if fatal(ctx, err) {
				break
			}
			continue
		}
		if !w.OK() {
			continue
		}
		read := w
		if p := env.Target.Learn(op, w.Body, op.Method == http.MethodPost); p != "" {
			env.Client.MarkOwned(p)
		}
		if get := readOp(env, op); get != nil {
			if x, err := env.Client.Do(ctx, env.Request(get, env.Auth, true)); err == nil && x.OK() {
				read = x
			}
		}
		if k, ok := tookEffect(read.Body, added); ok {
			ev := fmt.Sprintf("wrote %s; read back with %q set:\n%s", w.Evidence(""), k, read.Evidence(`"`+k+`"`))
			if read == w {
				ev = fmt.Sprintf("the write echoed %q as set:\n%s", k, w.Evidence(`"`+k+`"`))
			}
			out = append(out, massAssignmentMeta.Finding(op.Method, opPath(op), ev))
		}
	}
	return out
}

// writable reports a property the operation's schema documents (and so
// may legitimately set).
func writable(op *scan.Operation, k string) bool {
	if op.Body == nil || op.Body.Schema == nil {
		return false
	}
	p, ok := op.Body.Schema.Properties[k]
	return ok && !p.ReadOnly
}

// readOp finds the GET on the object a write touched: for POST /x, GET
// /x/{id}; for PUT/PATCH /x/{id}, GET /x/{id}.
func readOp(env *scan.Env, op *scan.Operation) *scan.Operation {
	coll := scan.Collection(op.Path)
	for _, o := range env.Target.Ops {
		if o.Method == http.MethodGet && o.HasPathParams() && scan.Collection(o.Path) == coll && o.Path != coll {
			return o
		}
	}
	return nil
}

// tookEffect reports which added field the object now carries with the
// privileged value (top level or inside a "data"/"user" envelope).
func tookEffect(body []byte, added map[string]any) (string, bool) {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return "", false
	}
	for _, env := range []string{"data", "user", "result"} {
		if inner, ok := v[env].(map[string]any); ok {
			for k, val := range inner {
				if _, ok := v[k]; !ok {
					v[k] = val
				}
			}
		}
	}
	for k, want := range added {
		if got, ok := v[k]; ok && fmt.Sprint(got) == fmt.Sprint(want) {
			return k, true
		}
	}
	return "", false
}

func isLoginPath(op *scan.Operation) bool { return loginish.MatchString(op.Path) }

// copyObject deep-copies a JSON object sample (nil-safe), so the spec's
// own example is never modified.
func copyObject(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	if json.Unmarshal(b, &m) != nil || m == nil {
		m = map[string]any{}
	}
	return m
}
