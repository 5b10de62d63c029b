package checks

import "testing"

func TestMassAssignment(t *testing.T) {
	f := twin(t, massAssignment{}, "mass-assignment", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
