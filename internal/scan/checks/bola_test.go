package checks

import "testing"

func TestBOLA(t *testing.T) {
	f := twin(t, bolaSuspected{}, "bola", opts{spec: shopSpec, login: true, authB: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
