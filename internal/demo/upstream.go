// Package demo is what `apiguard serve --demo` runs: a small orders API
// on loopback, a self-signed certificate, and a gateway configuration in
// front of it, so a newcomer sees the gateway work with nothing to set up.
package demo

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

type order struct {
	ID       int    `json:"id"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
	Status   string `json:"status"`
	// Card is deliberately sensitive: response masking hides it.
	Card string `json:"card"`
}

type ordersAPI struct {
	mu     sync.Mutex
	orders map[int]*order
	next   int
}

// Upstream starts the demo orders API on a free loopback port and returns
// its base URL and a function that stops it.
func Upstream() (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	api := &ordersAPI{orders: map[int]*order{
		1: {ID: 1, Item: "coffee beans", Quantity: 2, Status: "shipped", Card: "4111 1111 1111 1111"},
	}, next: 2}
	srv := &http.Server{Handler: api.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func (a *ordersAPI) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "demo-orders/0.1 (leaks its version; the gateway strips this)")
		reply(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /v1/orders", a.list)
	mux.HandleFunc("GET /v0/orders", a.list)
	mux.HandleFunc("GET /v1/orders/{id}", a.get)
	mux.HandleFunc("POST /v1/orders", a.create)
	mux.HandleFunc("POST /v1/orders/{id}/refund", a.refund)
	return mux
}

func (a *ordersAPI) list(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	out := make([]*order, 0, len(a.orders))
	for i := 1; i < a.next; i++ {
		if o, ok := a.orders[i]; ok {
			out = append(out, o)
		}
	}
	a.mu.Unlock()
	reply(w, http.StatusOK, map[string]any{"orders": out, "seen_subject": r.Header.Get("X-Apiguard-Subject")})
}

func (a *ordersAPI) get(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	a.mu.Lock()
	o, ok := a.orders[id]
	a.mu.Unlock()
	if !ok {
		reply(w, http.StatusNotFound, map[string]string{"error": "no such order"})
		return
	}
	reply(w, http.StatusOK, o)
}

func (a *ordersAPI) create(w http.ResponseWriter, r *http.Request) {
	var in order
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Item == "" || in.Quantity < 1 {
		reply(w, http.StatusBadRequest, map[string]string{"error": "item and quantity >= 1 required"})
		return
	}
	a.mu.Lock()
	in.ID, in.Status = a.next, "new"
	a.orders[in.ID] = &in
	a.next++
	a.mu.Unlock()
	reply(w, http.StatusCreated, in)
}

func (a *ordersAPI) refund(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ok := a.orders[id]
	if !ok {
		reply(w, http.StatusNotFound, map[string]string{"error": "no such order"})
		return
	}
	o.Status = "refunded"
	reply(w, http.StatusOK, o)
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Powered-By", "demo-framework/1.2.3")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
