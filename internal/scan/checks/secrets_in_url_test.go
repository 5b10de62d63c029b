package checks

import "testing"

func TestSecretsInURL(t *testing.T) {
	f := twin(t, secretsInURL{}, "secret-in-url", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}
