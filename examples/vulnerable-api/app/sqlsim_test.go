package app

import (
	"strings"
	"testing"
)

func TestRunWhere(t *testing.T) {
	products := newStore().products
	cases := []struct {
		where string
		ids   string // matching ids, or the error's start
	}{
		{"name ILIKE '%key%' AND published = true ORDER BY id LIMIT 50", "1"},
		{"published = true", "1 2 3 4 5"},
		{"NOT published", "6 7"},
		{"price > 100 AND price <= '279'", "3 4"},
		{"(id = 1 OR id = 2) AND NOT name LIKE 'USB%'", "1"},
		{"name NOT ILIKE '%e%'", "2 4"},
		{"sku = 'KB-001' OR 1=0 ORDER BY price DESC", "1"},
		{"id >= 0 ORDER BY price DESC LIMIT 2", "6 4"},
		{"name = 'it''s'", ""},
		{"id = -1 /* comment */ OR id = 7 -- rest", "7"},
		{"name = NULL", ""},
		{"published = 'yes'", "1 2 3 4 5"},
		{"name ILIKE '%'%'", "pq: unterminated quoted string at or near \"'\" (SQLSTATE 42601)"},
		{"id = 1 UNION SELECT", `pq: syntax error at or near "UNION"`},
		{"id = 1 AND", "pq: syntax error at end of input"},
		{"id = 1; DROP TABLE products", "pq: cannot insert multiple commands"},
		{"pg_sleep(5) IS NULL", "pq: function pg_sleep() does not exist"},
		{"passwd = 'x'", `pq: column "passwd" does not exist`},
		{"id = 'abc'", `pq: invalid input syntax for type numeric: "abc"`},
		{"id", "pq: argument of WHERE must be type boolean"},
		{"id = 1 /* open", "pq: unterminated /* comment"},
		{"published = 1", "pq: operator does not exist: boolean = numeric"},
		{"((((id = 1))))", "1"},
		{"id = (1", `pq: syntax error at end of input`},
	}
	for _, c := range cases {
		rows, err := runWhere(c.where, products)
		var got string
		if err != nil {
			got = err.Error()
			if !strings.HasPrefix(got, c.ids) || c.ids == "" {
				t.Errorf("%s: error %q, want %q", c.where, got, c.ids)
			}
			continue
		}
		var ids []string
		for _, r := range rows {
			ids = append(ids, string(rune('0'+r.ID)))
		}
		if got = strings.Join(ids, " "); got != c.ids {
			t.Errorf("%s: rows %q, want %q", c.where, got, c.ids)
		}
	}
}

func TestLike(t *testing.T) {
	for _, c := range []struct {
		s, p string
		fold bool
		want bool
	}{
		{"Mechanical keyboard", "%key%", false, true},
		{"Mechanical keyboard", "%KEY%", false, false},
		{"Mechanical keyboard", "%KEY%", true, true},
		{"abc", "a_c", false, true},
		{"abc", "a%%c", false, true},
		{"abc", "%", false, true},
		{"", "%", false, true},
		{"abc", "ab", false, false},
		{"aaab", "%a%b", false, true},
		{"ab", "%b%b", false, false},
	} {
		if got := like(c.s, c.p, c.fold); got != c.want {
			t.Errorf("like(%q, %q, %v) = %v", c.s, c.p, c.fold, got)
		}
	}
}

func FuzzRunWhere(f *testing.F) {
	for _, s := range []string{"' OR '1'='1", "'", "x' AND (id = 1 OR name ILIKE '%a%') --", "/*", "((("} {
		f.Add(s)
	}
	products := newStore().products
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > 200 {
			return
		}
		_, _ = runWhere("name ILIKE '%"+q+searchSQLTail, products) // must not panic
	})
}
