package checks

import "testing"

func TestJWTSignatureNotVerified(t *testing.T) {
	f := twin(t, jwtSignature{}, "sig-unverified", opts{spec: shopSpec})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
