package checks

import "testing"

func TestCORSPermissive(t *testing.T) {
	f := twin(t, corsPermissive{}, "cors", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
