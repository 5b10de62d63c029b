package scan

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Sample returns a value valid for s: its example, default, first enum
// value or const when it has one, else one generated from its type.
func Sample(s *Schema) any { return sample(s, 0, true) }

// SampleAll is Sample that also fills optional (non-read-only) properties.
func sample(s *Schema, depth int, all bool) any {
	if s == nil || depth > 6 {
		return nil
	}
	if s.Example != nil {
		return s.Example
	}
	if ex, ok := s.Examples.([]any); ok && len(ex) > 0 {
		return ex[0]
	}
	if s.Const != nil {
		return s.Const
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if s.Default != nil {
		return s.Default
	}
	if len(s.AllOf) > 0 {
		merged := map[string]any{}
		for _, sub := range s.AllOf {
			if m, ok := sample(sub, depth+1, all).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		if len(merged) > 0 || s.Is("object") {
			for k, v := range sampleObject(s, depth, all) {
				merged[k] = v
			}
			return merged
		}
	}
	for _, alts := range [][]*Schema{s.OneOf, s.AnyOf} {
		if len(alts) > 0 {
			return sample(alts[0], depth+1, all)
		}
	}
	types := s.Types()
	t := ""
	if len(types) > 0 {
		t = types[0]
	}
	switch t {
	case "object":
		return sampleObject(s, depth, all)
	case "array":
		n := 1
		if s.MinItems != nil && *s.MinItems > 1 {
			n = *s.MinItems
		}
		out := make([]any, 0, n)
		for range n {
			out = append(out, sample(s.Items, depth+1, all))
		}
		return out
	case "integer":
		v := 1.0
		if s.Minimum != nil && *s.Minimum > v {
			v = *s.Minimum
		}
		if s.Maximum != nil && *s.Maximum < v {
			v = *s.Maximum
		}
		return int64(v)
	case "number":
		v := 1.5
		if s.Minimum != nil && *s.Minimum > v {
			v = *s.Minimum
		}
		if s.Maximum != nil && *s.Maximum < v {
			v = *s.Maximum
		}
		return v
	case "boolean":
		return true
	case "string":
		return sampleString(s)
	}
	return "apiguard-scan"
}

func sampleObject(s *Schema, depth int, all bool) map[string]any {
	out := map[string]any{}
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	for name, p := range s.Properties {
		if p == nil || p.ReadOnly || !(all || req[name]) {
			continue
		}
		out[name] = sample(p, depth+1, all)
	}
	return out
}

func sampleString(s *Schema) string {
	var v string
	switch s.Format {
	case "email":
		v = "scan@example.test"
	case "date-time":
		v = "2026-01-01T00:00:00Z"
	case "date":
		v = "2026-01-01"
	case "uuid":
		v = "3f2a8e4c-1b7d-4c2e-9a51-6d0f2b7c8e90"
	case "uri", "url":
		v = "https://example.test/"
	case "ipv4":
		v = "192.0.2.1"
	case "password":
		v = "Scan-Passw0rd!"
	default:
		v = "apiguard-scan"
	}
	if s.MaxLength != nil && len(v) > *s.MaxLength {
		v = v[:max(0, *s.MaxLength)]
	}
	if s.MinLength != nil && len(v) < *s.MinLength {
		v += strings.Repeat("x", *s.MinLength-len(v))
	}
	return v
}

// ParamSample returns a string value for p from its example(s) or schema.
func ParamSample(p Parameter) string {
	if p.Example != nil {
		return fmt.Sprint(p.Example)
	}
	for _, k := range slices.Sorted(maps.Keys(p.Examples)) {
		if v := p.Examples[k].Value; v != nil {
			return fmt.Sprint(v)
		}
	}
	v := Sample(p.Schema)
	if v == nil {
		return "1"
	}
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(v)
}

// BodySample returns a request body value for mt: its example, the first
// of its examples, or one generated from its schema (optional properties
// included).
func BodySample(mt *MediaType) any {
	if mt == nil {
		return nil
	}
	if mt.Example != nil {
		return mt.Example
	}
	for _, k := range slices.Sorted(maps.Keys(mt.Examples)) {
		if v := mt.Examples[k].Value; v != nil {
			return v
		}
	}
	return sample(mt.Schema, 0, true)
}
