package scan

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// AuthReq is what is known of an operation's authentication requirement.
type AuthReq int

// Authentication requirements.
const (
	AuthUnknown  AuthReq = iota // no spec or config says
	AuthRequired                // documented as needing credentials
	AuthNone                    // documented as public
)

// Operation is one method on one path of the target.
type Operation struct {
	ID          string
	Method      string
	Path        string // template (spec or gateway route) or concrete discovered path
	Params      []Parameter
	ContentType string
	Body        *MediaType
	Auth        AuthReq
	Responses   []string
	Documented  bool   // from a spec or a gateway configuration
	Route       string // the gateway route's name, from -c
}

// Key is "METHOD path".
func (o *Operation) Key() string { return o.Method + " " + o.Path }

// HasPathParams reports a templated path.
func (o *Operation) HasPathParams() bool { return strings.Contains(o.Path, "{") }

// In returns the parameters in loc (path, query, header, cookie).
func (o *Operation) In(loc string) []Parameter {
	var out []Parameter
	for _, p := range o.Params {
		if p.In == loc {
			out = append(out, p)
		}
	}
	return out
}

// JSONBody reports whether the operation takes a JSON object body.
func (o *Operation) JSONBody() bool {
	if o.Body == nil || !strings.Contains(o.ContentType, "json") {
		return false
	}
	_, ok := BodySample(o.Body).(map[string]any)
	return ok
}

// Safe reports a method that does not change state by definition.
func (o *Operation) Safe() bool {
	return o.Method == "GET" || o.Method == "HEAD" || o.Method == "OPTIONS"
}

// Target is what the scan knows of the API: its operations and the object
// ids seen so far.
type Target struct {
	Base   *url.URL
	Prefix string // the spec's server base path, put before operation paths
	Ops    []*Operation
	Source string // "openapi", "config" or "discovered"
	Spec   *Spec

	mu      sync.Mutex
	ids     map[string][]string // collection template → ids seen
	named   map[string][]string // normalised *id field name → values seen
	created map[string][]string // collection template → ids the scan created
}

// NewTarget returns a target with no operations yet.
func NewTarget(base *url.URL) *Target {
	return &Target{Base: base, ids: map[string][]string{}, named: map[string][]string{}, created: map[string][]string{}}
}

// Documented reports whether concrete path p matches a documented path
// template of any method.
func (t *Target) Documented(p string) bool {
	for _, op := range t.Ops {
		if op.Documented && MatchTemplate(op.Path, p) {
			return true
		}
	}
	return false
}

// Find returns the operation for method and template, or nil.
func (t *Target) Find(method, template string) *Operation {
	for _, op := range t.Ops {
		if op.Method == method && op.Path == template {
			return op
		}
	}
	return nil
}

// MatchTemplate reports whether concrete path p matches template tpl.
func MatchTemplate(tpl, p string) bool {
	ts := strings.Split(strings.Trim(tpl, "/"), "/")
	ps := strings.Split(strings.Trim(p, "/"), "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}") && ps[i] != "" {
			continue
		}
		if ts[i] != ps[i] {
			return false
		}
	}
	return true
}

var paramRE = regexp.MustCompile(`\{([^}/]+)\}`)

// Fill returns op's concrete path (with the prefix): each path parameter
// takes an id the scan created (when owned is true and one exists), else
// one seen in an earlier response, else the parameter's example or a
// generated value.
func (t *Target) Fill(op *Operation, owned bool) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	tpl := op.Path
	out := paramRE.ReplaceAllStringFunc(tpl, func(m string) string {
		name := m[1 : len(m)-1]
		coll := strings.TrimSuffix(tpl[:strings.Index(tpl, m)], "/")
		if v := t.pick(coll, name, owned); v != "" {
			return url.PathEscape(v)
		}
		for _, p := range op.Params {
			if p.In == "path" && p.Name == name {
				return url.PathEscape(ParamSample(p))
			}
		}
		return "1"
	})
	return t.Prefix + out
}

func (t *Target) pick(coll, name string, owned bool) string {
	if owned {
		if ids := t.created[coll]; len(ids) > 0 {
			return ids[len(ids)-1]
		}
	}
	if ids := t.ids[coll]; len(ids) > 0 {
		return ids[0]
	}
	if ids := t.named[normName(name)]; len(ids) > 0 && normName(name) != "id" {
		return ids[0]
	}
	return ""
}

// OwnedID returns the id of an object the scan created in op's collection
// (op.Path up to its last parameter), or "".
func (t *Target) OwnedID(coll string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ids := t.created[coll]; len(ids) > 0 {
		return ids[len(ids)-1]
	}
	return ""
}

// IDs returns the ids seen in collection coll (a path template).
func (t *Target) IDs(coll string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.ids[coll])
}

// Collection is the template of the collection an object path belongs to:
// /v1/orders/{id} → /v1/orders; a path without a trailing parameter is its
// own collection.
func Collection(tpl string) string {
	i := strings.LastIndex(tpl, "/")
	if i >= 0 && paramRE.MatchString(tpl[i:]) {
		return tpl[:i]
	}
	return tpl
}

func normName(s string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s))
}

// Learn records the ids in a JSON response to op. When created is true
// (a successful POST), the object in the response is the scan's own: its
// id is remembered as created and its path returned, else "".
func (t *Target) Learn(op *Operation, body []byte, created bool) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	coll := Collection(op.Path)
	t.mu.Lock()
	defer t.mu.Unlock()
	objs := objects(v)
	for _, o := range objs {
		for k, val := range o {
			s := scalar(val)
			if s == "" {
				continue
			}
			nk := normName(k)
			if strings.HasSuffix(nk, "id") || nk == "uuid" || nk == "slug" {
				if !slices.Contains(t.named[nk], s) && len(t.named[nk]) < 50 {
					t.named[nk] = append(t.named[nk], s)
				}
			}
		}
		if id := objectID(o); id != "" && !slices.Contains(t.ids[coll], id) && len(t.ids[coll]) < 50 {
			t.ids[coll] = append(t.ids[coll], id)
		}
	}
	if !created {
		return ""
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if d, ok := m["data"].(map[string]any); ok && objectID(m) == "" {
		m = d
	}
	id := objectID(m)
	if id == "" {
		return ""
	}
	t.created[coll] = append(t.created[coll], id)
	if !slices.Contains(t.ids[coll], id) {
		t.ids[coll] = append([]string{id}, t.ids[coll]...)
	}
	return t.Prefix + t.fillLocked(op.Path) + "/" + url.PathEscape(id)
}

// fillLocked fills a collection template's own parameters from what is known.
func (t *Target) fillLocked(tpl string) string {
	return paramRE.ReplaceAllStringFunc(tpl, func(m string) string {
		name := m[1 : len(m)-1]
		coll := strings.TrimSuffix(tpl[:strings.Index(tpl, m)], "/")
		if v := t.pick(coll, name, true); v != "" {
			return url.PathEscape(v)
		}
		return "1"
	})
}

// objects finds the objects in a response: the value itself, the items of
// a top-level array, or of the first array of objects inside an envelope
// ({"data": [...]}).
func objects(v any) []map[string]any {
	switch t := v.(type) {
	case []any:
		var out []map[string]any
		for _, x := range t {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	case map[string]any:
		out := []map[string]any{t}
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if arr, ok := t[k].([]any); ok {
				out = append(out, objects(arr)...)
			}
			if m, ok := t[k].(map[string]any); ok && (k == "data" || k == "result") {
				out = append(out, objects(m)...)
			}
		}
		return out
	}
	return nil
}

func objectID(o map[string]any) string {
	for _, k := range []string{"id", "_id", "uuid", "ID", "Id"} {
		if s := scalar(o[k]); s != "" {
			return s
		}
	}
	return ""
}

func scalar(v any) string {
	switch t := v.(type) {
	case string:
		if t != "" && len(t) <= 128 && !strings.ContainsAny(t, " /?#") {
			return t
		}
	case float64:
		if t == float64(int64(t)) {
			return fmt.Sprint(int64(t))
		}
		return fmt.Sprint(t)
	case json.Number:
		return t.String()
	}
	return ""
}
