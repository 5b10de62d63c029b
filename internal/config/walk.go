package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// collectAnchors records every &anchor. Redefining an anchor is refused:
// which definition an alias means would depend on position.
func (d *decoder) collectAnchors(n ast.Node) {
	ast.Walk(visitorFunc(func(n ast.Node) bool {
		d.visits++
		if a, ok := n.(*ast.AnchorNode); ok {
			name := a.Name.GetToken().Value
			if _, dup := d.anchors[name]; dup {
				d.errs.add("", "%s: anchor &%s is defined twice", position(a.GetToken()), name)
			}
			d.anchors[name] = a.Value
		}
		return true
	}), n)
	d.maxVisits = baseVisits + 2*d.visits
	d.visits = 0
}

type visitorFunc func(ast.Node) bool

func (f visitorFunc) Visit(n ast.Node) ast.Visitor {
	if n == nil || !f(n) {
		return nil
	}
	return f
}

func position(tk *token.Token) string {
	if tk == nil || tk.Position == nil {
		return "?"
	}
	return fmt.Sprintf("line %d, column %d", tk.Position.Line, tk.Position.Column)
}

var interfaceUnmarshaler = reflect.TypeFor[yaml.InterfaceUnmarshaler]()

// walk checks node n against Go type t at field path path, expands ${ENV}
// in its string scalars and records presence and paths. It returns the
// node to use in n's place (scalars may be normalised).
func (d *decoder) walk(n ast.Node, t reflect.Type, path string) ast.Node {
	if n == nil {
		return nil
	}
	d.visits++
	if d.visits > d.maxVisits {
		if d.visits == d.maxVisits+1 {
			d.errs.add("", "more than %d values after alias expansion (an alias bomb?)", d.maxVisits)
		}
		return n
	}
	if tk := n.GetToken(); tk != nil {
		if _, ok := d.paths[tk]; !ok {
			d.paths[tk] = path
		}
	}
	switch x := n.(type) {
	case *ast.AnchorNode:
		x.Value = d.walk(x.Value, t, path)
		if name := x.Name.GetToken().Value; d.anchors[name] != nil {
			d.anchors[name] = x.Value // aliases see the normalised node
		}
		return x
	case *ast.AliasNode:
		name := x.Value.GetToken().Value
		target, ok := d.anchors[name]
		if !ok {
			return d.fail(x, path, "unknown alias *%s", name)
		}
		if target == nil {
			return x
		}
		if r := d.walk(target, t, path); r.Type() == ast.NullType && target.Type() != ast.NullType {
			return r // the value is wrong here: reported, and null in its place
		}
		return x
	case *ast.TagNode:
		tag := ""
		if x.Start != nil {
			tag = x.Start.Value
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		// !!str forces a string; !!timestamp is accepted on dates, which
		// parse the text themselves.
		if (tag != "!!str" && (tag != "!!timestamp" || t != reflect.TypeFor[Date]())) || x.Value == nil {
			return d.fail(x, path, "YAML tag %s is not supported", tag)
		}
		s, ok := scalarText(x.Value)
		if !ok {
			return d.fail(x, path, "%s needs a scalar value", tag)
		}
		return d.walk(&ast.StringNode{BaseNode: &ast.BaseNode{}, Token: x.Value.GetToken(), Value: s}, t, path)
	case *ast.NullNode:
		return x
	}
	d.present[path] = true

	if reflect.PointerTo(t).Implements(interfaceUnmarshaler) {
		return d.walkCustom(n, t, path)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return d.walk(n, t.Elem(), path)
	case reflect.Struct:
		return d.walkStruct(n, t, path)
	case reflect.Map:
		return d.walkMap(n, t, path)
	case reflect.Slice:
		return d.walkSlice(n, t, path)
	case reflect.String:
		return d.walkString(n, path)
	case reflect.Int, reflect.Int64, reflect.Int32:
		return d.walkInt(n, path)
	case reflect.Bool:
		return d.walkBool(n, path)
	case reflect.Float64:
		return d.walkFloat(n, path)
	}
	return d.fail(n, path, "cannot decode into %s", t)
}

// scalarText is the text of a scalar node as written (unquoted).
func scalarText(n ast.Node) (string, bool) {
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, true
	case *ast.LiteralNode:
		return x.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode, *ast.NullNode:
		return n.GetToken().Value, true
	}
	return "", false
}

// kindName names a node's YAML kind for messages.
func kindName(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.IntegerNode:
		return "an integer"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	}
	return "a string"
}

// expand applies ${ENV} expansion to a string scalar, once. It reports
// whether that went well.
func (d *decoder) expand(s *ast.StringNode, path string) bool {
	if d.expanded[s] {
		return true
	}
	d.expanded[s] = true
	v, err := expandEnv(s.Value, d.lookup)
	if err != nil {
		d.errs.add(path, "%s", err.Error())
		d.failed = append(d.failed, path)
		return false
	}
	if v != s.Value {
		if _, ok := d.raw[path]; !ok {
			d.raw[path] = s.Value
		}
		s.Value = v
	}
	return true
}

// expandAll expands the string scalars of a scalar or a list of scalars.
func (d *decoder) expandAll(n ast.Node, path string) bool {
	switch x := n.(type) {
	case *ast.StringNode:
		return d.expand(x, path)
	case *ast.LiteralNode:
		return d.expand(x.Value, path)
	case *ast.SequenceNode:
		ok := true
		for i, v := range x.Values {
			ok = d.expandAll(v, indexPath(path, i)) && ok
		}
		return ok
	}
	return true
}

func (d *decoder) walkCustom(n ast.Node, t reflect.Type, path string) ast.Node {
	if x, ok := n.(*ast.SequenceNode); ok {
		for i, v := range x.Values {
			p := indexPath(path, i)
			switch v.(type) {
			case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
			default:
				return d.fail(n, p, "must be a plain value, not %s", kindName(v))
			}
		}
	}
	if !d.expandAll(n, path) {
		return null(n) // expandAll reported it
	}
	v := reflect.New(t)
	if err := yaml.NodeToValue(n, v.Interface()); err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) {
			return d.fail(n, path, "%s", ye.GetMessage())
		}
		return d.fail(n, path, "%s", err.Error())
	}
	return n
}

func (d *decoder) walkString(n ast.Node, path string) ast.Node {
	switch x := n.(type) {
	case *ast.StringNode:
		if !d.expand(x, path) {
			return null(n)
		}
		return x
	case *ast.LiteralNode:
		if !d.expand(x.Value, path) {
			return null(n)
		}
		return x
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		// Keep the text as written: min_version: 1.0 is "1.0", not "1".
		tk := n.GetToken()
		return &ast.StringNode{BaseNode: &ast.BaseNode{}, Token: tk, Value: tk.Value}
	}
	return d.fail(n, path, "must be a string, not %s", kindName(n))
}

// walkFloat accepts a finite number (integer or decimal), also from
// ${ENV}.
func (d *decoder) walkFloat(n ast.Node, path string) ast.Node {
	switch x := n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		return x
	case *ast.StringNode:
		if !d.expand(x, path) {
			return null(n)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(x.Value), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return d.fail(n, path, "must be a number")
		}
		tk := *x.GetToken()
		tk.Type, tk.Value = token.FloatType, strconv.FormatFloat(f, 'g', -1, 64)
		fl := ast.Float(&tk)
		d.paths[&tk] = path
		return fl
	case *ast.InfinityNode, *ast.NanNode:
		return d.fail(n, path, "must be a number (finite)")
	}
	return d.fail(n, path, "must be a number, not %s", kindName(n))
}

func (d *decoder) walkInt(n ast.Node, path string) ast.Node {
	switch x := n.(type) {
	case *ast.IntegerNode:
		switch v := x.GetValue().(type) {
		case int64:
			return x
		case uint64:
			if v <= 1<<62 {
				return x
			}
		}
		return d.fail(n, path, "%s: too large", x.GetToken().Value)
	case *ast.StringNode:
		if !d.expand(x, path) {
			return null(n)
		}
		i, err := strconv.ParseInt(strings.TrimSpace(x.Value), 10, 64)
		if err != nil {
			return d.fail(n, path, "must be an integer")
		}
		tk := *x.GetToken()
		tk.Type, tk.Value = token.IntegerType, strconv.FormatInt(i, 10)
		in := ast.Integer(&tk)
		d.paths[&tk] = path
		return in
	case *ast.FloatNode:
		return d.fail(n, path, "must be a whole number")
	}
	return d.fail(n, path, "must be an integer, not %s", kindName(n))
}

func (d *decoder) walkBool(n ast.Node, path string) ast.Node {
	switch x := n.(type) {
	case *ast.BoolNode:
		return x
	case *ast.StringNode:
		if !d.expand(x, path) {
			return null(n)
		}
		if x.Value == "true" || x.Value == "false" {
			tk := *x.GetToken()
			tk.Type, tk.Value = token.BoolType, x.Value
			b := ast.Bool(&tk)
			d.paths[&tk] = path
			return b
		}
	}
	return d.fail(n, path, "must be true or false")
}

func (d *decoder) walkSlice(n ast.Node, t reflect.Type, path string) ast.Node {
	x, ok := n.(*ast.SequenceNode)
	if !ok {
		return d.fail(n, path, "must be a list, not %s", kindName(n))
	}
	for i, v := range x.Values {
		nv := d.walk(v, t.Elem(), indexPath(path, i))
		x.Values[i] = nv
		if i < len(x.Entries) && x.Entries[i] != nil {
			x.Entries[i].Value = nv
		}
	}
	return x
}

func (d *decoder) walkMap(n ast.Node, t reflect.Type, path string) ast.Node {
	x, ok := n.(*ast.MappingNode)
	if !ok {
		return d.fail(n, path, "must be a mapping, not %s", kindName(n))
	}
	seen := map[string]bool{}
	kept := x.Values[:0:0]
	for _, mv := range x.Values {
		key, ok := d.key(mv, path)
		if !ok {
			continue
		}
		p := mapKeyPath(path, key)
		if seen[key] {
			d.errs.add(p, "duplicate key")
			continue
		}
		seen[key] = true
		mv.Value = d.walk(mv.Value, t.Elem(), p)
		kept = append(kept, mv)
	}
	x.Values = kept
	return x
}

func (d *decoder) walkStruct(n ast.Node, t reflect.Type, path string) ast.Node {
	x, ok := n.(*ast.MappingNode)
	if !ok {
		return d.fail(n, path, "must be a mapping, not %s", kindName(n))
	}
	fields := yamlFields(t)
	seen := map[string]bool{}
	kept := x.Values[:0:0]
	for _, mv := range x.Values {
		key, ok := d.key(mv, path)
		if !ok {
			continue
		}
		p := joinPath(path, key)
		if seen[key] {
			d.errs.add(p, "duplicate key")
			continue
		}
		seen[key] = true
		f, ok := fields[key]
		if !ok {
			if d.envSecret(t, key, mv.Value, p) {
				continue // consumed: not a field of the Go type
			}
			if isSecretName(key) {
				d.errs.add(p, "inline secrets are not allowed; secrets come from a *_file field or ${ENV}")
			} else {
				d.errs.add(p, "unknown field")
			}
			continue // dropped, so decoding can go on
		}
		mv.Value = d.walk(mv.Value, f.Type, p)
		kept = append(kept, mv)
	}
	x.Values = kept
	return x
}

// key returns a mapping entry's key; merge keys and complex keys are refused.
func (d *decoder) key(mv *ast.MappingValueNode, path string) (string, bool) {
	if mv.Key == nil {
		d.errs.add(path, "a mapping entry without a key")
		return "", false
	}
	if mv.Key.IsMergeKey() {
		d.errs.add(path, "merge keys (<<) are not supported; use an alias (*name) for a whole value, or defaults")
		return "", false
	}
	s, ok := scalarText(mv.Key)
	if !ok || strings.ContainsAny(s, "\n") {
		d.errs.add(path, "%s: keys must be plain strings", position(mv.Key.GetToken()))
		return "", false
	}
	return s, true
}

// yamlFields maps yaml names to struct fields, inline structs flattened.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	m := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				m[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f
	}
	return m
}

// joinPath appends a struct field name to a path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// mapKeyPath appends a map key (an upstream name) to a path, quoted when
// it is not a plain name.
func mapKeyPath(path, key string) string {
	plain := key != ""
	for _, c := range key {
		if !(c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return joinPath(path, key)
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
