package openapi

import (
	"fmt"
	"net/url"
	"strings"

	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// serverBases returns the distinct path parts of the servers' URLs ("/v1"
// for https://api.example.com/v1/), server variables replaced by their
// default and each of their enum values. Root paths are left out: the
// document's paths are always tried as written.
func serverBases(servers []*v3.Server) []string {
	var out []string
	add := func(u string) {
		b := basePath(u)
		if b == "" {
			return
		}
		for _, o := range out {
			if o == b {
				return
			}
		}
		out = append(out, b)
	}
	for _, s := range servers {
		if s == nil {
			continue
		}
		urls := []string{s.URL}
		if s.Variables != nil {
			for p := s.Variables.First(); p != nil; p = p.Next() {
				name, v := "{"+p.Key()+"}", p.Value()
				if v == nil {
					continue
				}
				values := append([]string{v.Default}, v.Enum...)
				var next []string
				for _, u := range urls {
					if !strings.Contains(u, name) {
						next = append(next, u)
						continue
					}
					for _, val := range values {
						next = append(next, strings.ReplaceAll(u, name, val))
					}
				}
				urls = next
			}
		}
		for _, u := range urls {
			add(u)
		}
	}
	return out
}

// basePath is the decoded path of a server URL without its trailing
// slash: "" for none, for "/", and for what cannot be read.
func basePath(u string) string {
	u, _, _ = strings.Cut(u, "#")
	u, _, _ = strings.Cut(u, "?")
	if i := strings.Index(u, "//"); i >= 0 && (i == 0 || strings.HasPrefix(u[i-1:], "://")) {
		rest := u[i+2:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return ""
		}
		u = rest[j:]
	}
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	p, err := url.PathUnescape(u)
	if err != nil || strings.Contains(p, "{") {
		return ""
	}
	return strings.TrimRight(p, "/")
}

// segments splits a path template into its segments: "/a/{b}" is
// ["a", "{b}"], "/" none.
func segments(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// isRouteParam reports whether a gateway template segment is a parameter;
// catch-all parameters ({p...}) are refused before.
func isRouteParam(seg string) bool {
	return len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

// matchScore compares a route template's segments with a spec path (after
// a server base): -1 when the route may reach a path the spec segment does
// not describe, else 2 per equal literal and 1 per parameter matched by a
// parameter (a spec parameter matched by a route literal scores 0).
func matchScore(route, spec []string) int {
	if len(route) != len(spec) {
		return -1
	}
	score := 0
	for i, s := range spec {
		r := route[i]
		switch {
		case !strings.Contains(s, "{"):
			if isRouteParam(r) || r != s {
				return -1
			}
			score += 2
		case isRouteParam(r):
			score++
		}
	}
	return score
}

// match is the spec path a route template was matched to.
type match struct {
	path   string // the spec's template, e.g. /orders/{orderId}
	item   *v3.PathItem
	prefix int // route segments before the spec path (the server base)
}

// findPath finds the spec path that describes a route template best.
func (s *Spec) findPath(template string) (match, error) {
	route := segments(template)
	for _, r := range route {
		if strings.HasSuffix(r, "...}") {
			return match{}, fmt.Errorf("route path %s: a catch-all parameter cannot be matched to an OpenAPI path", template)
		}
	}
	bases := append([]string{""}, s.bases...)
	best, bestScore, tie := match{}, -1, ""
	for p := s.model.Paths.PathItems.First(); p != nil; p = p.Next() {
		for _, b := range bases {
			full := append(segments(b), segments(p.Key())...)
			score := matchScore(route, full)
			if score < 0 || score < bestScore {
				continue
			}
			if score == bestScore && best.item != p.Value() {
				tie = p.Key()
				continue
			}
			if score > bestScore {
				tie = ""
			}
			best = match{path: p.Key(), item: p.Value(), prefix: len(segments(b))}
			bestScore = score
		}
	}
	switch {
	case best.item == nil:
		return match{}, fmt.Errorf("route path %s: the document has no matching path (servers' base paths tried: %s)", template, listOr(bases[1:]))
	case tie != "":
		return match{}, fmt.Errorf("route path %s: matches both %s and %s of the document", template, best.path, tie)
	}
	return best, nil
}

func listOr(v []string) string {
	if len(v) == 0 {
		return "none"
	}
	return strings.Join(v, ", ")
}
