package scan

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl"
	cases := []struct{ in, secret string }{
		{"Authorization: Bearer " + jwt, jwt},
		{`{"password": "hunter2hunter2"}`, "hunter2hunter2"},
		{"GET /x?api_key=abcdef123456", "abcdef123456"},
		{"card 4111 1111 1111 1111", "4111 1111 1111 1111"},
		{"ssn 123-45-6789", "123-45-6789"},
		{"key agk_0123456789abcdefghijABCDEFGHIJ01abcdef", "agk_0123456789abcdefghijABCDEFGHIJ01abcdef"},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA"},
	}
	for _, c := range cases {
		got := Mask(c.in)
		if strings.Contains(got, c.secret) {
			t.Errorf("Mask(%q) = %q still holds the secret", c.in, got)
		}
		if got == "" {
			t.Errorf("Mask(%q) empty", c.in)
		}
	}
	if got := MaskHeader("X-API-Key", "agk_secretsecret"); strings.Contains(got, "secretsecret") {
		t.Errorf("header value not masked: %q", got)
	}
}
