package app

import (
	"fmt"
	"net/http"
	"strconv"
)

type orderCreate struct {
	ProductID       int    `json:"product_id"`
	Quantity        int    `json:"quantity"`
	ShippingAddress string `json:"shipping_address"`
}

type orderUpdate struct {
	Quantity        *int    `json:"quantity"`
	ShippingAddress *string `json:"shipping_address"`
}

const maxQuantity = 100

// listOrders answers GET /api/v1/orders: the caller's orders, or every
// order for an admin.
func (a *api) listOrders(w http.ResponseWriter, r *http.Request) {
	me, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	owner := me.ID
	if me.admin() {
		owner = 0
	}
	writeJSON(w, http.StatusOK, a.s.ordersOf(owner))
}

// createOrder answers POST /api/v1/orders.
func (a *api) createOrder(w http.ResponseWriter, r *http.Request) {
	me, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	var in orderCreate
	if !decode(w, r, &in) {
		return
	}
	p, found := a.s.product(in.ProductID)
	switch {
	case !found || !p.Published:
		writeError(w, http.StatusBadRequest, "product_id: no such product")
		return
	case in.Quantity < 1 || in.Quantity > maxQuantity:
		writeError(w, http.StatusBadRequest, "quantity: must be between 1 and 100")
		return
	case in.ShippingAddress == "" || len(in.ShippingAddress) > 200:
		writeError(w, http.StatusBadRequest, "shipping_address: 1-200 characters")
		return
	}
	o, err := a.s.addOrder(Order{
		OwnerID: me.ID, ProductID: p.ID, Item: p.Name, Quantity: in.Quantity, UnitPrice: p.Price,
		Total: p.Price * float64(in.Quantity), Status: "pending", ShippingAddress: in.ShippingAddress,
	})
	if err != nil {
		writeStoreError(w, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/orders/%d", o.ID))
	writeJSON(w, http.StatusCreated, o)
}

// getOrder answers GET /api/v1/orders/{id}.
//
// DELIBERATELY VULNERABLE (bola.suspected): any authenticated user gets
// any order by its (sequential) id; OwnerID is never compared with the
// caller. Correct code answers 404 unless o.OwnerID == me.ID.
func (a *api) getOrder(w http.ResponseWriter, r *http.Request) {
	id, ok := orderID(w, r)
	if !ok {
		return
	}
	if _, ok := a.requireUser(w, r); !ok {
		return
	}
	o, found := a.s.order(id)
	if !found {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// updateOrder answers PUT (documented) and PATCH (undocumented)
// /api/v1/orders/{id}.
//
// DELIBERATELY VULNERABLE (bola.suspected): like getOrder, it changes
// anyone's order.
func (a *api) updateOrder(w http.ResponseWriter, r *http.Request) {
	id, ok := orderID(w, r)
	if !ok {
		return
	}
	if _, ok := a.requireUser(w, r); !ok {
		return
	}
	var in orderUpdate
	if !decode(w, r, &in) {
		return
	}
	if in.Quantity != nil && (*in.Quantity < 1 || *in.Quantity > maxQuantity) {
		writeError(w, http.StatusBadRequest, "quantity: must be between 1 and 100")
		return
	}
	if in.ShippingAddress != nil && (*in.ShippingAddress == "" || len(*in.ShippingAddress) > 200) {
		writeError(w, http.StatusBadRequest, "shipping_address: 1-200 characters")
		return
	}
	o, err := a.s.updateOrder(id, func(o *Order) {
		if in.Quantity != nil {
			o.Quantity = *in.Quantity
			o.Total = o.UnitPrice * float64(o.Quantity)
		}
		if in.ShippingAddress != nil {
			o.ShippingAddress = *in.ShippingAddress
		}
	})
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// deleteOrder answers DELETE /api/v1/orders/{id}, which the spec does not
// document (methods.unexpected), for anyone's order (bola.suspected).
func (a *api) deleteOrder(w http.ResponseWriter, r *http.Request) {
	id, ok := orderID(w, r)
	if !ok {
		return
	}
	if _, ok := a.requireUser(w, r); !ok {
		return
	}
	if !a.s.deleteOrder(id) {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// orderID parses the {id} path parameter.
//
// DELIBERATELY VULNERABLE (errors.verbose): a non-numeric id, checked
// before authentication, gets a 500 with a Go panic and stack trace
// naming source files and the internal database host. Correct code
// answers 400 (or 404) with a generic message and logs the detail.
func orderID(w http.ResponseWriter, r *http.Request) (int, bool) {
	raw := r.PathValue("id")
	id, err := strconv.Atoi(raw)
	if err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, stackTrace, err.Error(), len(raw))
		return 0, false
	}
	return id, true
}

// stackTrace is the "debug mode" error page of orderID (fake, but shaped
// like a real Go panic).
const stackTrace = `panic: %s [recovered]

goroutine 87 [running]:
main.(*OrderRepo).Find(0xc0001b6000, {0xc00001c0f5, 0x%x})
	/srv/app/internal/orders/orders.go:42 +0x1d9
main.(*Server).getOrder(0xc000150000, {0x7a1e40, 0xc0002a0000}, 0xc00029c000)
	/srv/app/internal/http/handlers.go:118 +0x6f
database/sql.(*DB).QueryRowContext(0xc000118680, {0x7a3f28, 0xc0002a4000}, {0x6f1b2e, 0x2c}, {0xc0001c5e60, 0x1, 0x1})
	/usr/local/go/src/database/sql/sql.go:1807 +0x5b
net/http.HandlerFunc.ServeHTTP(0xc000190000, {0x7a1e40, 0xc0002a0000}, 0xc00029c000)
	/usr/local/go/src/net/http/server.go:2294 +0x29
while serving GET /api/v1/orders/{id} (db: postgres://app@db.internal:5432/shop, host 10.0.3.17)
`
