package checks

import "testing"

func TestErrorsVerbose(t *testing.T) {
	f := twin(t, errorsVerbose{}, "verbose", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
