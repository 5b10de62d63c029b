package openapi

import (
	"fmt"
	"strings"

	"github.com/pb33f/go-yaml"
)

// checkRefs refuses, in one parsed file, every reference that would be
// resolved over the network: by libopenapi ($ref, $dynamicRef) or by the
// JSON Schema compiler ($schema: only the JSON Schema drafts it has built
// in are safe). file names the file in the error.
func checkRefs(file string, root *yaml.Node) error {
	var err error
	walkMappings(root, 0, func(key, val *yaml.Node) bool {
		if val.Kind != yaml.ScalarNode {
			return true
		}
		switch key.Value {
		case "$ref", "$dynamicRef":
			if isRemoteRef(val.Value) {
				err = fmt.Errorf("%s:%d: remote reference %s: %q is refused (only references to local files relative to the document are resolved)",
					file, val.Line, key.Value, val.Value)
			}
		case "$schema":
			if !builtinDialect(val.Value) {
				err = fmt.Errorf("%s:%d: $schema %q is refused: the schema compiler would fetch it from the network (use a JSON Schema draft URI or remove it)",
					file, val.Line, val.Value)
			}
		}
		return err == nil
	})
	return err
}

// maxWalkDepth bounds the recursion over a document's nodes; the YAML
// parser bounds nesting well below it.
const maxWalkDepth = 10000

// walkMappings calls f with each key and value of every mapping under n
// until f returns false. Aliases are not followed (their targets are
// walked where they are defined).
func walkMappings(n *yaml.Node, depth int, f func(key, val *yaml.Node) bool) bool {
	if n == nil || depth > maxWalkDepth {
		return true
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !f(n.Content[i], n.Content[i+1]) {
				return false
			}
		}
	}
	for _, c := range n.Content {
		if !walkMappings(c, depth+1, f) {
			return false
		}
	}
	return true
}

// isRemoteRef reports whether a reference names something outside the
// local file system: a network-path reference ("//host/x") or a URI with
// a scheme other than file.
func isRemoteRef(ref string) bool {
	if strings.HasPrefix(ref, "//") {
		return true
	}
	scheme, ok := uriScheme(ref)
	return ok && !strings.EqualFold(scheme, "file")
}

// uriScheme returns the scheme of an absolute URI (RFC 3986: ALPHA *(
// ALPHA / DIGIT / "+" / "-" / "." ) followed by ":").
func uriScheme(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return s[:i], true
		default:
			return "", false
		}
	}
	return "", false
}

// builtinDialect reports whether a $schema URI is one of the JSON Schema
// metaschemas the compiler knows without loading anything.
func builtinDialect(uri string) bool {
	u := strings.TrimSuffix(uri, "#")
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	switch u {
	case "json-schema.org/schema", "json-schema.org/draft-04/schema", "json-schema.org/draft-06/schema", "json-schema.org/draft-07/schema",
		"json-schema.org/draft/2019-09/schema", "json-schema.org/draft/2020-12/schema":
		return true
	}
	return false
}
