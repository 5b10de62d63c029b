package checks

import "testing"

func TestAuthMissing(t *testing.T) {
	f := twin(t, authMissing{}, "auth-missing", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
