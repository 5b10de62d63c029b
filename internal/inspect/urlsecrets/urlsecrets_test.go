package urlsecrets

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

func TestIsCredentialName(t *testing.T) {
	for name, want := range map[string]bool{
		"access_token": true, "token": true, "id_token": true, "refresh_token": true,
		"api_key": true, "apikey": true, "api-key": true, "API_KEY": true, "apiKey": true,
		"key": true, "Key": true, "password": true, "passwd": true, "pwd": true, "secret": true,
		"client_secret": true, "session": true, "sessionid": true, "session_id": true,
		"jwt": true, "auth": true, "authorization": true, "auth_token": true, "x-api-key": true,
		"PHPSESSID": true, "JSESSIONID": true, "X-Amz-Security-Token": true,
		"user[password]": true, "auth[token]": true, "credentials": true,
		"signature": false, "sig": false, "X-Amz-Signature": false, "X-Amz-Credential": false,
		"code": false, "state": false, "page": false, "pageToken": false, "sort_key": false,
		"keyword": false, "tokens": false, "q": false, "": false, "[]": false,
		strings.Repeat("k", 100): false,
	} {
		if got := IsCredentialName(name); got != want {
			t.Errorf("IsCredentialName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestSecretKind(t *testing.T) {
	for v, want := range map[string]string{
		testJWT:             KindJWT,
		unsignedJWT:         KindJWT,
		"Bearer " + testJWT: KindJWT,
		testAPIKey:          KindAPIKey,
		testAPIKey[:36]:     KindAPIKey, // truncated
		testAWS:             KindAWS,
		testAWSTemp:         KindAWS,
		testAWS + "/20240101/us-east-1/s3/aws4_request": KindAWS,
		testGitHub:                  KindGitHub,
		testGHPAT:                   KindGitHub,
		testGitLab:                  KindGitLab,
		testSlack:                   KindSlack,
		testHook:                    KindSlack,
		testStripe:                  KindStripe,
		testRK:                      KindStripe,
		testGoogle:                  KindGoogle,
		testNPM:                     KindNPM,
		testSG:                      KindSendGrid,
		testOpenAI:                  KindOpenAI,
		testOldAI:                   KindOpenAI,
		testClaude:                  KindOpenAI,
		testPEM:                     KindPrivateKey,
		testDBURL:                   KindURLPass,
		"see " + testDBURL + " now": KindURLPass,

		"eyJ is how JSON starts in base64": "",
		"eyJhbGciOiJIUzI1NiJ9":             "", // one segment
		"agk_short":                        "",
		"AKIA12345":                        "",
		testAWS + "X":                      "", // too long: not an access key id
		"x" + testAWS:                      "", // not at a word boundary
		"pk" + "_live_" + strings.Repeat("4eC39H", 4): "", // publishable
		"sk_live_":                             "",
		"https://user@example.com/path":        "",
		"https://example.com/a:b@c":            "",
		"mailto:user@example.com":              "",
		"git@github.com:org/repo.git":          "",
		"ghp_ is a prefix":                     "",
		"-----BEGIN CERTIFICATE-----":          "",
		"550e8400-e29b-41d4-a716-446655440000": "",
		"The quick brown fox":                  "",
		"":                                     "",
	} {
		if got := SecretKind(v); got != want {
			t.Errorf("SecretKind(%.50q) = %q, want %q", v, got, want)
		}
	}
}

func check(t *testing.T, target string) error {
	t.Helper()
	x := &pipeline.Exchange{In: httptest.NewRequest(http.MethodGet, target, nil)}
	return NewStage().Check(context.Background(), x)
}

func TestStage(t *testing.T) {
	if NewStage().Name() != "secrets_in_url" {
		t.Error("name")
	}
	q := url.QueryEscape
	tests := []struct{ target, cause string }{
		{"/v1/orders?access_token=abc", `credential-named query parameter "access_token"`},
		{"/v1/orders?page=2&API-Key=abc", `credential-named query parameter "API-Key"`},
		{"/v1/orders?user%5Bpassword%5D=x", `credential-named query parameter "user[password]"`},
		{"/v1/orders?q=" + q(testJWT), `JWT in query parameter "q"`},
		{"/v1/orders?redirect=" + q("https://x.example/cb?t="+testJWT), `JWT in query parameter "redirect"`},
		{"/v1/orders?" + q(testJWT), `JWT in query parameter name #1`},
		{"/v1/orders?a=1&" + q(testAPIKey) + "=1", `API key (agk_) in query parameter name #2`},
		{"/v1/orders?filter=" + q(testAWS), `AWS access key in query parameter "filter"`},
		{"/v1/orders?X-Amz-Credential=" + q(testAWS+"/20240101/us-east-1/s3/aws4_request") + "&X-Amz-Signature=abc", `AWS access key in query parameter "X-Amz-Credential"`},
		{"/v1/orders?pem=" + q(testPEM), `private key in query parameter "pem"`},
		{"/v1/orders?db=" + q(testDBURL), `URL with a password in query parameter "db"`},
		{"/v1/orders/" + testJWT + "/items", `JWT in path segment 3`},
		{"/v1/keys/" + testAPIKey, `API key (agk_) in path segment 3`},
	}
	for _, tt := range tests {
		err := check(t, tt.target)
		var p *problem.Error
		if !errors.As(err, &p) {
			t.Errorf("%s: err = %v, want a denial", tt.target, err)
			continue
		}
		if p.Status != 400 || p.Code != problem.CodeSecretInURL || p.Detail != "credentials must not be sent in the URL" {
			t.Errorf("denial = %d %s %q", p.Status, p.Code, p.Detail)
		}
		if got := p.Cause.Error(); got != tt.cause {
			t.Errorf("%s: cause %q, want %q", tt.target, got, tt.cause)
		}
		for _, secret := range []string{testJWT, testAPIKey, testAWS, "hunter2", "abc"} {
			if strings.Contains(p.Cause.Error(), secret) || strings.Contains(p.Error(), secret) {
				t.Errorf("%s: the denial repeats the secret: %v", tt.target, p)
			}
		}
	}
	for _, target := range []string{
		"/v1/orders",
		"/v1/orders?page=2&sort=-created&q=select+the+best",
		"/v1/orders?token=",                           // nothing sent
		"/v1/orders?signature=abc123&expires=1700000", // signatures are not credentials
		"/v1/oauth/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz",
		"/v1/keys/" + testAWS, // provider keys name resources in paths
		"/v1/search?q=" + q("how do JWTs work? eyJ is the start"),
		"/v1/orders?pageToken=CAEQAA",
	} {
		if err := check(t, target); err != nil {
			t.Errorf("%s: %v", target, err)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "",
		"page=2&q=shoes":                  "page=2&q=shoes",
		"access_token=abc&page=2":         "access_token=[REDACTED]&page=2",
		"page=2&Password=hunter2":         "page=2&Password=[REDACTED]",
		"q=" + testJWT + "&x=1":           "q=[REDACTED]&x=1",
		testJWT:                           "[REDACTED]",
		testJWT + "=1&a=b":                "[REDACTED]=[REDACTED]&a=b",
		"token=&a=b":                      "token=&a=b",
		"a&&token=x&&b":                   "a&&token=[REDACTED]&&b",
		"key=" + url.QueryEscape(testPEM): "key=[REDACTED]",
		"user%5Bpassword%5D=x;y=1":        "user%5Bpassword%5D=[REDACTED]",
		"sig=abc&X-Amz-Security-Token=t":  "sig=abc&X-Amz-Security-Token=[REDACTED]",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%.60q) = %q, want %q", in, got, want)
		}
	}
	in := "page=2&q=shoes"
	if out := Redact(in); out != in {
		t.Error("Redact changed a clean query")
	}
	r := NewRedactor("card_number", "X-Internal")
	if got := r.Redact("card-number=4111&x_internal=1&token=a&q=b"); got != "card-number=[REDACTED]&x_internal=[REDACTED]&token=[REDACTED]&q=b" {
		t.Errorf("Redactor = %q", got)
	}
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/v1/orders/123":                   "/v1/orders/123",
		"/v1/orders/" + testJWT + "/items": "/v1/orders/[REDACTED]/items",
		"/v1/keys/" + testAPIKey:           "/v1/keys/[REDACTED]",
		"/" + testAWS + "/" + testJWT:      "/[REDACTED]/[REDACTED]",
		"":                                 "",
	} {
		if got := RedactPath(in); got != want {
			t.Errorf("RedactPath(%.60q) = %q, want %q", in, got, want)
		}
	}
}
