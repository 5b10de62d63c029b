package route

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// maxMethods is the number of distinct methods a table can hold (one bit of
// a uint64 each).
const maxMethods = 64

// BuildError is one problem with one route. [Build] returns every problem it
// finds, joined with errors.Join (one per line); errors.As finds the first.
type BuildError struct {
	Index  int    // position of the route in the specs given to Build
	Field  string // "name", "methods", "methods[1]" or "path"
	Reason string
}

// Error formats the problem with its field path, e.g.
// `routes[4].path: overlaps routes[1] (get-order) for GET`.
func (e *BuildError) Error() string {
	return "routes[" + strconv.Itoa(e.Index) + "]." + e.Field + ": " + e.Reason
}

// Build validates and compiles the routes into an immutable [Table]. It
// rejects empty or duplicate names, missing, malformed or duplicate methods,
// invalid templates (see the package doc) and ambiguity: two routes of the
// same template shape (parameter names aside) sharing a method, GET's
// implied HEAD included.
func Build[T any](specs []Spec[T]) (*Table[T], error) {
	b := builder[T]{names: make(map[string]int, len(specs))}
	var entries []*entry[T]
	var tmpls []template
	for i, s := range specs {
		if e, tmpl, ok := b.compile(i, s); ok {
			entries = append(entries, e)
			tmpls = append(tmpls, tmpl)
		}
	}
	t := &Table[T]{methods: b.methodSet(entries)}
	for i, e := range entries {
		b.insert(t, e, tmpls[i])
	}
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	t.allow = make(map[uint64]string)
	t.root.collectAllow(t)
	return t, nil
}

// builder accumulates the problems found while building a table.
type builder[T any] struct {
	errs  []error
	names map[string]int // route name -> index of its first use
}

func (b *builder[T]) fail(i int, field, format string, args ...any) {
	b.errs = append(b.errs, &BuildError{Index: i, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// compile validates one spec; ok is false when it has a problem.
func (b *builder[T]) compile(i int, s Spec[T]) (e *entry[T], tmpl template, ok bool) {
	before := len(b.errs)
	b.checkName(i, s.Name)
	b.checkMethods(i, s.Methods)
	tmpl, err := parseTemplate(s.Path)
	if err != nil {
		b.fail(i, "path", "%s", err)
	}
	if len(b.errs) > before {
		return nil, tmpl, false
	}
	e = &entry[T]{index: i, name: s.Name, value: s.Value, methods: slices.Clone(s.Methods), params: tmpl.params}
	return e, tmpl, true
}

func (b *builder[T]) checkName(i int, name string) {
	if name == "" {
		b.fail(i, "name", "required")
		return
	}
	if first, dup := b.names[name]; dup {
		b.fail(i, "name", "%q is already used by routes[%d]", name, first)
		return
	}
	b.names[name] = i
}

func (b *builder[T]) checkMethods(i int, methods []string) {
	if len(methods) == 0 {
		b.fail(i, "methods", "at least one method is required")
	}
	for j, m := range methods {
		field := "methods[" + strconv.Itoa(j) + "]"
		switch {
		case !validMethod(m):
			b.fail(i, field, "%q is not an upper-case method token", m)
		case slices.Contains(methods[:j], m):
			b.fail(i, field, "duplicate %q", m)
		}
	}
}

// validMethod reports whether m is an RFC 9110 token without lower-case
// letters.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		ok := 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// methodSet returns every method of the routes, HEAD added with GET, sorted.
// Their order gives each method its bit, so Allow values come out sorted.
func (b *builder[T]) methodSet(entries []*entry[T]) []string {
	seen := make(map[string]bool)
	for _, e := range entries {
		for _, m := range e.methods {
			seen[m] = true
			if m == "GET" {
				seen["HEAD"] = true
			}
		}
		if len(seen) > maxMethods {
			b.fail(e.index, "methods", "the routes use more than %d distinct methods", maxMethods)
			return nil
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// insert adds a route to the trie, rejecting it if a route of the same
// shape already answers one of its methods.
func (b *builder[T]) insert(t *Table[T], e *entry[T], tmpl template) {
	for _, m := range e.methods {
		e.mask |= t.methodBit(m)
		if m == "GET" {
			e.mask |= t.methodBit("HEAD")
		}
	}
	segs, catch := tmpl.segs, false
	if n := len(segs); n > 0 && segs[n-1].kind == catchAll {
		segs, catch = segs[:n-1], true
	}
	n := &t.root
	for _, s := range segs {
		n = n.child(s)
	}
	ep := n.endpoint(catch)
	for _, o := range ep.entries {
		if o.mask&e.mask != 0 {
			b.fail(e.index, "path", "overlaps routes[%d] (%s) for %s", o.index, o.name, sharedMethods(o, e))
			return
		}
	}
	ep.entries = append(ep.entries, e)
	ep.mask |= e.mask
}

// sharedMethods names the methods two overlapping routes share as
// configured, or the implied HEAD.
func sharedMethods[T any](a, b *entry[T]) string {
	var shared []string
	for _, m := range a.methods {
		if slices.Contains(b.methods, m) {
			shared = append(shared, m)
		}
	}
	if len(shared) == 0 {
		return "HEAD (implied by GET)"
	}
	slices.Sort(shared)
	return strings.Join(shared, ", ")
}

// child returns the child for a literal or parameter segment, creating it.
func (n *node[T]) child(s tmplSeg) *node[T] {
	if s.kind == param {
		if n.param == nil {
			n.param = &node[T]{}
		}
		return n.param
	}
	if n.lits == nil {
		n.lits = make(map[string]*node[T])
	}
	c := n.lits[s.text]
	if c == nil {
		c = &node[T]{}
		n.lits[s.text] = c
	}
	return c
}

// endpoint returns the node's end (or catch-all) endpoint, creating it.
func (n *node[T]) endpoint(catch bool) *endpoint[T] {
	p := &n.end
	if catch {
		p = &n.rest
	}
	if *p == nil {
		*p = &endpoint[T]{}
	}
	return *p
}

// collectAllow precomputes the Allow value of every endpoint's method set.
func (n *node[T]) collectAllow(t *Table[T]) {
	for _, ep := range []*endpoint[T]{n.end, n.rest} {
		if ep != nil {
			t.allow[ep.mask] = joinMethods(t.methods, ep.mask)
		}
	}
	for _, c := range n.lits {
		c.collectAllow(t)
	}
	if n.param != nil {
		n.param.collectAllow(t)
	}
}
