package openapi

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pb33f/jsonschema/v6"
)

// genBody writes a JSON-like body chosen by next (which returns numbers
// from a fuzzer's bytes or a random source): member names and values
// from small lists of edge cases (bounds, integers written 1.0 and 1e2,
// escapes, surrogates, non-ASCII), now and then broken (a duplicate name,
// a stray comma), so that bodies come close to the schemas' limits on
// both sides.
func genBody(b *strings.Builder, next func(n int) int, depth int) {
	ws := func() {
		if next(8) == 0 {
			b.WriteString([]string{" ", "\n", "\t", "\r\n "}[next(4)])
		}
	}
	ws()
	k := next(10)
	switch {
	case depth == 0 && next(4) != 0:
		k = 5 // mostly objects at the top, as the schemas want
	case depth > 4 && k >= 5:
		k = next(5)
	}
	switch k {
	case 0, 1:
		b.WriteString(genNumbers[next(len(genNumbers))])
	case 2, 3:
		b.WriteString(genStrings[next(len(genStrings))])
	case 4:
		b.WriteString([]string{"true", "false", "null"}[next(3)])
	case 5, 6, 7:
		b.WriteByte('{')
		n := next(7)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			ws()
			b.WriteString(`"` + genNames[next(len(genNames))] + `"`)
			ws()
			b.WriteByte(':')
			genBody(b, next, depth+1)
		}
		if next(50) == 0 {
			b.WriteByte(',')
		}
		b.WriteByte('}')
	default:
		b.WriteByte('[')
		n := next(5)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			genBody(b, next, depth+1)
		}
		b.WriteByte(']')
	}
	ws()
}

var (
	genNames = []string{"s", "i", "n", "b", "e", "l", "a", "f", "k", "z", "p", "q", "r", "t", "c", "x",
		"customer", "currency", "note", "items", "sku", "qty", `\u0073`, "é"}
	genNumbers = []string{"0", "-0", "1", "1.0", "1.5", "2", "2.5", "2.50", "-5", "-6", "-5.0", "1000", "1001", "1000.0001",
		"0.5", "0.50", "0.5000001", "10", "9.99", "10.0", "-1", "-1.25", "-1.250", "-1.2", "-2e0", "1e2", "25e-1", "1E+0",
		"2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "100", "101", "0.000", "4", "3", "12345678901234567890.5"}
	genStrings = []string{`""`, `"a"`, `"ab"`, `"abc"`, `"abcd"`, `"abcde"`, `"open"`, `"\u006fpen"`, `"é"`, `"éé"`, `"😀"`,
		`"\ud83d"`, `"\ud83d\ude00"`, `"\ud83dab"`, `"\udc00\ud800"`, `"12-x"`, `"12-xy"`, `"1-x"`, `"a-12"`, `"EUR"`,
		`"USD"`, `"eur"`, `"cus_42"`, `"cus_"`, `"SKU-1001"`, `"SKU-100"`, `"SKU-123456789"`, `"a\nb"`, `"\/"`, `"x\u0000"`,
		`"ABC-1234"`, `"\t"`, `"aé"`, `"ZZ"`, `"SKU-20020"`, `"cus_4242"`, `"cus_a\u0062"`, `"SKU-1234\n"`}
)

// TestFastSchemaRandom holds the fast path to the library on bodies made
// by genBody from a fixed seed (FuzzFastSchemaSound does the same from
// the fuzzer's bytes), and logs how often it answers for a valid body.
func TestFastSchemaRandom(t *testing.T) {
	entries := fuzzEntries(t)
	r := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() || raceEnabled {
		n = 2000
	}
	fast, valid := 0, 0
	for range n {
		var b strings.Builder
		genBody(&b, r.IntN, 0)
		for _, e := range entries {
			body := []byte(b.String())
			if r.IntN(4) != 0 {
				var g strings.Builder
				genFor(&g, e.schema, r.IntN, 0)
				body = []byte(g.String())
			}
			f := e.fast.valid(body)
			lib := libraryValid(e, body)
			if f && !lib {
				t.Fatalf("fast path: %q valid, the library disagrees (%s)", body, e.schema.Location)
			}
			if lib {
				valid++
				if f {
					fast++
				}
			}
		}
	}
	t.Logf("the fast path answered for %d of %d valid bodies", fast, valid)
}

// genFor writes a body for the compiled schema s, chosen by next: mostly
// what s asks for, at and around its limits (bounds and their neighbours,
// lengths and counts one over and under, required members left out, an
// unknown or duplicate member), and now and then anything at all (genBody).
func genFor(b *strings.Builder, s *jsonschema.Schema, next func(int) int, depth int) {
	for s != nil && s.Ref != nil {
		s = s.Ref
	}
	if s == nil || s.Bool != nil || depth > 6 || next(16) == 0 {
		genBody(b, next, depth+4)
		return
	}
	if s.Enum != nil && len(s.Enum.Values) > 0 && next(2) == 0 {
		switch v := s.Enum.Values[next(len(s.Enum.Values))].(type) {
		case string:
			b.WriteString(strconv.Quote(v)) // Go quoting: a \x escape is malformed JSON, a case too
		default:
			b.WriteString(genNumberNear(v, next))
		}
		return
	}
	types := []string{"string", "number", "integer", "object", "array", "boolean", "null"}
	if s.Types != nil {
		types = s.Types.ToStrings()
	}
	switch types[next(len(types))] {
	case "string":
		if s.Pattern != nil && next(4) != 0 {
			var match []string
			for _, str := range genStrings {
				if u, err := strconv.Unquote(str); err == nil && s.Pattern.MatchString(u) {
					match = append(match, str)
				}
			}
			if len(match) > 0 {
				b.WriteString(match[next(len(match))])
				return
			}
		}
		if next(2) == 0 {
			b.WriteString(genStrings[next(len(genStrings))])
			return
		}
		n := genCount(s.MinLength, s.MaxLength, next)
		b.WriteByte('"')
		for range n {
			b.WriteString([]string{"a", "Z", "1", "-", "_", "é", "😀", `\u00e9`, `\ud83d\ude00`, `\ud83d`, `\n`, "SKU-", "cus_"}[next(13)])
		}
		b.WriteByte('"')
	case "number", "integer":
		var bounds []any
		for _, r := range []*big.Rat{s.Minimum, s.Maximum, s.ExclusiveMinimum, s.ExclusiveMaximum} {
			if r != nil {
				bounds = append(bounds, r)
			}
		}
		if len(bounds) == 0 || next(4) == 0 {
			b.WriteString(genNumbers[next(len(genNumbers))])
		} else {
			b.WriteString(genNumberNear(bounds[next(len(bounds))], next))
		}
	case "object":
		b.WriteByte('{')
		var names []string
		for _, r := range s.Required {
			if next(10) != 0 {
				names = append(names, r)
			}
		}
		for name := range s.Properties {
			if !slices.Contains(names, name) && next(2) == 0 {
				names = append(names, name)
			}
		}
		if next(8) == 0 {
			names = append(names, genNames[next(len(genNames))])
		}
		if len(names) > 0 && next(24) == 0 {
			names = append(names, names[next(len(names))])
		}
		for i := len(names) - 1; i > 0; i-- {
			j := next(i + 1)
			names[i], names[j] = names[j], names[i]
		}
		for i, name := range names {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(name) + ":")
			sub := s.Properties[name]
			if sub == nil {
				sub, _ = s.AdditionalProperties.(*jsonschema.Schema)
			}
			genFor(b, sub, next, depth+1)
		}
		b.WriteByte('}')
	case "array":
		n := min(genCount(s.MinItems, s.MaxItems, next), 6)
		b.WriteByte('[')
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			genFor(b, s.Items2020, next, depth+1)
		}
		b.WriteByte(']')
	case "boolean":
		b.WriteString([]string{"true", "false"}[next(2)])
	default:
		b.WriteString("null")
	}
}

// genCount is a length or count around [lo, hi].
func genCount(lo, hi *int, next func(int) int) int {
	l, h := 0, 4
	if lo != nil {
		l = *lo
	}
	if hi != nil {
		h = min(*hi, l+6)
	}
	return max(0, l-1+next(h-l+3))
}

// genNumberNear writes a number at or next to v (a json.Number or a
// *big.Rat): the same value spelled otherwise (1.0, 1e0, -0), or one unit
// or a small fraction above or below.
func genNumberNear(v any, next func(int) int) string {
	r, ok := new(big.Rat), false
	switch v := v.(type) {
	case *big.Rat:
		r, ok = r.Set(v), true
	default:
		r, ok = r.SetString(strings.TrimSpace(stringOf(v)))
	}
	if !ok {
		return "0"
	}
	deltas := []string{"0", "0", "1", "-1", "1/2", "-1/2", "1/1000000", "-1/1000000"}
	d, _ := new(big.Rat).SetString(deltas[next(len(deltas))])
	r.Add(r, d)
	str := r.FloatString(8)
	str = strings.TrimRight(strings.TrimRight(str, "0"), ".")
	switch next(5) {
	case 0:
		if !strings.Contains(str, ".") {
			str += ".0"
		}
	case 1:
		str += "e0"
	case 2:
		if str == "0" {
			str = "-0"
		}
	}
	return str
}

func stringOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case interface{ String() string }:
		return v.String()
	}
	return ""
}
