package scan

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// SpecLocations are where an API commonly publishes its OpenAPI document.
var SpecLocations = []string{
	"/openapi.json", "/openapi.yaml", "/swagger.json", "/v3/api-docs", "/api-docs",
	"/api/openapi.json", "/docs/openapi.json", "/.well-known/openapi.json",
}

// maxCrawl bounds the pages followed when there is no spec.
const maxCrawl = 25

var (
	hrefRE     = regexp.MustCompile(`(?i)(?:href|src|action)\s*=\s*["']([^"'#]+)["']`)
	jsonPathRE = regexp.MustCompile(`"(/[A-Za-z0-9_.~%/-]*(?:\?[^"\s]*)?)"`)
)

// Discover fills t without a spec: the target's root, the common spec
// locations (a spec found there is used as if given with --openapi), and
// links found in responses, followed breadth-first up to maxCrawl pages.
// Each page found is a GET operation.
func Discover(ctx context.Context, c *Client, t *Target) error {
	root, err := c.Do(ctx, Request{Method: http.MethodGet, Path: "/", Retry429: true})
	if err != nil {
		return err
	}
	for _, loc := range SpecLocations {
		x, err := c.Do(ctx, Request{Method: http.MethodGet, Path: loc, Retry429: true})
		if err != nil {
			if errors.Is(err, ErrBudget) || ctx.Err() != nil {
				return err
			}
			continue
		}
		if !x.OK() {
			continue
		}
		if spec, ops, err := ParseSpec(x.Body); err == nil {
			t.Spec, t.Ops, t.Source = spec, ops, "openapi (found at "+loc+")"
			if t.Prefix == "" && (t.Base.Path == "" || t.Base.Path == "/") {
				t.Prefix = spec.BasePath()
			}
			return nil
		}
	}
	t.Source = "discovered"
	seen := map[string]bool{"/": true}
	for _, loc := range SpecLocations {
		seen[loc] = true
	}
	t.Ops = append(t.Ops, &Operation{Method: http.MethodGet, Path: "/"})
	queue := links(t.Base, root)
	for len(queue) > 0 && len(t.Ops) < maxCrawl {
		p := queue[0]
		queue = queue[1:]
		path, rawq, _ := strings.Cut(p, "?")
		if seen[path] {
			continue
		}
		seen[path] = true
		x, err := c.Do(ctx, Request{Method: http.MethodGet, Path: p, Retry429: true})
		if err != nil {
			if errors.Is(err, ErrBudget) || ctx.Err() != nil {
				return err
			}
			continue
		}
		if x.Status == http.StatusNotFound || x.Status == http.StatusMethodNotAllowed {
			continue
		}
		op := &Operation{Method: http.MethodGet, Path: path}
		if q, err := url.ParseQuery(rawq); err == nil {
			for _, k := range slices.Sorted(maps.Keys(q)) {
				op.Params = append(op.Params, Parameter{Name: k, In: "query", Example: q.Get(k)})
			}
		}
		t.Ops = append(t.Ops, op)
		queue = append(queue, links(t.Base, x)...)
	}
	return nil
}

// links extracts same-origin paths (with query) from a response: HTML
// href/src/action attributes, JSON strings that are paths, Link headers.
func links(base *url.URL, x *Exchange) []string {
	if x == nil {
		return nil
	}
	var cands []string
	body := string(x.Body)
	for _, m := range hrefRE.FindAllStringSubmatch(body, 100) {
		cands = append(cands, m[1])
	}
	if strings.Contains(x.ContentType(), "json") {
		for _, m := range jsonPathRE.FindAllStringSubmatch(body, 100) {
			cands = append(cands, m[1])
		}
	}
	for _, l := range x.Header.Values("Link") {
		for _, part := range strings.Split(l, ",") {
			if a, b := strings.Index(part, "<"), strings.Index(part, ">"); a >= 0 && b > a {
				cands = append(cands, part[a+1:b])
			}
		}
	}
	var out []string
	prefix := strings.TrimSuffix(base.Path, "/")
	for _, c := range cands {
		u, err := x.URL.Parse(strings.TrimSpace(c))
		if err != nil || u.Host != x.URL.Host || u.Scheme != x.URL.Scheme {
			continue
		}
		p := u.EscapedPath()
		if prefix != "" {
			var ok bool
			if p, ok = strings.CutPrefix(p, prefix); !ok {
				continue
			}
		}
		if p == "" || strings.HasPrefix(p, "//") || staticAsset(p) {
			continue
		}
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		out = append(out, p)
	}
	return out
}

func staticAsset(p string) bool {
	for _, ext := range []string{".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".woff", ".woff2", ".map"} {
		if strings.HasSuffix(strings.ToLower(p), ext) {
			return true
		}
	}
	return false
}
