package checks

import "testing"

func TestRateLimitMissing(t *testing.T) {
	res := scanShop(t, newShop("no-ratelimit"), opts{spec: shopSpec, login: true}, ratelimitMissing{})
	if len(fired(res, "ratelimit.missing")) != 1 {
		t.Fatalf("no limit: %+v", res.Findings)
	}
	if res.Requests > 200 {
		t.Fatalf("sent %d requests", res.Requests)
	}
	res = scanShop(t, newShop("ratelimit"), opts{spec: shopSpec, login: true}, ratelimitMissing{})
	if len(fired(res, "ratelimit.missing")) != 0 {
		t.Fatalf("limited: %+v", res.Findings)
	}
	// It stops at the first 429: 30 admitted requests, then one 429.
	if res.Requests > 40 {
		t.Fatalf("did not stop at the first 429: %d requests", res.Requests)
	}
}

func TestRateLimitNeverExceedsBudget(t *testing.T) {
	res := scanShop(t, newShop("no-ratelimit"), opts{spec: shopSpec, login: true, budget: 60}, ratelimitMissing{})
	if res.Requests > 60 {
		t.Fatalf("sent %d > budget 60", res.Requests)
	}
}
