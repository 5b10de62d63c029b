package sqlite

import (
	"testing"

	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/store/storetest"
)

// Two handles on one database file are two replicas (or the gateway and
// the CLI).
func TestBlocksContract(t *testing.T) {
	storetest.Blocks(t, func(t *testing.T) (store.Store, store.Store) {
		d, path := openTemp(t)
		return d, openAt(t, path)
	})
}
