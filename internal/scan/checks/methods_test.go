package checks

import "testing"

func TestMethodsUnexpected(t *testing.T) {
	f := twin(t, methodsUnexpected{}, "methods", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
