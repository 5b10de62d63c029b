package checks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// inventoryUndocumented asks for one random path (to learn how the target
// answers unknown paths), then for well-known admin, debug and secret-file
// paths and for the previous version of each documented versioned
// collection (at most maxOldVersions): about 20 requests. An undocumented
// path that answers differently from the random one, with 2xx (or 401/403,
// reported low: it exists), is a finding.
type inventoryUndocumented struct{}

const maxOldVersions = 4

var inventoryUndocumentedMeta = scan.Meta{
	ID: "inventory.undocumented", Severity: scan.Medium, OWASP: "API9:2023",
	Title:       "Live endpoint not in the API's documentation",
	Remediation: "Retire old versions and remove debug and admin endpoints from the public listener, or document and protect them; behind apiguard only routes in the configuration are reachable (404 for everything else) and deprecation: { sunset } retires versions with 410.",
}

// wellKnown are probed paths and the severity of finding them open.
var wellKnown = []struct {
	path string
	sev  scan.Severity
}{
	{"/.env", scan.High}, {"/.git/config", scan.High}, {"/actuator/env", scan.High},
	{"/debug/pprof/", scan.High}, {"/debug/vars", scan.High}, {"/debug", scan.Medium},
	{"/admin", scan.Medium}, {"/api/admin", scan.Medium}, {"/internal", scan.Medium},
	{"/actuator", scan.Medium}, {"/metrics", scan.Medium}, {"/server-status", scan.Medium},
	{"/console", scan.Medium}, {"/phpinfo.php", scan.High}, {"/config.json", scan.Medium},
	{"/backup.sql", scan.High},
}

var versionRE = regexp.MustCompile(`/v(\d+)(/|$)`)

func (inventoryUndocumented) Info() scan.Meta { return inventoryUndocumentedMeta }

func (inventoryUndocumented) Estimate(*scan.Env) int { return 1 + len(wellKnown) + maxOldVersions }

type candidate struct {
	path string
	sev  scan.Severity
	why  string
}

func candidates(env *scan.Env) []candidate {
	var out []candidate
	for _, w := range wellKnown {
		out = append(out, candidate{w.path, w.sev, "well-known admin/debug path"})
	}
	var old []string
	for _, op := range env.Target.Ops {
		if !op.Documented || op.Method != http.MethodGet || op.HasPathParams() {
			continue
		}
		full := env.Target.Prefix + op.Path
		m := versionRE.FindStringSubmatchIndex(full)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(full[m[2]:m[3]])
		if n < 1 {
			continue
		}
		p := full[:m[2]] + strconv.Itoa(n-1) + full[m[3]:]
		if !slices.Contains(old, p) && len(old) < maxOldVersions {
			old = append(old, p)
		}
	}
	for _, p := range old {
		out = append(out, candidate{p, scan.Medium, "older API version"})
	}
	return out
}

func (inventoryUndocumented) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	control, err := env.Client.Do(ctx, scan.Request{Method: http.MethodGet, Path: "/apiguard-scan-" + hex.EncodeToString(b), Header: authHeader(env), Retry429: true})
	if err != nil {
		return nil
	}
	var out []scan.Finding
	for _, c := range candidates(env) {
		rel := strings.TrimPrefix(c.path, env.Target.Prefix)
		if env.Target.Documented(rel) || env.Target.Documented(c.path) {
			continue
		}
		x, err := env.Client.Do(ctx, scan.Request{Method: http.MethodGet, Path: c.path, Header: authHeader(env), Retry429: true})
		if err != nil {
			if fatal(ctx, err) {
				return out
			}
			continue
		}
		if x.Status == control.Status && similar(x.Body, control.Body) {
			continue // the target answers every unknown path like this
		}
		switch {
		case x.OK() && len(x.Body) > 0:
			f := inventoryUndocumentedMeta.Finding(http.MethodGet, c.path, fmt.Sprintf("%s answers 2xx but is not documented:\n%s", c.why, x.Evidence("")))
			f.Severity = c.sev
			out = append(out, f)
		case denied(x) && x.Status != control.Status:
			f := inventoryUndocumentedMeta.Finding(http.MethodGet, c.path, fmt.Sprintf("%s exists (answers %d where unknown paths answer %d) but is not documented:\n%s", c.why, x.Status, control.Status, x.Evidence("")))
			f.Severity = scan.Low
			out = append(out, f)
		}
	}
	return out
}

func authHeader(env *scan.Env) http.Header {
	h := http.Header{}
	env.Auth.Apply(h)
	return h
}
