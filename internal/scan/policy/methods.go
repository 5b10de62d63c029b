package policy

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/scan"
)

// methodsCheck sends, once per routed path, a method no route allows
// there (GET, else POST, else TRACE) and expects 405 with Allow: 1 request
// per distinct path.
type methodsCheck struct{ st *state }

var methodsMeta = meta("methods", scan.Medium, "API8:2023", "Gateway accepts a method its routes do not allow",
	"routes[].methods lists what each route accepts; the gateway must answer 405 method-not-allowed (with Allow) for other methods on a routed path.")

func (methodsCheck) Info() scan.Meta { return methodsMeta }

func (c methodsCheck) Estimate(*scan.Env) int { return len(c.st.cfg.Routes) }

func (c methodsCheck) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	allowed := map[string][]string{}
	var paths []string
	first := map[string]*config.Route{}
	for i := range c.st.cfg.Routes {
		r := &c.st.cfg.Routes[i]
		if _, ok := allowed[r.Path]; !ok {
			paths = append(paths, r.Path)
			first[r.Path] = r
		}
		allowed[r.Path] = append(allowed[r.Path], r.Methods...)
	}
	var out []scan.Finding
	for _, p := range paths {
		m := ""
		for _, cand := range []string{http.MethodGet, http.MethodPost, http.MethodTrace} {
			if !slices.Contains(allowed[p], cand) && !(cand == http.MethodGet && slices.Contains(allowed[p], http.MethodHead)) {
				m = cand
				break
			}
		}
		if m == "" {
			continue
		}
		x, err := env.Client.Do(ctx, request(env, first[p], m, scan.Credential{}))
		if err != nil {
			if fatal(ctx, err) {
				break
			}
			continue
		}
		if x.Status != http.StatusMethodNotAllowed {
			out = append(out, finding(methodsMeta, first[p], m, fmt.Sprintf("%s is not routed here: want 405, got %d\n%s", m, x.Status, x.Evidence("", "Allow"))))
		} else if x.Header.Get("Allow") == "" {
			f := finding(methodsMeta, first[p], m, "405 without an Allow header\n"+x.Evidence("", "Allow"))
			f.Severity = scan.Low
			out = append(out, f)
		}
	}
	return out
}
