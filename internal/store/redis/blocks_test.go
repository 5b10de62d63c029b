package redis

import (
	"context"
	"testing"

	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/store/storetest"
)

// Two clients on one server are two replicas.
func TestBlocksContract(t *testing.T) {
	storetest.Blocks(t, func(t *testing.T) (store.Store, store.Store) {
		c := newCluster(t)
		return c.open(t), c.open(t)
	})
}

// The blocks revision starts at a random value, so a server that lost
// its data does not repeat a revision a replica saw.
func TestBlocksRevisionStartsRandom(t *testing.T) {
	s, c := openTemp(t)
	b := storetest.T0
	if _, err := s.Blocks().Add(context.Background(), store.Block{Kind: store.BlockIP, Value: "192.0.2.1",
		Detector: "admin", Created: b, Until: b.Add(1e9)}); err != nil {
		t.Fatal(err)
	}
	r1, err := s.Blocks().Revision(context.Background())
	if err != nil || r1 <= 1 {
		t.Fatalf("revision %d, %v: want a random start", r1, err)
	}
	if n, err := c.client(t).Exists(context.Background(), "apiguard:blocks", "apiguard:blocks:until").Result(); err != nil || n != 2 {
		t.Fatalf("layout: %d keys, %v", n, err)
	}
}
