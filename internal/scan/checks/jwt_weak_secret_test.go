package checks

import "testing"

func TestJWTWeakSecret(t *testing.T) {
	f := twin(t, jwtWeakSecret{}, "weak-secret", opts{spec: shopSpec})
	if contains := "secret\""; len(f.Evidence) == 0 || containsStr(f.Evidence, contains) {
		t.Fatalf("the secret must be masked in evidence: %s", f.Evidence)
	}
}

func TestWeakSecretsList(t *testing.T) {
	l := weakSecrets()
	if len(l) < 100 || l[0] != "secret" {
		t.Fatalf("bundled list: %d entries, first %q", len(l), l[0])
	}
}
