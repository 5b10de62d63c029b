package checks

import "testing"

func TestDataExposure(t *testing.T) {
	f := twin(t, dataExposure{}, "exposure", opts{spec: shopSpec, login: true})
	t.Logf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
}

// Values that a gateway (or the API) has already masked are not exposure.
func TestDataExposureIgnoresMaskedValues(t *testing.T) {
	for body, want := range map[string]string{
		`{"password_hash":"[REDACTED]","api_key":"[REDACTED]"}`: "",
		`{"password":"********","secret":"****1234"}`:           "",
		`{"card":"****1111","ssn":"[REDACTED]"}`:                "",
		`{"password":"hunter22"}`:                               "password field",
		`{"api_key":"abcdef123456"}`:                            "secret field",
		`{"password":"xxxx-not-masked"}`:                        "password field",
	} {
		if what, _ := sensitive(body); what != want {
			t.Errorf("%s: %q, want %q", body, what, want)
		}
	}
}
