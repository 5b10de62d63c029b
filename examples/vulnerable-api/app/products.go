package app

import (
	"net/http"
)

// searchSQL is the query searchProducts "runs": the WHERE clause is
// interpreted by sqlsim.go over the seeded products (there is no
// database).
const (
	searchSQLHead = "SELECT id, sku, name, category, price, published FROM products WHERE "
	searchSQLTail = "%' AND published = true ORDER BY id LIMIT 50"
)

type productList struct {
	Count int       `json:"count"`
	Items []Product `json:"items"`
}

// searchProducts answers GET /api/v1/products?q=: published products whose
// name contains q.
//
// DELIBERATELY VULNERABLE (injection.sql): q is pasted into the SQL text.
// A lone ' breaks the statement and the database error (with the query)
// is sent back (errors.verbose too); q=' OR '1'='1 turns the filter into
// a tautology and lists every product, unpublished ones included.
// Correct code: a parameterised query (WHERE name ILIKE '%' || $1 || '%').
func (a *api) searchProducts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if len(q) > 200 {
		writeError(w, http.StatusBadRequest, "q: at most 200 characters")
		return
	}
	where := "name ILIKE '%" + q + searchSQLTail
	rows, err := runWhere(where, a.s.products)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, struct {
			Error string `json:"error"`
			Query string `json:"query"`
		}{err.Error(), searchSQLHead + where})
		return
	}
	writeJSON(w, http.StatusOK, productList{Count: len(rows), Items: rows})
}
