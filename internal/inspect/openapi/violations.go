package openapi

import (
	"cmp"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/jsonschema/v6/kind"

	"github.com/apiguard/apiguard/internal/problem"
)

// maxViolations caps the violations reported for one request or response.
const maxViolations = 20

// maxSchemaLeaves caps the violations of one schema error collected
// before they are sorted and cut to maxViolations.
const maxSchemaLeaves = 200

// violations collects client-safe violations: a field ("body.items[2].sku",
// "query.limit", "header.X-Tenant") and a reason built from the schema,
// never from the instance.
type violations struct {
	list  []problem.FieldError
	more  bool // some were dropped over the limit
	limit int  // 0: maxViolations
}

func (v *violations) add(field, reason string) {
	for _, e := range v.list { // a failure reached by two schema paths
		if e.Field == field && e.Detail == reason {
			return
		}
	}
	limit := v.limit
	if limit == 0 {
		limit = maxViolations
	}
	if len(v.list) == limit {
		v.more = true
		return
	}
	v.list = append(v.list, problem.FieldError{Field: field, Detail: reason})
}

// schemaError adds the leaves of a JSON Schema validation error. root is
// the field of the instance ("body", "query.ids"); instance, when not nil,
// is the decoded value, used to tell array indexes from member names.
//
// The validator reports the members of an object in no particular order:
// the violations of one error are sorted by field (array indexes in
// numeric order), so that the first one, the detail, is stable.
func (v *violations) schemaError(root string, e *jsonschema.ValidationError, instance any) {
	leaves := violations{limit: maxSchemaLeaves}
	leaves.walk(root, e, instance, 0)
	slices.SortStableFunc(leaves.list, func(a, b problem.FieldError) int {
		return naturalCompare(a.Field, b.Field)
	})
	for _, l := range leaves.list {
		v.add(l.Field, l.Detail)
	}
	v.more = v.more || leaves.more
}

// naturalCompare orders strings byte by byte, runs of digits by their
// numeric value ("items[2]" before "items[10]").
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			i, j := digitRun(a), digitRun(b)
			na, nb := strings.TrimLeft(a[:i], "0"), strings.TrimLeft(b[:j], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitRun(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func (v *violations) walk(root string, e *jsonschema.ValidationError, instance any, depth int) {
	if e == nil || depth > 64 {
		return
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Group, *kind.Schema, *kind.Reference, *kind.AllOf, nil:
		if len(e.Causes) == 0 {
			v.add(fieldName(root, e.InstanceLocation, instance), "is invalid")
		}
		for _, c := range e.Causes {
			v.walk(root, c, instance, depth+1)
		}
		return
	case *kind.AnyOf, *kind.OneOf:
		// The branch whose type matched explains the failure best; when
		// none or several did, the choice itself is reported.
		if one := typedBranch(e); one != nil && (!isOneOfMulti(k)) {
			v.walk(root, one, instance, depth+1)
			return
		}
	}
	field := fieldName(root, e.InstanceLocation, instance)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, name := range k.Missing {
			v.add(field+memberSegment(name), "is required")
		}
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			v.add(field+memberSegment(name), "unexpected property")
		}
	case *kind.Dependency:
		for _, name := range k.Missing {
			v.add(field+memberSegment(name), "is required when "+safeName(k.Prop)+" is present")
		}
	case *kind.DependentRequired:
		for _, name := range k.Missing {
			v.add(field+memberSegment(name), "is required when "+safeName(k.Prop)+" is present")
		}
	default:
		v.add(field, reason(e.ErrorKind))
	}
}

func isOneOfMulti(k jsonschema.ErrorKind) bool {
	o, ok := k.(*kind.OneOf)
	return ok && len(o.Subschemas) > 1
}

// typedBranch returns the one cause of an anyOf/oneOf failure that is not
// just a type mismatch at the same instance location, if there is exactly
// one.
func typedBranch(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	var found *jsonschema.ValidationError
	for _, c := range e.Causes {
		if onlyTypeMismatch(c, len(e.InstanceLocation), 0) {
			continue
		}
		if found != nil {
			return nil
		}
		found = c
	}
	return found
}

func onlyTypeMismatch(e *jsonschema.ValidationError, at, depth int) bool {
	if depth > 16 {
		return false
	}
	if len(e.Causes) == 0 {
		_, isType := e.ErrorKind.(*kind.Type)
		return isType && len(e.InstanceLocation) == at
	}
	for _, c := range e.Causes {
		if !onlyTypeMismatch(c, at, depth+1) {
			return false
		}
	}
	return true
}

// reason is the client-safe reason of one leaf error. Bounds, enum values
// and format names come from the schema; the instance is never quoted.
func reason(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return "must be " + typeList(k.Want)
	case *kind.Enum:
		return "must be one of: " + valueList(k.Want)
	case *kind.Const:
		if s, ok := displayValue(k.Want); ok {
			return "must be " + s
		}
		return "must be the allowed value"
	case *kind.Format:
		return "must be a valid " + k.Want
	case *kind.Pattern:
		return "must match pattern"
	case *kind.Minimum:
		return "must be >= " + ratString(k.Want)
	case *kind.Maximum:
		return "must be <= " + ratString(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be > " + ratString(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be < " + ratString(k.Want)
	case *kind.MultipleOf:
		return "must be a multiple of " + ratString(k.Want)
	case *kind.MinLength:
		return "must be at least " + strconv.Itoa(k.Want) + " characters"
	case *kind.MaxLength:
		return "must be at most " + strconv.Itoa(k.Want) + " characters"
	case *kind.MinItems:
		return "must have at least " + strconv.Itoa(k.Want) + " items"
	case *kind.MaxItems:
		return "must have at most " + strconv.Itoa(k.Want) + " items"
	case *kind.MinProperties:
		return "must have at least " + strconv.Itoa(k.Want) + " properties"
	case *kind.MaxProperties:
		return "must have at most " + strconv.Itoa(k.Want) + " properties"
	case *kind.UniqueItems:
		return "must not contain duplicate items"
	case *kind.AdditionalItems:
		return "has too many items"
	case *kind.Contains:
		return "must contain a matching item"
	case *kind.MinContains:
		return "must contain at least " + strconv.Itoa(k.Want) + " matching items"
	case *kind.MaxContains:
		return "must contain at most " + strconv.Itoa(k.Want) + " matching items"
	case *kind.PropertyNames:
		return "has a property name that is not allowed"
	case *kind.FalseSchema:
		return "is not allowed"
	case *kind.Not:
		return "must not match the excluded schema"
	case *kind.AnyOf:
		return "must match at least one of the allowed schemas"
	case *kind.OneOf:
		return "must match exactly one of the allowed schemas"
	case *kind.ContentEncoding, *kind.ContentMediaType, *kind.ContentSchema:
		return "has invalid content"
	}
	return "is invalid"
}

// typeList is "a string", "an integer or null".
func typeList(want []string) string {
	var b strings.Builder
	for i, t := range want {
		if i > 0 {
			b.WriteString(" or ")
		}
		switch t {
		case "integer", "array", "object":
			b.WriteString("an " + t)
		case "null":
			b.WriteString("null")
		case "string", "number", "boolean":
			b.WriteString("a " + t)
		default:
			b.WriteString("a valid value")
		}
	}
	return b.String()
}

// valueList lists at most 10 primitive enum values of the schema.
func valueList(want []any) string {
	var b strings.Builder
	for i, w := range want {
		if i == 10 {
			b.WriteString(", ...")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		s, ok := displayValue(w)
		if !ok {
			s = "(a structured value)"
		}
		b.WriteString(s)
	}
	return b.String()
}

// displayValue renders a schema's primitive value (at most 64 bytes).
func displayValue(v any) (string, bool) {
	var s string
	switch v := v.(type) {
	case nil:
		s = "null"
	case string:
		s = v
	case bool:
		s = strconv.FormatBool(v)
	case interface{ String() string }: // json.Number, *big.Rat
		s = v.String()
	case float64:
		s = strconv.FormatFloat(v, 'g', -1, 64)
	case int:
		s = strconv.Itoa(v)
	default:
		return "", false
	}
	if len(s) > 64 {
		s = s[:61] + "..."
	}
	return s, true
}

// ratString prints a schema bound: integers exactly, others as decimals.
func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// fieldName renders an instance location under root: member names as
// ".name" and array indexes as "[i]". instance tells the two apart; when it
// is nil (parameters), an all-digit segment is taken as an index.
func fieldName(root string, loc []string, instance any) string {
	if len(loc) == 0 {
		return root
	}
	var b strings.Builder
	b.WriteString(root)
	cur, known := instance, instance != nil
	for _, seg := range loc {
		var isIndex bool
		if known {
			switch c := cur.(type) {
			case []any:
				isIndex = true
				if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(c) {
					cur = c[i]
				} else {
					known = false
				}
			case map[string]any:
				cur = c[seg]
			default:
				known = false
				isIndex = allDigits(seg)
			}
		} else {
			isIndex = allDigits(seg)
		}
		if isIndex && allDigits(seg) {
			b.WriteString("[" + seg + "]")
		} else {
			b.WriteString(memberSegment(seg))
		}
	}
	return b.String()
}

// memberSegment renders a member name: ".name" when it is a plain
// identifier, "[?]" otherwise, so that a name made of the client's data
// (an attack payload, a secret used as a key) is never echoed.
func memberSegment(name string) string {
	if isSafeName(name) {
		return "." + name
	}
	return "[?]"
}

func safeName(name string) string {
	if isSafeName(name) {
		return name
	}
	return "[?]"
}

func isSafeName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '$' || c == '@') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
