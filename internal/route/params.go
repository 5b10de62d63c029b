package route

import (
	"fmt"
	"strings"
)

// Params are the values captured by a matched route's parameters. A Params
// is a small value: it refers to the decoded path and to the route's compiled
// parameter list, and extracting a value slices the path without allocating.
// The zero Params has no parameters.
//
// Values are decoded (they come from [Result.Path]) and never empty. A
// catch-all's value is the rest of the path without its leading slash, e.g.
// "a/b" for "/files/{p...}" and "/files/a/b".
type Params struct {
	path string
	spec *paramSpec
}

// paramSpec is a route's compiled parameter list.
type paramSpec struct {
	names []string
	segs  []int // index of each parameter's segment, 0 for the first after the root
	rest  bool  // the last parameter is a catch-all
}

// newParamSpec collects a template's parameters; nil when it has none.
func newParamSpec(segs []tmplSeg) (*paramSpec, error) {
	var ps paramSpec
	for i, s := range segs {
		if s.kind == literal {
			continue
		}
		for _, n := range ps.names {
			if n == s.text {
				return nil, fmt.Errorf("duplicate parameter %q", s.text)
			}
		}
		ps.names = append(ps.names, s.text)
		ps.segs = append(ps.segs, i)
		ps.rest = s.kind == catchAll
	}
	if len(ps.names) == 0 {
		return nil, nil
	}
	return &ps, nil
}

// Len returns the number of parameters.
func (p Params) Len() int {
	if p.spec == nil {
		return 0
	}
	return len(p.spec.names)
}

// Name returns the name of the i-th parameter, in template order. It panics
// if i is out of range.
func (p Params) Name(i int) string { return p.spec.names[i] }

// Value returns the value of the i-th parameter, in template order. It panics
// if i is out of range.
func (p Params) Value(i int) string {
	start := segmentStart(p.path, p.spec.segs[i])
	if p.spec.rest && i == len(p.spec.names)-1 {
		return p.path[start:]
	}
	if end := strings.IndexByte(p.path[start:], '/'); end >= 0 {
		return p.path[start : start+end]
	}
	return p.path[start:]
}

// Get returns the value of the named parameter, or "" if the route has no
// parameter of that name.
func (p Params) Get(name string) string {
	for i := 0; i < p.Len(); i++ {
		if p.spec.names[i] == name {
			return p.Value(i)
		}
	}
	return ""
}

// segmentStart returns the offset in path of segment k (0 is the first after
// the root). path is one the route matched, so the segment exists.
func segmentStart(path string, k int) int {
	i := 1
	for ; k > 0; k-- {
		i += strings.IndexByte(path[i:], '/') + 1
	}
	return i
}
