package urlsecrets

import (
	"net/url"
	"strings"
	"testing"
)

func seedQueries() []string {
	q := url.QueryEscape
	return []string{
		"", "page=2&q=shoes", "access_token=abc", "q=" + q(testJWT), testJWT, "a&&b==c",
		"user%5Bpassword%5D=x", "%zz=%", "+=+", "key=" + q(testPEM), "db=" + q(testDBURL),
		"x=" + testAWS + "&y=" + testGitHub + "&z=" + testStripe, "token=&a",
	}
}

// FuzzRedact: Redact never panics, is idempotent, leaves a query without
// credentials untouched, and leaves none in what it returns.
func FuzzRedact(f *testing.F) {
	for _, s := range seedQueries() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := Redact(q)
		if again := Redact(out); again != out {
			t.Fatalf("Redact not idempotent: %q -> %q -> %q", q, out, again)
		}
		if _, found := scanQuery(q, credentialNames); !found && out != q {
			t.Fatalf("Redact(%q) = %q, but there is nothing to redact", q, out)
		}
		for _, pair := range strings.Split(out, "&") {
			k, v, _ := strings.Cut(pair, "=")
			var buf [256]byte
			if k != Redacted && SecretKind(decode(buf[:], k)) != "" {
				t.Fatalf("Redact(%q) = %q keeps a secret-shaped name", q, out)
			}
			if v != Redacted && v != "" && (SecretKind(decode(buf[:], v)) != "" || IsCredentialName(decode(buf[:], k))) {
				t.Fatalf("Redact(%q) = %q keeps a credential in %q", q, out, pair)
			}
		}
	})
}

// FuzzSecretKind: the shape checks never panic and agree with the path
// checks on JWTs and agk_ keys.
func FuzzSecretKind(f *testing.F) {
	for _, s := range []string{testJWT, unsignedJWT, testAPIKey, testAWS, testGoogle, testSG, testPEM, testDBURL, testHook, "a://b:c@d", "eyJ.a.b", "agk_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		kind := SecretKind(v)
		if tk := tokenKind(v); tk != "" && kind == "" {
			t.Fatalf("tokenKind(%q) = %q but SecretKind found nothing", v, tk)
		}
		_ = RedactPath(v)
		_ = IsCredentialName(v)
	})
}
