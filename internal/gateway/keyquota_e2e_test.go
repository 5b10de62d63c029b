package gateway

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/store"
)

// keyQuotaYAML adds an API-key route with its own rate limit and quota to
// apiKeyYAML's routes (which have none).
func keyQuotaYAML(y string) string {
	return apiKeyYAML(y) + "  - {name: k-limited, methods: [GET], path: /k/limited, upstream: app, auth: [api_key], " +
		"rate_limit: {rate: 100, per: 1m, burst: 100}, quota: {limit: 1000, per: day}}\n"
}

// A key created with a quota of 2/day is limited by it across routes,
// also on routes without any rate limit; other keys are unaffected.
func TestKeyQuotaEndToEnd(t *testing.T) {
	e := newEnv(t, echo(), keyQuotaYAML)
	now := time.Now()
	capped := e.issueKey(apikey.Spec{Name: "capped", Scopes: []string{"orders:read"},
		Quota: store.Quota{Limit: 2, Per: "day"}}, now).Key.Plaintext()
	other := e.issueKey(apikey.Spec{Name: "other", Scopes: []string{"orders:read"},
		Quota: store.Quota{Limit: 2, Per: "day"}}, now).Key.Plaintext()
	plain := e.issueKey(apikey.Spec{Name: "plain", Scopes: []string{"orders:read"}}, now).Key.Plaintext()

	const pol = `"key-quota";q=2;w=86400`
	// Two different routes (one without rate_limit/quota, one with both)
	// draw on the same key quota.
	resp, body := e.do("GET", "/k/orders", nil, "X-API-Key", capped)
	if resp.StatusCode != 200 || resp.Header.Get("RateLimit-Policy") != pol ||
		!strings.HasPrefix(resp.Header.Get("RateLimit"), `"key-quota";r=1;t=`) {
		t.Fatalf("1st: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body = e.do("GET", "/k/limited", nil, "X-API-Key", capped)
	if resp.StatusCode != 200 ||
		resp.Header.Get("RateLimit-Policy") != `"k-limited";q=100;w=60, "k-limited-quota";q=1000;w=86400, `+pol ||
		!strings.Contains(resp.Header.Get("RateLimit"), `, "k-limited-quota";r=999;t=`) ||
		!strings.Contains(resp.Header.Get("RateLimit"), `, "key-quota";r=0;t=`) {
		t.Fatalf("2nd: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body = e.do("GET", "/k/orders", nil, "X-API-Key", capped)
	mustProblem(t, resp, body, 429, "rate-limited")
	midnight := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if want := int(time.Until(midnight).Seconds()); err != nil || ra < want-2 || ra > want+2 {
		t.Fatalf("Retry-After %q, want about %d", resp.Header.Get("Retry-After"), want)
	}
	if resp.Header.Get("RateLimit-Policy") != pol || resp.Header.Get("RateLimit") != `"key-quota";r=0;t=`+strconv.Itoa(ra) {
		t.Fatalf("429 headers: %v", resp.Header)
	}

	// Another key with the same quota, and a key without one.
	resp, _ = e.do("GET", "/k/orders", nil, "X-API-Key", other)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("RateLimit"), `"key-quota";r=1;`) {
		t.Fatalf("other key: %d %v", resp.StatusCode, resp.Header)
	}
	for range 3 {
		resp, _ = e.do("GET", "/k/orders", nil, "X-API-Key", plain)
		if resp.StatusCode != 200 || resp.Header.Get("RateLimit-Policy") != "" || resp.Header.Get("RateLimit") != "" {
			t.Fatalf("key without a quota: %d %v", resp.StatusCode, resp.Header)
		}
	}
}
