package openapi

import (
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"regexp"

	"github.com/pb33f/jsonschema/v6"
)

// fastSchema is the fast path of body validation: a checker compiled from
// a body's compiled JSON schema that runs over the raw bytes in one pass,
// without decoding them and without allocating, and answers only
// "certainly valid" (valid returns true) or "don't know" (false).
// validateJSON runs the full path (decodeJSON, then the library's
// Validate, which builds every violation) only when the answer is "don't
// know".
//
// Security: this is on the enforcement path. A wrong "valid" would let a
// body through that the schema refuses (or one that decodeJSON refuses as
// malformed or ambiguous), so the contract is one-sided and strict:
//
//	f.valid(b) ⇒ decodeJSON(b) succeeds and the schema's Validate returns nil.
//
// Everything the checker is not sure about answers false: a schema node
// with any keyword outside the supported set makes compileFast return nil
// (no fast path at all for that body), and at request time a number with
// an exponent that must be compared, a string or member name with escapes
// that must be matched, an object with too many unknown members and the
// like all answer false. FuzzFastSchemaSound holds the checker to the
// library on random bodies.
//
// It is built from the *jsonschema.Schema the library validates with (not
// from the OpenAPI model), so what it checks is what Validate checks:
// references resolved, OpenAPI 3.0's nullable and boolean exclusive bounds
// already rewritten, readOnly/writeOnly properties already dropped from
// required lists for the request or response direction, and formats
// registered exactly as the library asserts them. It is immutable and safe
// for concurrent use.
type fastSchema struct {
	root *fastNode // nil: any well-formed JSON value
}

// fastNode is one compiled schema node. A nil *fastNode accepts any value
// (the true schema, or a schema without assertions).
type fastNode struct {
	never bool    // the false schema: no value is valid
	types kindSet // 0: any kind

	// enum, when hasEnum: the value must be one of these.
	hasEnum                       bool
	enumStr                       []string
	enumNum                       []decimal
	enumNull, enumTrue, enumFalse bool

	// numbers: bounds (nil: none); intFmt: a plain integer literal in
	// [fmtMin, fmtMax] (the int32 and int64 formats).
	min, max, xmin, xmax *decimal
	intFmt               bool
	fmtMin, fmtMax       decimal

	// strings: lengths in code points (-1: none) and pattern.
	minLen, maxLen int
	pattern        *stringPattern

	// objects: members are the properties and required names; names
	// indexes them. A member that is required but not a property is
	// validated as an additional property, as the library does.
	names        map[string]int
	members      []fastMember
	required     [fastMaxMembers / 64]uint64
	hasRequired  bool
	additional   *fastNode // additionalProperties as a schema (nil: any)
	noAdditional bool      // additionalProperties: false
	minProps     int       // -1: none
	maxProps     int       // -1: none

	// arrays: items (nil: any) and counts (-1: none).
	items              *fastNode
	minItems, maxItems int
}

// fastMember is one property or required name of an object node.
type fastMember struct {
	prop bool      // a property: node applies (else additionalProperties)
	node *fastNode // the property's schema (nil: any)
}

// kindSet is a set of JSON Schema types.
type kindSet uint8

const (
	kNull kindSet = 1 << iota
	kBool
	kNumber
	kInteger
	kString
	kArray
	kObject
)

// kindNames are the type names of jsonschema.Types.ToStrings.
var kindNames = map[string]kindSet{"null": kNull, "boolean": kBool, "number": kNumber,
	"integer": kInteger, "string": kString, "array": kArray, "object": kObject}

const (
	fastMaxMembers   = 256 // properties and required names of one object schema
	fastMaxNodes     = 4096
	fastMaxExtraKeys = 32 // members of one body object outside properties/required
)

// fastIgnored are the fields of jsonschema.Schema that do not take part in
// validating a value (annotations, identifiers, the resolved location).
// DraftVersion is checked separately.
var fastIgnored = map[string]bool{
	"DraftVersion": true, "Location": true, "ID": true, "Anchor": true,
	"DynamicAnchor": true, "RecursiveAnchor": true, "Title": true,
	"Description": true, "Default": true, "Comment": true, "ReadOnly": true,
	"WriteOnly": true, "Examples": true, "Deprecated": true,
}

// fastSupported are the fields node and fill implement. Any other exported
// field of jsonschema.Schema that is set (allOf, not, const, multipleOf,
// uniqueItems, patternProperties, if/then/else, contains, prefixItems,
// unevaluated*, dependent*, propertyNames, content*, $dynamicRef, and
// whatever a later version of the library adds) makes the schema
// unsupported.
var fastSupported = map[string]bool{
	"Bool": true, "Ref": true, "Types": true, "Enum": true, "Format": true,
	"MaxProperties": true, "MinProperties": true, "Required": true,
	"Properties": true, "AdditionalProperties": true, "MinItems": true,
	"MaxItems": true, "Items2020": true, "MinLength": true, "MaxLength": true,
	"Pattern": true, "Maximum": true, "Minimum": true, "ExclusiveMaximum": true,
	"ExclusiveMinimum": true, "Extensions": true,
}

// compileFast returns the fast path for s, or nil when s (or any schema
// it reaches) uses something the fast path does not implement exactly.
func compileFast(s *jsonschema.Schema) *fastSchema {
	if s == nil {
		return nil
	}
	c := fastCompiler{done: map[*jsonschema.Schema]*fastNode{}, busy: map[*jsonschema.Schema]bool{}}
	root, ok := c.node(s, 0)
	if !ok {
		return nil
	}
	return &fastSchema{root: root}
}

type fastCompiler struct {
	done  map[*jsonschema.Schema]*fastNode
	busy  map[*jsonschema.Schema]bool // on the current path: a cycle
	count int
}

// node compiles s; ok is false when it is unsupported.
func (c *fastCompiler) node(s *jsonschema.Schema, depth int) (*fastNode, bool) {
	if n, ok := c.done[s]; ok {
		return n, true
	}
	if c.busy[s] || depth > 128 || c.count >= fastMaxNodes {
		return nil, false // recursive schemas are left to the library
	}
	c.busy[s] = true
	defer delete(c.busy, s)
	c.count++
	set, ok := schemaFields(s)
	if !ok || s.DraftVersion < 2020 {
		return nil, false
	}
	for _, ext := range s.Extensions {
		if !noopExtension(ext) {
			return nil, false // e.g. a discriminator, next to a $ref too
		}
	}
	if s.Bool != nil {
		if len(set) != 1 {
			return nil, false
		}
		var n *fastNode
		if !*s.Bool {
			n = &fastNode{never: true}
		}
		c.done[s] = n
		return n, true
	}
	if s.Ref != nil {
		// Only a bare $ref: its target is the whole schema. (With siblings,
		// 2020-12 applies both, which one pass cannot.)
		if len(set) != 1 {
			return nil, false
		}
		n, ok := c.node(s.Ref, depth+1)
		if ok {
			c.done[s] = n
		}
		return n, ok
	}
	n := &fastNode{minLen: -1, maxLen: -1, minProps: -1, maxProps: -1, minItems: -1, maxItems: -1}
	if !c.fill(n, s, depth) {
		return nil, false
	}
	if n.trivial() {
		n = nil
	}
	c.done[s] = n
	return n, true
}

// fill compiles the supported keywords of s into n.
func (c *fastCompiler) fill(n *fastNode, s *jsonschema.Schema, depth int) bool {
	if s.Types != nil {
		for _, t := range s.Types.ToStrings() {
			k, ok := kindNames[t]
			if !ok {
				return false
			}
			n.types |= k
		}
	}
	if s.Enum != nil && !n.compileEnum(s.Enum.Values) {
		return false
	}
	if s.Format != nil && !n.compileFormat(s.Format) {
		return false
	}
	for _, b := range []struct {
		dst **decimal
		src *big.Rat
	}{{&n.min, s.Minimum}, {&n.max, s.Maximum}, {&n.xmin, s.ExclusiveMinimum}, {&n.xmax, s.ExclusiveMaximum}} {
		if b.src == nil {
			continue
		}
		d, ok := ratDecimal(b.src)
		if !ok {
			return false
		}
		*b.dst = &d
	}
	if !setInt(&n.minLen, s.MinLength) || !setInt(&n.maxLen, s.MaxLength) {
		return false
	}
	if s.Pattern != nil {
		re, ok := s.Pattern.(*regexp.Regexp) // the library's default engine
		if !ok || re == nil {
			return false
		}
		n.pattern = newStringPattern(re)
	}
	if !c.object(n, s, depth) {
		return false
	}
	if !setInt(&n.minItems, s.MinItems) || !setInt(&n.maxItems, s.MaxItems) {
		return false
	}
	if s.Items2020 != nil {
		items, ok := c.node(s.Items2020, depth+1)
		if !ok {
			return false
		}
		n.items = items
	}
	return true
}

// object compiles properties, required, additionalProperties and the
// property counts.
func (c *fastCompiler) object(n *fastNode, s *jsonschema.Schema, depth int) bool {
	if !setInt(&n.minProps, s.MinProperties) || !setInt(&n.maxProps, s.MaxProperties) {
		return false
	}
	switch a := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		n.noAdditional = !a
	case *jsonschema.Schema:
		an, ok := c.node(a, depth+1)
		if !ok {
			return false
		}
		n.additional = an
	default:
		return false
	}
	if len(s.Properties) == 0 && len(s.Required) == 0 {
		return true
	}
	n.names = map[string]int{}
	for name, ps := range s.Properties {
		pn, ok := c.node(ps, depth+1)
		if !ok {
			return false
		}
		n.names[name] = len(n.members)
		n.members = append(n.members, fastMember{prop: true, node: pn})
	}
	for _, name := range s.Required {
		i, ok := n.names[name]
		if !ok {
			i = len(n.members)
			n.names[name] = i
			n.members = append(n.members, fastMember{})
		}
		if i >= fastMaxMembers {
			return false
		}
		n.required[i/64] |= 1 << (i % 64)
		n.hasRequired = true
	}
	return len(n.members) <= fastMaxMembers
}

// trivial reports whether n asserts nothing (it accepts every value).
func (n *fastNode) trivial() bool {
	return !n.never && n.types == 0 && !n.hasEnum && n.min == nil && n.max == nil &&
		n.xmin == nil && n.xmax == nil && !n.intFmt && n.minLen < 0 && n.maxLen < 0 &&
		n.pattern == nil && len(n.members) == 0 && n.additional == nil && !n.noAdditional &&
		n.minProps < 0 && n.maxProps < 0 && n.items == nil && n.minItems < 0 && n.maxItems < 0
}

// compileEnum keeps an enum of strings, booleans, null and finite
// decimal numbers; an enum with an object or an array is unsupported.
func (n *fastNode) compileEnum(values []any) bool {
	n.hasEnum = true
	for _, v := range values {
		switch v := v.(type) {
		case nil:
			n.enumNull = true
		case bool:
			if v {
				n.enumTrue = true
			} else {
				n.enumFalse = true
			}
		case string:
			n.enumStr = append(n.enumStr, v)
		case json.Number:
			r, ok := new(big.Rat).SetString(string(v)) // as the library's equals
			if !ok {
				return false
			}
			d, ok := ratDecimal(r)
			if !ok {
				return false
			}
			n.enumNum = append(n.enumNum, d)
		default:
			return false
		}
	}
	return true
}

// compileFormat supports the formats int32 and int64, which the library
// registers (libopenapi-validator's integer formats) when it asserts
// formats; any other asserted format is unsupported. (A format the
// library does not know is not set on the compiled schema at all: it
// asserts nothing, here either.) The registered validator is probed so
// that a replaced one is noticed.
func (n *fastNode) compileFormat(f *jsonschema.Format) bool {
	var lo, hi int64
	switch f.Name {
	case "int32":
		lo, hi = math.MinInt32, math.MaxInt32
	case "int64":
		lo, hi = math.MinInt64, math.MaxInt64
	default:
		return false
	}
	if f.Validate == nil || !probeIntFormat(f.Validate, f.Name) {
		return false
	}
	n.intFmt = true
	n.fmtMin, _ = ratDecimal(new(big.Rat).SetInt64(lo))
	n.fmtMax, _ = ratDecimal(new(big.Rat).SetInt64(hi))
	return true
}

// probeIntFormat checks that validate behaves as libopenapi-validator's
// integer format of that name: bounds inclusive, other types ignored.
func probeIntFormat(validate func(any) error, name string) bool {
	in, out := []string{"0", "-0", "2147483647", "-2147483648"}, []string{"2147483648", "-2147483649", "1.5"}
	if name == "int64" {
		in = append(in, "9223372036854775807", "-9223372036854775808")
		out = []string{"9223372036854775808", "-9223372036854775809", "1.5"}
	}
	for _, s := range in {
		if validate(json.Number(s)) != nil {
			return false
		}
	}
	for _, s := range out {
		if validate(json.Number(s)) == nil {
			return false
		}
	}
	for _, v := range []any{nil, true, "x", map[string]any{}, []any{}} {
		if validate(v) != nil {
			return false
		}
	}
	return true
}

// schemaFields lists the supported fields set on s; ok is false when a
// field outside fastSupported and fastIgnored is set.
func schemaFields(s *jsonschema.Schema) (set []string, ok bool) {
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || fastIgnored[f.Name] || v.Field(i).IsZero() {
			continue
		}
		if !fastSupported[f.Name] {
			return nil, false
		}
		if f.Name == "Extensions" {
			continue // checked by fill; no-op ones keep a $ref bare
		}
		set = append(set, f.Name)
	}
	return set, true
}

// noopExtension reports whether ext is the OpenAPI vocabulary's extension
// holding only the example and deprecated keywords, which assert nothing.
// The discriminator, scalar coercion and anything else are unsupported.
func noopExtension(ext jsonschema.SchemaExt) bool {
	const pkg = "github.com/pb33f/libopenapi-validator/openapi_vocabulary"
	v := reflect.ValueOf(ext)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Type().Elem().PkgPath() != pkg ||
		v.Type().Elem().Name() != "combinedExtension" {
		return false
	}
	list := v.Elem().FieldByName("extensions")
	if !list.IsValid() || list.Kind() != reflect.Slice {
		return false
	}
	for i := range list.Len() {
		e := list.Index(i)
		if e.Kind() == reflect.Interface {
			e = e.Elem()
		}
		if e.Kind() != reflect.Pointer || e.Type().Elem().PkgPath() != pkg {
			return false
		}
		switch e.Type().Elem().Name() {
		case "exampleExtension", "deprecatedExtension":
		default:
			return false
		}
	}
	return true
}

// setInt copies a count keyword (nil: none, and dst keeps -1). A negative
// count is unsupported: -1 means "none" here, while the library compares
// with it (a maxItems of 2^64-1 is -1 after its int conversion, and
// refuses every array).
func setInt(dst *int, src *int) bool {
	if src == nil {
		return true
	}
	*dst = *src
	return *src >= 0
}
