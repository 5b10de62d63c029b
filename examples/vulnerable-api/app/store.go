package app

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"sync"
	"time"
)

// MaxObjects bounds the users and orders created at run time (seeded ones
// not counted), so a long scan cannot grow the process without limit.
// Past it, creating answers 507 until the process restarts.
const MaxObjects = 10000

var (
	errFull     = errors.New("store full: restart the example API")
	errNotFound = errors.New("not found")
)

// User is an account. Every field is serialised, sensitive ones included:
// see the data.exposure note on listUsers.
type User struct {
	ID             int       `json:"id"`
	Username       string    `json:"username"`
	Email          string    `json:"email"`
	DisplayName    string    `json:"display_name"`
	Role           string    `json:"role"`
	IsAdmin        bool      `json:"is_admin"`
	SSN            string    `json:"ssn,omitempty"`
	CardNumber     string    `json:"card_number,omitempty"`
	PasswordHash   string    `json:"password_hash,omitempty"`
	AWSAccessKeyID string    `json:"aws_access_key_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// admin reports whether u sees everyone's orders.
func (u *User) admin() bool { return u.IsAdmin || u.Role == "admin" }

// Order belongs to the user OwnerID (which the API never checks: see
// getOrder).
type Order struct {
	ID              int       `json:"id"`
	OwnerID         int       `json:"owner_id"`
	ProductID       int       `json:"product_id"`
	Item            string    `json:"item"`
	Quantity        int       `json:"quantity"`
	UnitPrice       float64   `json:"unit_price"`
	Total           float64   `json:"total"`
	Status          string    `json:"status"`
	ShippingAddress string    `json:"shipping_address"`
	CreatedAt       time.Time `json:"created_at"`
}

// Product is a catalogue entry; unpublished ones are never listed by an
// honest search.
type Product struct {
	ID        int     `json:"id"`
	SKU       string  `json:"sku"`
	Name      string  `json:"name"`
	Category  string  `json:"category"`
	Price     float64 `json:"price"`
	Published bool    `json:"published"`
}

// store is the API's in-memory state. Methods return copies, so callers
// never share memory with it.
type store struct {
	mu        sync.RWMutex
	users     map[int]*User
	byName    map[string][]int // ids of the accounts of a name, oldest first
	orders    map[int]*Order
	products  []Product // read-only after seeding
	nextUser  int
	nextOrder int
	seeded    int // objects created by seed, not counted against limit
	limit     int // MaxObjects (tests lower it)
}

func (s *store) full() bool { return len(s.users)+len(s.orders)-s.seeded >= s.limit }

func (s *store) listUsers() []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b User) int { return a.ID - b.ID })
	return out
}

func (s *store) userByID(id int) (User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// login returns the oldest account named name whose password hash is
// hash.
func (s *store) login(name, hash string) (User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range s.byName[name] {
		if u := s.users[id]; u.PasswordHash != "" && u.PasswordHash == hash {
			return *u, true
		}
	}
	return User{}, false
}

// addUser stores u with the next id and returns the stored copy.
// Usernames are not unique (ids are): signing up twice with one name makes
// two accounts, which keeps sign-up repeatable for scans that replay the
// spec's example.
func (s *store) addUser(u User) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addUserLocked(u)
}

func (s *store) addUserLocked(u User) (User, error) {
	if s.full() {
		return User{}, errFull
	}
	s.nextUser++
	u.ID = s.nextUser
	if u.Role == "" {
		u.Role = "user"
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC().Truncate(time.Second)
	}
	s.users[u.ID] = &u
	s.byName[u.Username] = append(s.byName[u.Username], u.ID)
	return u, nil
}

// provision returns the user named name, creating it when it does not
// exist (identities asserted by the gateway: see identify).
func (s *store) provision(name string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ids := s.byName[name]; len(ids) > 0 {
		return *s.users[ids[0]], nil
	}
	return s.addUserLocked(User{Username: name, DisplayName: name, Email: ""})
}

// updateUser applies f to user id under the lock.
func (s *store) updateUser(id int, f func(*User)) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, errNotFound
	}
	f(u)
	return *u, nil
}

func (s *store) product(id int) (Product, bool) {
	for _, p := range s.products {
		if p.ID == id {
			return p, true
		}
	}
	return Product{}, false
}

// ordersOf lists the orders of owner, or every order when owner is 0.
func (s *store) ordersOf(owner int) []Order {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []Order{}
	for _, o := range s.orders {
		if owner == 0 || o.OwnerID == owner {
			out = append(out, *o)
		}
	}
	slices.SortFunc(out, func(a, b Order) int { return a.ID - b.ID })
	return out
}

func (s *store) order(id int) (Order, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

func (s *store) addOrder(o Order) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.full() {
		return Order{}, errFull
	}
	s.nextOrder++
	o.ID = s.nextOrder
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now().UTC().Truncate(time.Second)
	}
	s.orders[o.ID] = &o
	return o, nil
}

func (s *store) updateOrder(id int, f func(*Order)) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, errNotFound
	}
	f(o)
	return *o, nil
}

func (s *store) deleteOrder(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.orders[id]
	delete(s.orders, id)
	return ok
}

// bcryptAlphabet is bcrypt's base64 alphabet.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

var bcryptB64 = base64.NewEncoding(bcryptAlphabet).WithPadding(base64.NoPadding)

// fakeHash returns a string shaped like a bcrypt hash ($2b$12$ + 53
// characters) of password.
//
// DELIBERATELY VULNERABLE (data.exposure): this is NOT bcrypt, only its
// look: an unsalted, fast SHA-256 that the API also hands out in every
// user object. Real code uses bcrypt/argon2 and never returns the hash.
func fakeHash(password string) string {
	a := sha256.Sum256([]byte("vulnerable-api:" + password))
	b := sha256.Sum256(a[:])
	return "$2b$12$" + bcryptB64.EncodeToString(append(a[:], b[:]...))[:53]
}
