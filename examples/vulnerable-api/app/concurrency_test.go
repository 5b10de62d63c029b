package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentUse hammers one API from many goroutines with every kind
// of write and read; run with -race.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	alice, bob := bearer(e.login("alice", AlicePassword)), bearer(e.login("bob", BobPassword))
	const workers, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			me := alice
			if w%2 == 1 {
				me = bob
			}
			for i := range rounds {
				steps := []struct {
					method, path, body string
					want               int
				}{
					{"POST", "/api/v1/orders", `{"product_id":1,"quantity":1,"shipping_address":"x"}`, 201},
					{"PUT", "/api/v1/orders/1", fmt.Sprintf(`{"quantity":%d}`, i%9+1), 200},
					{"GET", "/api/v1/orders", "", 200},
					{"PATCH", "/api/v1/users/me", fmt.Sprintf(`{"display_name":"w%d"}`, w), 200},
					{"GET", "/api/v1/users", "", 200},
					{"POST", "/api/v1/users", fmt.Sprintf(`{"username":"u%d-%d","password":"password%d"}`, w, i, i), 201},
					{"GET", "/api/v1/products?q=%27%20OR%20%271%27%3D%271", "", 200},
					{"POST", "/api/v1/login", fmt.Sprintf(`{"username":"u%d-%d","password":"password%d"}`, w, i, i), 200},
					{"GET", "/debug/vars", "", 200},
				}
				for _, s := range steps {
					if r := e.do(s.method, s.path, s.body, me); r.status != s.want {
						errs <- fmt.Sprintf("%s %s: %d %s", s.method, s.path, r.status, r.body)
					}
				}
				// Delete one of this worker's own orders: deletes race with reads.
				if r := e.do("GET", "/api/v1/orders", "", me); r.status == 200 && i%5 == 0 {
					var os []Order
					r.json(t, &os)
					if len(os) > 3 {
						e.do("DELETE", fmt.Sprintf("/api/v1/orders/%d", os[len(os)-1].ID), "", me)
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var users []User
	e.do("GET", "/api/v1/users", "").json(t, &users)
	if len(users) != 3+workers*rounds {
		t.Errorf("%d users, want %d", len(users), 3+workers*rounds)
	}
}

// TestObjectsAreCapped: past the cap (MaxObjects; 50 here) of created
// objects, creating answers 507 and the API keeps serving.
func TestObjectsAreCapped(t *testing.T) {
	if s := newStore(); s.limit != MaxObjects {
		t.Fatalf("limit %d", s.limit)
	}
	const limit = 50
	s := newStore()
	s.limit = limit
	h := newHandler(s)
	tok, err := Token(1, "alice", seedTime)
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, body string) int {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := range limit {
		if code := post("/api/v1/orders", `{"product_id":1,"quantity":1,"shipping_address":"x"}`); code != http.StatusCreated {
			t.Fatalf("order %d: %d", i, code)
		}
	}
	if code := post("/api/v1/orders", `{"product_id":1,"quantity":1,"shipping_address":"x"}`); code != http.StatusInsufficientStorage {
		t.Fatalf("order past the cap: %d, want 507", code)
	}
	if code := post("/api/v1/users", `{"username":"late","password":"password1"}`); code != http.StatusInsufficientStorage {
		t.Fatalf("user past the cap: %d, want 507", code)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/products", nil))
	if rec.Code != 200 {
		t.Fatalf("reads after the cap: %d", rec.Code)
	}
}

// TestGatewaySubject: behind apiguard the caller is named by
// X-Apiguard-Subject and provisioned on first sight; two subjects are two
// users (so BOLA stays observable through the gateway).
func TestGatewaySubject(t *testing.T) {
	e := newEnv(t)
	if who, st := e.me("X-Apiguard-Subject: key:abc"); who != "key:abc" {
		t.Fatalf("subject: %q %d", who, st)
	}
	r := e.do("POST", "/api/v1/orders", `{"product_id":2,"quantity":1,"shipping_address":"A"}`, "X-Apiguard-Subject: key:abc")
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var o Order
	r.json(t, &o)
	if r := e.do("GET", fmt.Sprintf("/api/v1/orders/%d", o.ID), "", "X-Apiguard-Subject: key:def"); r.status != 200 {
		t.Fatalf("other subject reads it: %d", r.status)
	}
	if _, st := e.me("X-Apiguard-Subject: " + strings.Repeat("k", 129)); st != 401 {
		t.Fatalf("overlong subject: %d", st)
	}
}
