package checks

import "testing"

func TestInjectionSQL(t *testing.T) {
	f := twin(t, injectionSQL{}, "sql", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
