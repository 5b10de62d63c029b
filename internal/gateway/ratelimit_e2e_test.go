package gateway

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/authn/apikey"

	rlredis "github.com/apiguard/apiguard/internal/ratelimit/redis"
	"github.com/apiguard/apiguard/internal/testutil/redistest"
)

// limitedYAML adds a public route limited per client IP to 3 per minute.
func limitedYAML(y string) string {
	return y + "  - {name: limited, methods: [GET], path: /limited, upstream: app, rate_limit: {rate: 3, per: 1m, burst: 3, key: ip}}\n"
}

func TestRateLimitEndToEnd(t *testing.T) {
	e := newEnv(t, echo(), limitedYAML)
	for i := 0; i < 3; i++ {
		resp, body := e.do("GET", "/limited", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
		}
		if got := resp.Header.Get("RateLimit-Policy"); got != `"limited";q=3;w=60` {
			t.Fatalf("RateLimit-Policy = %q", got)
		}
		if got := resp.Header.Get("RateLimit"); !strings.HasPrefix(got, `"limited";r=`+string(rune('2'-i))+`;t=`) {
			t.Fatalf("request %d: RateLimit = %q", i, got)
		}
	}
	resp, body := e.do("GET", "/limited", nil)
	mustProblem(t, resp, body, 429, "rate-limited")
	if resp.Header.Get("Retry-After") == "" || !strings.HasPrefix(resp.Header.Get("RateLimit"), `"limited";r=0;`) {
		t.Fatalf("429 headers: %v", resp.Header)
	}
	// Another route keeps its own budget.
	if resp, _ := e.do("GET", "/v1/orders", nil); resp.StatusCode != 200 {
		t.Fatalf("unlimited route: %d", resp.StatusCode)
	}
}

// TestRateLimitSharedAcrossReplicas runs three gateways on one real Redis:
// together they admit no more than one gateway would.
func TestRateLimitSharedAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	client, err := rlredis.NewClient(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	shared := func(d *Deps) {
		// A generous decision timeout: this test is about the shared
		// budget, and a loaded CI machine must not turn slow decisions
		// into (correct, fail-closed) 503s that it would then miscount.
		b := rlredis.New(client, rlredis.WithTimeout(2*time.Second))
		d.Limiter, d.Quotas = b, b
		d.Probes = append(d.Probes, func(ctx context.Context) error { return client.Ping(ctx).Err() })
	}
	var replicas []*env
	for i := 0; i < 3; i++ {
		replicas = append(replicas, newEnvDeps(t, echo(), limitedYAML, shared))
	}
	var admitted, limited atomic.Int64
	var otherMu sync.Mutex
	var other []string
	var wg sync.WaitGroup
	for _, r := range replicas {
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 4; i++ {
					resp, err := r.client.Get(r.base + "/limited")
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					switch resp.StatusCode {
					case http.StatusOK:
						admitted.Add(1)
					case http.StatusTooManyRequests:
						limited.Add(1)
					default:
						otherMu.Lock()
						other = append(other, resp.Status+" "+resp.Header.Get("Content-Type"))
						otherMu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	// burst 3 at 3/min: within this short test one gateway admits 3, the
	// contract allows one more per replica.
	if a := admitted.Load(); a < 3 || a > 3+3 {
		t.Fatalf("admitted %d across replicas, limited %d", a, limited.Load())
	}
	if admitted.Load()+limited.Load() != 36 {
		t.Fatalf("unexpected statuses: admitted %d limited %d, others %v", admitted.Load(), limited.Load(), other)
	}

	// Redis down: the route fails closed with 503; back up: it recovers.
	srv.Kill()
	resp, body := replicas[0].do("GET", "/limited", nil)
	mustProblem(t, resp, body, 503, "unavailable")
	if m := replicas[0].metricsText(); !strings.Contains(m, `apiguard_store_errors_total{use="ratelimit"} 1`) {
		t.Fatalf("the store error is not counted:\n%s", grepLines(m, "store_errors"))
	}
	if r, err := http.Get("http://" + replicas[0].gw.Addr.Admin + "/readyz"); err != nil || r.StatusCode != 503 {
		t.Fatalf("readyz during the Redis outage: %v %v", r, err)
	} else {
		r.Body.Close()
	}
	srv.Restart()
	resp, body = replicas[0].do("GET", "/limited", nil)
	if resp.StatusCode != 429 && resp.StatusCode != 200 {
		t.Fatalf("after redis restart: %d %s", resp.StatusCode, body)
	}
}

// Every routed answer states the route's policy: a 401 (refused before
// the limit phase, nothing counted) carries RateLimit-Policy but no
// RateLimit; an admitted request carries both.
func TestRateLimitPolicyOnAnswersRefusedBeforeTheLimit(t *testing.T) {
	e := newEnv(t, echo(), func(y string) string {
		return apiKeyYAML(y) + "  - {name: k-limited, methods: [GET], path: /k/limited, upstream: app, auth: [api_key], rate_limit: {rate: 5, per: 1m, burst: 2, key: identity}}\n"
	})
	resp, body := e.do("GET", "/k/limited", nil)
	mustProblem(t, resp, body, 401, "unauthenticated")
	if got := resp.Header.Get("RateLimit-Policy"); got != `"k-limited";q=5;w=60` {
		t.Fatalf("401 RateLimit-Policy %q", got)
	}
	if got := resp.Header.Get("RateLimit"); got != "" {
		t.Fatalf("401 carries RateLimit %q though nothing was counted", got)
	}
	key := e.issueKey(apikey.Spec{Name: "r", Scopes: []string{"orders:read"}}, time.Now()).Key.Plaintext()
	resp, _ = e.do("GET", "/k/limited", nil, "X-API-Key", key)
	if resp.StatusCode != 200 || resp.Header.Get("RateLimit-Policy") != `"k-limited";q=5;w=60` || !strings.HasPrefix(resp.Header.Get("RateLimit"), `"k-limited";r=1;t=`) {
		t.Fatalf("admitted: %d policy %q limit %q", resp.StatusCode, resp.Header.Get("RateLimit-Policy"), resp.Header.Get("RateLimit"))
	}
}
