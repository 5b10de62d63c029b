package app

import "time"

// seedTime dates every seeded object, so responses are reproducible.
var seedTime = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// Seeded accounts. The passwords are documented in ../README.md so a scan
// can log in as two different users (--auth and --auth-b).
//
// DELIBERATELY VULNERABLE (data.exposure): the card numbers, SSNs, hashes
// and access key id below are returned by GET /api/v1/users. They are
// well-known test values, not anyone's data: 4111 1111 1111 1111 and
// 5555 5555 5555 4444 are the card networks' test numbers, 078-05-1120
// and 219-09-9999 are SSNs the SSA voided after they were printed in
// advertising, and AKIAIOSFODNN7EXAMPLE is AWS's documentation example.
const (
	AlicePassword = "wonderland"
	BobPassword   = "builder"
)

func newStore() *store {
	s := &store{users: map[int]*User{}, byName: map[string][]int{}, orders: map[int]*Order{}, limit: MaxObjects}
	users := []User{
		{Username: "alice", Email: "alice@example.com", DisplayName: "Alice Liddell", SSN: "078-05-1120",
			CardNumber: "4111 1111 1111 1111", PasswordHash: fakeHash(AlicePassword)},
		{Username: "bob", Email: "bob@example.com", DisplayName: "Bob Builder", SSN: "219-09-9999",
			CardNumber: "5555 5555 5555 4444", PasswordHash: fakeHash(BobPassword)},
		{Username: "ci-bot", Email: "ci@example.com", DisplayName: "Deploy bot", Role: "service",
			AWSAccessKeyID: "AKIAIOSFODNN7EXAMPLE"},
	}
	for _, u := range users {
		u.CreatedAt = seedTime
		if _, err := s.addUserLocked(u); err != nil {
			panic(err) // unreachable: the seed is fixed
		}
	}
	s.products = []Product{
		{1, "KB-001", "Mechanical keyboard", "peripherals", 89.00, true},
		{2, "HUB-007", "USB-C hub", "peripherals", 34.50, true},
		{3, "HP-300", "Noise-cancelling headphones", "audio", 199.00, true},
		{4, "MON-27", "27-inch monitor", "displays", 279.00, true},
		{5, "CAM-HD", "HD webcam", "peripherals", 49.90, true},
		{6, "DRN-X1", "Prototype drone (unreleased)", "internal", 1499.00, false},
		{7, "EMP-100", "Employee voucher (100% off)", "internal", 0.01, false},
	}
	for _, o := range []struct{ owner, product, qty int }{{1, 1, 1}, {1, 3, 1}, {2, 4, 2}} {
		p, _ := s.product(o.product)
		s.nextOrder++
		s.orders[s.nextOrder] = &Order{
			ID: s.nextOrder, OwnerID: o.owner, ProductID: p.ID, Item: p.Name, Quantity: o.qty,
			UnitPrice: p.Price, Total: p.Price * float64(o.qty), Status: "shipped",
			ShippingAddress: s.users[o.owner].DisplayName + ", 1 Example Street, Springfield", CreatedAt: seedTime,
		}
	}
	s.seeded = len(s.users) + len(s.orders)
	return s
}
