package config

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// MaxFileSize bounds a configuration file. A config with a thousand routes
// is about 150 KiB; the bound keeps a wrong file (a log, a binary) from
// costing memory or time, as the YAML parser is superlinear on some inputs.
const MaxFileSize = 1 << 20

const (
	// maxFlowDepth bounds [ { nesting, maxIndent the columns a block node
	// may start at: the parser's cost grows with the square of nesting.
	maxFlowDepth = 64
	maxIndent    = 256
	// The schema walk visits at most baseVisits plus twice the document's
	// nodes, counting every alias expansion: this defeats "billion laughs"
	// alias bombs while any alias-free document passes.
	baseVisits = 100_000
)

// decoder turns YAML into a Config: it parses the document into an AST,
// walks the AST alongside the Config type (strict field check, duplicate
// keys, ${ENV} expansion, field presence, paths of every node), and then
// lets goccy/go-yaml decode the checked AST in strict mode.
type decoder struct {
	errs   *errList
	lookup func(string) (string, bool)

	anchors   map[string]ast.Node
	visits    int
	maxVisits int
	expanded  map[*ast.StringNode]bool
	paths     map[*token.Token]string

	// present holds the path of every field the file sets to a non-null
	// value: defaults apply only where a field is absent.
	present map[string]bool
	// raw holds, for values changed by ${ENV} expansion, the text as written.
	raw map[string]string
	// envSecrets holds secrets given as admin_token: ${VAR}, by path.
	envSecrets map[string]string

	// failed holds the paths of values that could not be decoded (they are
	// replaced by null so that decoding and validation can go on).
	failed []string
	// fatal is set when decoding cannot go on at all.
	fatal bool
}

func newDecoder(errs *errList, lookup func(string) (string, bool)) *decoder {
	return &decoder{
		errs:       errs,
		lookup:     lookup,
		anchors:    map[string]ast.Node{},
		expanded:   map[*ast.StringNode]bool{},
		paths:      map[*token.Token]string{},
		present:    map[string]bool{},
		raw:        map[string]string{},
		envSecrets: map[string]string{},
	}
}

// decode parses data into c. Problems go to d.errs. A value that cannot be
// decoded is reported and left zero, so validation can report the other
// problems too; d.fatal says when c is not worth validating at all.
func (d *decoder) decode(data []byte, c *Config) {
	d.fatal = true
	defer func() {
		if r := recover(); r != nil {
			d.fatal = true
			d.errs.add("", "the YAML parser failed on this input: %v", r)
		}
	}()
	if len(data) > MaxFileSize {
		d.errs.add("", "the file is larger than %d bytes", MaxFileSize)
		return
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		d.errs.add("", "the file is not UTF-8 text")
		return
	}
	if msg := checkNesting(data); msg != "" {
		d.errs.add("", "%s", msg)
		return
	}
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		d.errs.add("", "%s", syntaxMessage(err))
		return
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			docs = append(docs, doc)
		}
	}
	switch {
	case len(docs) == 0 || docs[0].Body.Type() == ast.NullType:
		d.errs.add("", "the configuration is empty")
		return
	case len(docs) > 1:
		d.errs.add("", "found %d YAML documents; a configuration is a single document", len(docs))
		return
	}
	body := docs[0].Body
	d.collectAnchors(body)
	if !d.errs.empty() {
		return
	}
	if _, ok := body.(*ast.MappingNode); !ok {
		d.errs.add("", "the configuration must be a mapping, not %s", kindName(body))
		return
	}
	body = d.walk(body, reflect.TypeFor[Config](), "")
	if d.visits > d.maxVisits {
		return
	}
	if err := yaml.NodeToValue(body, c, yaml.Strict()); err != nil {
		// The walk checks everything the library does; this is a backstop.
		path, msg := d.libraryError(err)
		d.errs.add(path, "%s", msg)
		return
	}
	d.fatal = false
}

// fail reports a value that cannot be decoded and returns a null node to
// decode in its place.
func (d *decoder) fail(n ast.Node, path, format string, args ...any) ast.Node {
	d.errs.add(path, format, args...)
	d.failed = append(d.failed, path)
	return null(n)
}

// null returns a null node in n's place.
func null(n ast.Node) ast.Node {
	tk := n.GetToken()
	if tk == nil {
		tk = token.New("null", "null", &token.Position{})
	}
	return &ast.NullNode{BaseNode: &ast.BaseNode{}, Token: tk}
}

// syntaxMessage formats a parser error as "line L, column C: message".
func syntaxMessage(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return fmt.Sprintf("line %d, column %d: %s", tk.Position.Line, tk.Position.Column, ye.GetMessage())
		}
		return ye.GetMessage()
	}
	return err.Error()
}

// libraryError maps an error of goccy/go-yaml's decoder to a field path,
// through the token it names.
func (d *decoder) libraryError(err error) (string, string) {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return "", err.Error()
	}
	msg := ye.GetMessage()
	tk := ye.GetToken()
	if tk == nil {
		return "", msg
	}
	path, ok := d.paths[tk]
	if !ok && tk.Position != nil {
		for t, p := range d.paths {
			if t.Position != nil && t.Position.Offset == tk.Position.Offset {
				path, ok = p, true
				break
			}
		}
	}
	var uf *yaml.UnknownFieldError
	if errors.As(err, &uf) {
		return joinPath(path, tk.Value), "unknown field"
	}
	if !ok && tk.Position != nil {
		return "", fmt.Sprintf("line %d, column %d: %s", tk.Position.Line, tk.Position.Column, msg)
	}
	return path, msg
}
