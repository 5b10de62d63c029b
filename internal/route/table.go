package route

import (
	"strconv"
	"strings"
)

// Spec is one route as configured.
type Spec[T any] struct {
	// Name identifies the route in errors, logs, metrics and audit records.
	// It must be non-empty and unique.
	Name string
	// Methods are the HTTP methods the route answers, upper-case, at least
	// one. GET implies HEAD.
	Methods []string
	// Path is the template, e.g. "/v1/orders/{id}" (see the package doc).
	Path string
	// Value is returned by Lookup when the route matches, e.g. the route's
	// compiled pipeline.
	Value T
}

// Status is the outcome of a [Table.Lookup]. The zero value is [NotFound],
// so a forgotten Result fails closed.
type Status uint8

const (
	// NotFound means no template matches the path (404 not-found).
	NotFound Status = iota
	// Found means a route matches the path and allows the method.
	Found
	// MethodNotAllowed means templates match the path but none allows the
	// method (405 method-not-allowed, with [Result.Allow]).
	MethodNotAllowed
	// BadPath means [Normalize] rejected the path (400 invalid-request).
	BadPath
)

// String returns the status name, e.g. "MethodNotAllowed".
func (s Status) String() string {
	switch s {
	case NotFound:
		return "NotFound"
	case Found:
		return "Found"
	case MethodNotAllowed:
		return "MethodNotAllowed"
	case BadPath:
		return "BadPath"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Result is the answer of a [Table.Lookup].
type Result[T any] struct {
	Status Status
	// Value, Name and Params describe the matched route (Status Found).
	Value  T
	Name   string
	Params Params
	// Allow is the value of the Allow header for MethodNotAllowed: the
	// methods of every template matching the path, sorted, ", "-separated,
	// e.g. "GET, HEAD, POST".
	Allow string
	// Path is the normalised, decoded path that was matched (all statuses
	// but BadPath).
	Path string
	// EscapedPath is Path canonically escaped: what the upstream must receive.
	EscapedPath string
	// Err is the reason for BadPath; it wraps ErrBadPath and never contains
	// the path.
	Err error
}

// Table is an immutable, compiled route table, safe for concurrent use.
// The zero Table routes nothing: every valid path is NotFound.
type Table[T any] struct {
	root    node[T]
	methods []string          // every method of the table, sorted; bit i is methods[i]
	allow   map[uint64]string // Allow values for each template's method set
}

// node is a trie node: one per distinct template prefix.
type node[T any] struct {
	lits  map[string]*node[T] // literal next segments
	param *node[T]            // a {param} next segment
	end   *endpoint[T]        // templates ending here
	rest  *endpoint[T]        // catch-all templates ending here
}

// endpoint holds the routes sharing one template shape; their method sets
// are disjoint (Build checks).
type endpoint[T any] struct {
	mask    uint64
	entries []*entry[T]
}

// entry is one compiled route.
type entry[T any] struct {
	index   int
	name    string
	value   T
	methods []string // as configured
	mask    uint64   // configured methods, plus HEAD with GET
	params  *paramSpec
}

// Lookup normalises escapedPath (see [Normalize]) and finds the route for
// the method and the path. It does not allocate when the path is canonical
// and has no escapes, except for a 405 whose Allow value unites several
// templates' methods (built on the spot, one allocation).
func (t *Table[T]) Lookup(method, escapedPath string) Result[T] {
	path, escaped, err := Normalize(escapedPath)
	if err != nil {
		return Result[T]{Status: BadPath, Err: err}
	}
	res := Result[T]{Path: path, EscapedPath: escaped}
	rest := path
	if rest == "/" {
		rest = ""
	}
	e, allow := t.root.match(rest, t.methodBit(method))
	switch {
	case e != nil:
		res.Status, res.Value, res.Name = Found, e.value, e.name
		res.Params = Params{path: path, spec: e.params}
	case allow != 0:
		res.Status, res.Allow = MethodNotAllowed, t.allowValue(allow)
	default:
		res.Status = NotFound
	}
	return res
}

// methodBit returns the bit of method, or 0 for a method no route has.
func (t *Table[T]) methodBit(method string) uint64 {
	for i, m := range t.methods {
		if m == method {
			return 1 << i
		}
	}
	return 0
}

// allowValue returns the Allow header value for a method set.
func (t *Table[T]) allowValue(mask uint64) string {
	if s, ok := t.allow[mask]; ok {
		return s
	}
	return joinMethods(t.methods, mask)
}

// joinMethods lists the methods whose bits are in mask, ", "-separated.
func joinMethods(methods []string, mask uint64) string {
	var b strings.Builder
	for i, m := range methods {
		if mask&(1<<i) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m)
	}
	return b.String()
}

// match finds, depth first in precedence order (literal, then parameter,
// then catch-all), the most specific route for the rest of a path ("" or
// starting with "/") that allows the method bit. Without one it returns the
// union of the method sets of every template matching the path. Each trie
// node is visited at most once, so the cost is bounded by the table size.
func (n *node[T]) match(path string, bit uint64) (*entry[T], uint64) {
	if path == "" {
		return n.end.pick(bit)
	}
	seg, rest := cutSegment(path)
	var allow uint64
	if c := n.lits[seg]; c != nil {
		e, a := c.match(rest, bit)
		if e != nil {
			return e, 0
		}
		allow |= a
	}
	if n.param != nil {
		e, a := n.param.match(rest, bit)
		if e != nil {
			return e, 0
		}
		allow |= a
	}
	e, a := n.rest.pick(bit)
	return e, allow | a
}

// pick returns the endpoint's route allowing the method bit, if any, and the
// endpoint's method set. A nil endpoint matches nothing.
func (ep *endpoint[T]) pick(bit uint64) (*entry[T], uint64) {
	if ep == nil {
		return nil, 0
	}
	for _, e := range ep.entries {
		if e.mask&bit != 0 {
			return e, ep.mask
		}
	}
	return nil, ep.mask
}
