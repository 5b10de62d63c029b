package checks

import "testing"

func TestHeadersBanner(t *testing.T) {
	f := twin(t, headersBanner{}, "banner", opts{spec: shopSpec})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
