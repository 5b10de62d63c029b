package checks

import "testing"

func TestInjectionXSS(t *testing.T) {
	f := twin(t, injectionXSS{}, "xss", opts{spec: shopSpec})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
