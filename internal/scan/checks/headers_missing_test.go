package checks

import "testing"

func TestHeadersMissing(t *testing.T) {
	f := twin(t, headersMissing{}, "headers", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
