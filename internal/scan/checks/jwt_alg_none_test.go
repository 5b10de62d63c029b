package checks

import "testing"

func TestJWTAlgNone(t *testing.T) {
	f := twin(t, jwtAlgNone{}, "alg-none", opts{spec: shopSpec})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
