package redis_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/ratelimit"
	"github.com/apiguard/apiguard/internal/ratelimit/ratelimittest"
	rlredis "github.com/apiguard/apiguard/internal/ratelimit/redis"
	"github.com/apiguard/apiguard/internal/testutil/redistest"
)

// The same cases, with the same expected numbers, as the memory backend.
func TestRedisLimiter(t *testing.T) { ratelimittest.TestLimiter(t, factory(t)) }
func TestRedisQuota(t *testing.T)   { ratelimittest.TestQuota(t, factory(t)) }
func TestRedisStage(t *testing.T)   { ratelimittest.TestStage(t, factory(t)) }

// Keys vanish when they carry no information any more.
func TestRedisExpiry(t *testing.T) {
	srv := redistest.Start(t)
	c := newClient(t, srv)
	ctx := context.Background()
	b := rlredis.New(c, rlredis.WithPrefix("exp:"))
	lim := ratelimittest.MustLimit(t, 10, time.Minute, 3) // T = 6s
	for range 3 {
		if d, err := b.Allow(ctx, "k", lim); err != nil || !d.Allowed {
			t.Fatal(d, err)
		}
	}
	ttl, err := c.PTTL(ctx, "exp:rl:k").Result()
	if err != nil || ttl < 17*time.Second || ttl > 18*time.Second {
		t.Fatalf("TAT key PTTL %s %v, want ≈ the reset (18s)", ttl, err)
	}
	q, _ := ratelimit.NewQuota(config.Quota{Limit: 5, Per: "day"})
	w := q.Window(time.Now())
	if _, err := b.Take(ctx, "k", q.Limit, w); err != nil {
		t.Fatal(err)
	}
	exp, err := c.ExpireTime(ctx, "exp:q:k:"+w.Tag()).Result()
	if err != nil || exp != time.Duration(w.End.Unix()+3600)*time.Second {
		t.Fatalf("quota EXPIRETIME %s %v, want window end + 1h", exp, err)
	}
	// A short limit's key disappears on its own.
	short := ratelimittest.MustLimit(t, 1000, time.Second, 1) // T = 1ms
	if _, err := b.Allow(ctx, "short", short); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if n, _ := c.Exists(ctx, "exp:rl:short").Result(); n != 0 {
		t.Fatal("idle key did not expire")
	}
}

// Three replicas (three clients) on one Redis, hammering one key with the
// real Redis clock, admit no more than one gateway would: burst plus rate
// times the elapsed time, give or take one per replica.
func TestRedisReplicasShareOneBudget(t *testing.T) {
	srv := redistest.Start(t)
	const (
		replicas = 3
		workers  = 4 // per replica
		rate     = 200
		burst    = 20
		run      = 1500 * time.Millisecond
	)
	lim := ratelimittest.MustLimit(t, rate, time.Second, burst)
	backends := make([]*rlredis.Backend, replicas)
	for i := range backends {
		backends[i] = rlredis.New(newClient(t, srv), rlredis.WithPrefix("replicas:"), rlredis.WithTimeout(time.Second))
	}
	var admitted, denied, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(run)
	for _, b := range backends {
		for range workers {
			wg.Go(func() {
				for time.Now().Before(stop) {
					d, err := b.Allow(context.Background(), "shared", lim)
					switch {
					case err != nil:
						failed.Add(1)
					case d.Allowed:
						admitted.Add(1)
					default:
						denied.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	bound := burst + int64(rate*elapsed.Seconds()) + replicas
	low := burst + int64(rate*run.Seconds()*0.9)
	t.Logf("%d replicas × %d workers, %s: admitted %d, denied %d, failed %d; bound %d",
		replicas, workers, elapsed.Round(time.Millisecond), admitted.Load(), denied.Load(), failed.Load(), bound)
	if failed.Load() != 0 {
		t.Fatalf("%d decisions failed", failed.Load())
	}
	if admitted.Load() > bound {
		t.Fatalf("admitted %d > bound %d", admitted.Load(), bound)
	}
	if denied.Load() == 0 || admitted.Load() < low {
		t.Fatalf("load too light to test the bound: admitted %d (want ≥ %d), denied %d", admitted.Load(), low, denied.Load())
	}
}

// Redis dies: the backend errors, the stage answers 503 (or lets the
// request through with on_store_error: allow); Redis comes back on the
// same port: the same client recovers without being recreated.
func TestRedisDownAndBack(t *testing.T) {
	srv := redistest.Start(t)
	b := rlredis.New(newClient(t, srv), rlredis.WithPrefix("down:"))
	cfg := config.RateLimit{Rate: 100, Per: config.Duration(time.Second), Burst: 100, Key: "ip", OnStoreError: "deny"}
	closed, err := ratelimit.NewStage("orders", cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	cfg.OnStoreError = "allow"
	open, err := ratelimit.NewStage("orders", cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	x := ratelimittest.Exchange("192.0.2.1", nil)
	if got := ratelimittest.Check(t, closed, x); got.Status != 200 {
		t.Fatalf("before: %+v", got)
	}

	srv.Kill()
	start := time.Now()
	if _, err := b.Allow(context.Background(), "k", ratelimittest.MustLimit(t, 1, time.Second, 1)); err == nil {
		t.Fatal("no error with Redis down")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("an error took %s", d)
	}
	got := ratelimittest.Check(t, closed, x)
	if got.Status != 503 || got.Code != problem.CodeUnavailable || got.RetryAfter != "1" {
		t.Fatalf("deny while down: %+v", got)
	}
	if got := ratelimittest.Check(t, open, x); got.Status != 200 || got.RateLimit != "" || got.Policy != `"orders";q=100;w=1` {
		t.Fatalf("allow while down: %+v", got)
	}
	if closed.StoreErrors() != 1 || open.StoreErrors() != 1 {
		t.Fatalf("store errors %d/%d", closed.StoreErrors(), open.StoreErrors())
	}

	srv.Restart()
	restarted := time.Now()
	deadline := restarted.Add(10 * time.Second)
	for {
		got := ratelimittest.Check(t, closed, x)
		if got.Status == 200 {
			t.Logf("recovered %s after the restart (%d errors meanwhile)", time.Since(restarted).Round(time.Millisecond), closed.StoreErrors()-1)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not recovered 10s after the restart: %+v", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := ratelimittest.Check(t, closed, x); got.Status != 200 || !strings.HasPrefix(got.RateLimit, `"orders";r=`) {
		t.Fatalf("after recovery: %+v", got)
	}
}

// A server that lost its script cache (restart, SCRIPT FLUSH) is served
// with EVAL once, then EVALSHA again.
func TestRedisScriptFlush(t *testing.T) {
	srv := redistest.Start(t)
	c := newClient(t, srv)
	b := rlredis.New(c, rlredis.WithPrefix("flush:"))
	lim := ratelimittest.MustLimit(t, 10, time.Second, 5)
	ctx := context.Background()
	if _, err := b.Allow(ctx, "k", lim); err != nil {
		t.Fatal(err)
	}
	if err := c.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if d, err := b.Allow(ctx, "k", lim); err != nil || !d.Allowed || d.Remaining != 3 {
		t.Fatalf("after flush: %+v %v", d, err)
	}
}

// A server that accepts connections but never answers costs at most the
// decision timeout.
func TestRedisTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // read nothing, answer nothing
		}
	}()
	c, err := rlredis.NewClient("redis://" + l.Addr().String() + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := rlredis.New(c, rlredis.WithTimeout(150*time.Millisecond))
	start := time.Now()
	_, err = b.Allow(context.Background(), "k", ratelimittest.MustLimit(t, 1, time.Second, 1))
	if err == nil {
		t.Fatal("no error from a silent server")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %s with a 150ms timeout", d)
	}
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "timeout") {
		t.Logf("error: %v", err)
	}
}

func TestClientOptions(t *testing.T) {
	o, err := rlredis.ClientOptions("redis://:s3cret-pw@127.0.0.1:6379/2")
	if err != nil {
		t.Fatal(err)
	}
	if !o.DisableIdentity || !o.ContextTimeoutEnabled || o.DB != 2 || o.Password != "s3cret-pw" || o.MaxRetries != 1 {
		t.Fatalf("%+v", o)
	}
	if o.ReadTimeout != rlredis.DefaultIOTimeout || o.DialTimeout != rlredis.DefaultDialTimeout {
		t.Fatalf("timeouts %s %s", o.ReadTimeout, o.DialTimeout)
	}
	o, err = rlredis.ClientOptions("redis://127.0.0.1:6379/0?read_timeout=2s")
	if err != nil || o.ReadTimeout != 2*time.Second {
		t.Fatalf("URL timeout not kept: %v %v", o.ReadTimeout, err)
	}
	for _, bad := range []string{"http://:s3cret-pw@h/0", "redis://:s3cret-pw@h:xx/0", "redis://:s3cret-pw@h/zz", "redis://:s3cret pw@h\x7f/0"} {
		_, err := rlredis.ClientOptions(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error reveals the password: %v", err)
		}
	}
}

func TestRedisKeyQuota(t *testing.T) { ratelimittest.TestKeyQuota(t, factory(t)) }
