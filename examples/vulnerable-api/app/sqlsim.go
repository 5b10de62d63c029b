package app

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// This file interprets the tail of the product search's SQL text (WHERE
// clause, ORDER BY, LIMIT) over the seeded products, the way PostgreSQL
// would, closely enough for SQL injection to behave as it does against a
// real database: a stray quote is a syntax error, a tautology lists every
// row, a comment cuts the rest of the statement. It is the demo's
// database, not a general SQL engine: anything else is a syntax error.

// val is an SQL value: NULL, boolean, number or text.
type val struct {
	kind byte // 0 null, 'b', 'n', 's'
	b    bool
	n    float64
	s    string
}

// expr is a parsed expression, evaluated once per row.
type expr func(p *Product) (val, error)

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos = min(p.pos+1, len(p.toks)-1); return t }
func (p *parser) isKw(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && t.text == kw
}
func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == op
}

// reserved words cannot be column names here.
var reserved = map[string]bool{
	"select": true, "from": true, "where": true, "union": true, "and": true, "or": true, "not": true,
	"order": true, "by": true, "limit": true, "like": true, "ilike": true, "is": true, "as": true,
	"insert": true, "update": true, "delete": true, "drop": true, "into": true, "values": true,
	"having": true, "group": true, "offset": true, "asc": true, "desc": true, "case": true, "when": true,
}

var columns = map[string]func(*Product) val{
	"id":        func(p *Product) val { return val{kind: 'n', n: float64(p.ID)} },
	"sku":       func(p *Product) val { return val{kind: 's', s: p.SKU} },
	"name":      func(p *Product) val { return val{kind: 's', s: p.Name} },
	"category":  func(p *Product) val { return val{kind: 's', s: p.Category} },
	"price":     func(p *Product) val { return val{kind: 'n', n: p.Price} },
	"published": func(p *Product) val { return val{kind: 'b', b: p.Published} },
}

func (p *parser) parseOr() (expr, error) {
	l, err := p.parseAnd()
	for err == nil && p.isKw("or") {
		p.next()
		var r expr
		if r, err = p.parseAnd(); err == nil {
			l = logical(l, r, true)
		}
	}
	return l, err
}

func (p *parser) parseAnd() (expr, error) {
	l, err := p.parseNot()
	for err == nil && p.isKw("and") {
		p.next()
		var r expr
		if r, err = p.parseNot(); err == nil {
			l = logical(l, r, false)
		}
	}
	return l, err
}

// logical combines two boolean expressions (NULL counts as false: WHERE
// keeps only true rows either way).
func logical(l, r expr, or bool) expr {
	return func(row *Product) (val, error) {
		a, err := truth(l, row)
		if err != nil || a == or {
			return val{kind: 'b', b: a}, err
		}
		b, err := truth(r, row)
		return val{kind: 'b', b: b}, err
	}
}

func truth(e expr, row *Product) (bool, error) {
	v, err := e(row)
	switch {
	case err != nil:
		return false, err
	case v.kind == 'b':
		return v.b, nil
	case v.kind == 0:
		return false, nil
	}
	return false, &sqlError{"argument of WHERE must be type boolean, not type " + typeName(v), "42804"}
}

func (p *parser) parseNot() (expr, error) {
	if !p.isKw("not") {
		return p.parseCmp()
	}
	p.next()
	x, err := p.parseNot()
	return func(row *Product) (val, error) {
		b, err := truth(x, row)
		return val{kind: 'b', b: !b}, err
	}, err
}

func (p *parser) parseCmp() (expr, error) {
	l, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	negate := false
	if p.isKw("not") {
		p.next()
		negate = true
		if !p.isKw("like") && !p.isKw("ilike") {
			return nil, syntaxError(p.peek())
		}
	}
	t := p.peek()
	switch {
	case t.kind == tIdent && (t.text == "like" || t.text == "ilike"):
	case t.kind == tOp && (t.text == "=" || t.text == "<>" || t.text == "!=" || t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">="):
	default:
		return l, nil
	}
	p.next()
	r, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	return func(row *Product) (val, error) {
		a, err := l(row)
		if err != nil {
			return val{}, err
		}
		b, err := r(row)
		if err != nil {
			return val{}, err
		}
		v, err := compare(t.text, a, b)
		if negate && err == nil && v.kind == 'b' {
			v.b = !v.b
		}
		return v, err
	}, nil
}

func (p *parser) parsePrimary() (expr, error) {
	t := p.next()
	switch {
	case t.kind == tOp && t.text == "(":
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if !p.isOp(")") {
			return nil, syntaxError(p.peek())
		}
		p.next()
		return x, nil
	case t.kind == tString:
		return constant(val{kind: 's', s: t.text}), nil
	case t.kind == tNumber || t.kind == tOp && t.text == "-" && p.peek().kind == tNumber:
		if t.kind == tOp {
			t = p.next()
			t.text, t.src = "-"+t.text, "-"+t.src
		}
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, syntaxError(t)
		}
		return constant(val{kind: 'n', n: n}), nil
	case t.kind == tIdent:
		switch {
		case t.text == "true" || t.text == "false":
			return constant(val{kind: 'b', b: t.text == "true"}), nil
		case t.text == "null":
			return constant(val{}), nil
		case reserved[t.text]:
			return nil, syntaxError(t)
		case p.isOp("("):
			return nil, &sqlError{"function " + t.src + "() does not exist", "42883"}
		}
		col, ok := columns[t.text]
		if !ok {
			return nil, &sqlError{`column "` + t.src + `" does not exist`, "42703"}
		}
		return func(row *Product) (val, error) { return col(row), nil }, nil
	}
	return nil, syntaxError(t)
}

func constant(v val) expr { return func(*Product) (val, error) { return v, nil } }

func typeName(v val) string {
	switch v.kind {
	case 'b':
		return "boolean"
	case 'n':
		return "numeric"
	case 's':
		return "text"
	}
	return "unknown"
}

// coerce converts a text literal to the other operand's type, as
// PostgreSQL does for an untyped literal.
func coerce(a, b val) (val, val, error) {
	if a.kind == b.kind || a.kind == 0 || b.kind == 0 {
		return a, b, nil
	}
	if a.kind == 's' {
		b, a, err := coerce(b, a)
		return a, b, err
	}
	if b.kind != 's' {
		return a, b, &sqlError{"operator does not exist: " + typeName(a) + " = " + typeName(b), "42883"}
	}
	switch a.kind {
	case 'n':
		n, err := strconv.ParseFloat(strings.TrimSpace(b.s), 64)
		if err != nil {
			return a, b, &sqlError{`invalid input syntax for type numeric: "` + b.s + `"`, "22P02"}
		}
		return a, val{kind: 'n', n: n}, nil
	default: // 'b'
		switch strings.ToLower(strings.TrimSpace(b.s)) {
		case "t", "true", "y", "yes", "on", "1":
			return a, val{kind: 'b', b: true}, nil
		case "f", "false", "n", "no", "off", "0":
			return a, val{kind: 'b', b: false}, nil
		}
		return a, b, &sqlError{`invalid input syntax for type boolean: "` + b.s + `"`, "22P02"}
	}
}

func compare(op string, a, b val) (val, error) {
	if op == "like" || op == "ilike" {
		if a.kind == 0 || b.kind == 0 {
			return val{}, nil
		}
		if a.kind != 's' || b.kind != 's' {
			return val{}, &sqlError{"operator does not exist: " + typeName(a) + " ~~ " + typeName(b), "42883"}
		}
		return val{kind: 'b', b: like(a.s, b.s, op == "ilike")}, nil
	}
	a, b, err := coerce(a, b)
	if err != nil || a.kind == 0 || b.kind == 0 {
		return val{}, err
	}
	c := 0
	switch a.kind {
	case 'n':
		c = cmp.Compare(a.n, b.n)
	case 's':
		c = strings.Compare(a.s, b.s)
	case 'b':
		c = cmp.Compare(boolInt(a.b), boolInt(b.b))
	}
	var r bool
	switch op {
	case "=":
		r = c == 0
	case "<>", "!=":
		r = c != 0
	case "<":
		r = c < 0
	case ">":
		r = c > 0
	case "<=":
		r = c <= 0
	case ">=":
		r = c >= 0
	}
	return val{kind: 'b', b: r}, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// like matches s against an SQL LIKE pattern (% any run, _ one character).
func like(s, pattern string, fold bool) bool {
	if fold {
		s, pattern = strings.ToLower(s), strings.ToLower(pattern)
	}
	sr, pr := []rune(s), []rune(pattern)
	// Iterative wildcard matching with backtracking to the last %.
	si, pi, star, mark := 0, 0, -1, 0
	for si < len(sr) {
		switch {
		case pi < len(pr) && (pr[pi] == '_' || pr[pi] == sr[si]) && pr[pi] != '%':
			si++
			pi++
		case pi < len(pr) && pr[pi] == '%':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pr) && pr[pi] == '%' {
		pi++
	}
	return pi == len(pr)
}

// runWhere evaluates "<where> [ORDER BY col [ASC|DESC]] [LIMIT n] [;]"
// over products and returns the matching rows.
func runWhere(where string, products []Product) ([]Product, error) {
	toks, err := lex(where)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	cond, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	orderBy, desc, limit := "id", false, -1
	if p.isKw("order") {
		p.next()
		if !p.isKw("by") {
			return nil, syntaxError(p.peek())
		}
		p.next()
		t := p.next()
		if t.kind != tIdent || columns[t.text] == nil {
			return nil, syntaxError(t)
		}
		orderBy = t.text
		if p.isKw("asc") || p.isKw("desc") {
			desc = p.next().text == "desc"
		}
	}
	if p.isKw("limit") {
		p.next()
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != tNumber || err != nil {
			return nil, syntaxError(t)
		}
		limit = n
	}
	if p.isOp(";") {
		p.next()
		if p.peek().kind != tEOF {
			return nil, &sqlError{"cannot insert multiple commands into a prepared statement", "42601"}
		}
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, syntaxError(t)
	}
	rows := []Product{}
	for i := range products {
		ok, err := truth(cond, &products[i])
		if err != nil {
			return nil, err
		}
		if ok {
			rows = append(rows, products[i])
		}
	}
	key := columns[orderBy]
	slices.SortStableFunc(rows, func(a, b Product) int {
		v, _ := compare("<", key(&a), key(&b))
		w, _ := compare(">", key(&a), key(&b))
		c := boolInt(w.b) - boolInt(v.b)
		if desc {
			c = -c
		}
		return c
	})
	if limit >= 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	return rows, nil
}
