package checks

import "testing"

func TestDataExposure(t *testing.T) {
	f := twin(t, dataExposure{}, "exposure", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
