package checks

import "testing"

func TestInventoryUndocumented(t *testing.T) {
	f := twin(t, inventoryUndocumented{}, "inventory", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
