package redis

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/store"
)

// request presents key in the X-API-Key header.
func request(key string) *pipeline.Exchange {
	r := httptest.NewRequest(http.MethodGet, "/v1/orders", nil)
	r.Header.Set("X-API-Key", key)
	return &pipeline.Exchange{In: r}
}

// A key revoked through one handle (the CLI) is refused by an
// authenticator on another handle (a replica) within a second.
func TestRevocationSeenByAnotherReplicaWithinOneSecond(t *testing.T) {
	c := newCluster(t)
	cli, replica := c.open(t), c.open(t)
	ctx := context.Background()
	iss, err := apikey.Issue(ctx, cli, apikey.Spec{Name: "ci", Scopes: []string{"orders:read"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a := apikey.New(replica, "", apikey.WithLogger(slog.New(slog.DiscardHandler)))
	t.Cleanup(func() { a.Close() })
	for range 3 { // a warm cache
		p, err := a.Authenticate(ctx, request(iss.Key.Plaintext()))
		if err != nil || p.KeyID != iss.Record.ID {
			t.Fatalf("before the revocation: %+v, %v", p, err)
		}
	}
	if err := cli.Keys().Revoke(ctx, iss.Record.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, time.Second, func() bool {
		_, err := a.Authenticate(ctx, request(iss.Key.Plaintext()))
		return errors.Is(err, store.ErrRevoked)
	})
	t.Logf("revocation seen by the other replica after %v", took.Round(time.Millisecond))
}

// A rotation with no grace through one handle is seen by another
// replica's authenticator within a second, and the successor works there.
func TestRotationSeenByAnotherReplica(t *testing.T) {
	c := newCluster(t)
	cli, replica := c.open(t), c.open(t)
	ctx := context.Background()
	iss, err := apikey.Issue(ctx, cli, apikey.Spec{Name: "ci"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a := apikey.New(replica, "", apikey.WithLogger(slog.New(slog.DiscardHandler)))
	t.Cleanup(func() { a.Close() })
	if _, err := a.Authenticate(ctx, request(iss.Key.Plaintext())); err != nil {
		t.Fatal(err)
	}
	next, err := apikey.Rotate(ctx, cli, iss.Record.ID, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, func() bool {
		_, err := a.Authenticate(ctx, request(iss.Key.Plaintext()))
		return errors.Is(err, store.ErrRotated)
	})
	if p, err := a.Authenticate(ctx, request(next.Key.Plaintext())); err != nil || p.KeyID != next.Record.ID {
		t.Fatalf("the successor: %+v, %v", p, err)
	}
}
