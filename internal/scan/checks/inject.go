package checks

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// point is one place a payload can go: a query or path parameter, or a
// top-level field of a JSON body.
type point struct {
	in, name, value string
	numeric         bool
}

// maxPoints bounds the injection points tried per operation.
const maxPoints = 3

// points lists op's injection points: path parameters, query parameters,
// then JSON body fields (strings and numbers).
func points(env *scan.Env, op *scan.Operation) []point {
	var out []point
	concrete := strings.TrimPrefix(env.Target.Fill(op, false), env.Target.Prefix)
	tsegs, csegs := strings.Split(op.Path, "/"), strings.Split(concrete, "/")
	for i, s := range tsegs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && i < len(csegs) {
			v, _ := url.PathUnescape(csegs[i])
			out = append(out, point{in: "path", name: s[1 : len(s)-1], value: v, numeric: isNumber(v)})
		}
	}
	for _, p := range op.In("query") {
		v := scan.ParamSample(p)
		out = append(out, point{in: "query", name: p.Name, value: v, numeric: p.Schema.Is("integer") || p.Schema.Is("number")})
	}
	if op.JSONBody() {
		body := copyObject(scan.BodySample(op.Body))
		for _, k := range sortedKeys(body) {
			switch v := body[k].(type) {
			case string:
				out = append(out, point{in: "body", name: k, value: v})
			case float64:
				out = append(out, point{in: "body", name: k, value: jsonNumber(v), numeric: true})
			}
		}
	}
	return out[:min(len(out), maxPoints)]
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

// inject returns a request modifier that puts value at p.
func inject(env *scan.Env, op *scan.Operation, p point, value string) func(*scan.Request) {
	return func(r *scan.Request) {
		r.Retry429 = true
		path, rawq, _ := strings.Cut(r.Path, "?")
		switch p.in {
		case "path":
			tsegs := strings.Split(op.Path, "/")
			csegs := strings.Split(strings.TrimPrefix(path, env.Target.Prefix), "/")
			for i, s := range tsegs {
				if s == "{"+p.name+"}" && i < len(csegs) {
					csegs[i] = url.PathEscape(value)
				}
			}
			path = env.Target.Prefix + strings.Join(csegs, "/")
		case "query":
			q, _ := url.ParseQuery(rawq)
			q.Set(p.name, value)
			rawq = q.Encode()
		case "body":
			body := map[string]any{}
			_ = json.Unmarshal(r.Body, &body)
			body[p.name] = value
			r.Body, _ = json.Marshal(body)
		}
		r.Path = path
		if rawq != "" {
			r.Path += "?" + rawq
		}
	}
}

// injectable lists the operations injection checks probe, in order.
func injectable(env *scan.Env) []*scan.Operation {
	var out []*scan.Operation
	for _, op := range env.Probeable() {
		if op.Method == http.MethodHead || op.Method == http.MethodOptions {
			continue
		}
		out = append(out, op)
	}
	return out
}
