package audit

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

var contractNames = []string{"authorization", "cookie", "set-cookie", "x-api-key", "password", "token", "secret", "card_number"}

const (
	apiKey = "agk_k7Hq2xYzAbCdEfGhIjKlMnOpQrStUvWx1a2B3c"
	jwtTok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNlY3JldA"
)

func TestRedactorMatch(t *testing.T) {
	r := NewRedactor(contractNames)
	for name, want := range map[string]bool{
		"Authorization": true, "AUTHORIZATION": true, "Proxy-Authorization": true, "X-API-Key": true, "x-api-key": true,
		"password": true, "Password": true, "new_password": true, "passwordConfirm": true, "token": true,
		"access_token": true, "X-CSRF-Token": true, "refreshToken": true, "client_secret": true, "card_number": true,
		"cardNumber": true, "CARD_NUMBER": true, "Set-Cookie": true, "Cookie": true,
		"secretary": false, "tokens": false, "name": false, "Content-Type": false, "api_key": false, "card": false,
		"number": false, "X-Request-Id": false, "passwords": false,
	} {
		if got := r.Match(name); got != want {
			t.Errorf("Match(%q) = %v, want %v", name, got, want)
		}
	}
	if (*Redactor)(nil).Match("password") || NewRedactor(nil).Match("password") {
		t.Error("no names match nothing")
	}
}

func TestWords(t *testing.T) {
	for in, want := range map[string][]string{
		"X-API-Key": {"x", "api", "key"}, "APIKey": {"api", "key"}, "cardNumber": {"card", "number"},
		"access_token": {"access", "token"}, "v2Token": {"v2", "token"}, "--": nil, "ÉtéToken": {"été", "token"},
	} {
		if got := words(in); !reflect.DeepEqual(got, want) {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactHeaders(t *testing.T) {
	r := NewRedactor([]string{"x-api-key", "password"})
	h := http.Header{
		"Authorization":   {"Bearer " + jwtTok}, // listed or not: a credential header
		"Cookie":          {"session=abc123"},
		"X-Api-Key":       {apiKey},
		"X-Password-Hint": {"hunter2"},
		"X-Forwarded":     {"for=1.2.3.4"},
		"X-Custom-Auth":   {"Basic dXNlcjpwYXNz", "ok"},
		"X-Trace":         {"id " + apiKey + " end"},
		"Accept":          {"application/json"},
	}
	got := r.Header(h)
	want := map[string][]string{
		"Authorization": {Redacted}, "Cookie": {Redacted}, "X-Api-Key": {Redacted},
		"X-Password-Hint": {Redacted}, "X-Forwarded": {"for=1.2.3.4"},
		"X-Custom-Auth": {"Basic " + Redacted, "ok"}, "X-Trace": {"id " + Redacted + " end"},
		"Accept": {"application/json"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Header:\n%v\nwant\n%v", got, want)
	}
	if h.Get("Authorization") != "Bearer "+jwtTok {
		t.Fatal("the caller's header was modified")
	}
}

func TestRedactQuery(t *testing.T) {
	r := NewRedactor(contractNames)
	for in, want := range map[string]string{
		"":                                     "",
		"a=1&b=2":                              "a=1&b=2",
		"q=shoes&token=abc&page=2":             "q=shoes&token=" + Redacted + "&page=2",
		"Password=x&PASSWORD=y":                "Password=" + Redacted + "&PASSWORD=" + Redacted,
		"access_token=abc":                     "access_token=" + Redacted,
		"pass%77ord=x":                         "pass%77ord=" + Redacted, // percent-encoded name
		"k=" + apiKey:                          "k=" + Redacted,          // secret shape, unlisted name
		"k=agk%5Fk7Hq2xYzAbCdEfGhIjKlMnOpQrSt": "k=" + Redacted,          // encoded shape
		"jwt=" + jwtTok + "&x=1":               "jwt=" + Redacted + "&x=1",
		apiKey:                                 Redacted, // a bare key as a parameter name
		"token":                                "token",  // no value
		"a=1;token=2&b":                        "a=1;token=2&b",
		"card_number=4111111111111111&cvc=1":   "card_number=" + Redacted + "&cvc=1",
	} {
		if got := r.Query(in); got != want {
			t.Errorf("Query(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactJSONAtAnyDepth(t *testing.T) {
	r := NewRedactor(contractNames)
	in := `{"user":{"name":"alice","Password":"hunter2","cards":[{"card_number":"4111111111111111","exp":"12/30"}],
		"auth":{"token":{"nested":"object value"},"refresh_token":12345}},"items":[1,"` + apiKey + `",{"secret":null}],
		"note":"Bearer ` + jwtTok + `","` + apiKey + `":1}`
	got, err := r.JSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"[REDACTED]":"[REDACTED]","items":[1,"[REDACTED]",{"secret":"[REDACTED]"}],"note":"Bearer [REDACTED]",` +
		`"user":{"Password":"[REDACTED]","auth":{"refresh_token":"[REDACTED]","token":"[REDACTED]"},` +
		`"cards":[{"card_number":"[REDACTED]","exp":"12/30"}],"name":"alice"}}`
	if string(got) != want {
		t.Fatalf("JSON:\n%s\nwant\n%s", got, want)
	}
	if _, err := r.JSON([]byte(`{"password":"x"`)); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}

func TestMaskSecrets(t *testing.T) {
	for in, want := range map[string]string{
		"/v1/orders":                   "/v1/orders",
		"/keys/" + apiKey + "/x":       "/keys/" + Redacted + "/x",
		"agk_short":                    "agk_short",
		"agk_12345678":                 Redacted,
		jwtTok:                         Redacted,
		"a." + jwtTok + ".b":           "a." + Redacted,
		"eyJhbGciOiJub25lIn0.eyJ9.":    Redacted, // alg none, empty signature
		"eyJhbGciOiJub25lIn0":          "eyJhbGciOiJub25lIn0",
		"eyJ.x.y":                      "eyJ.x.y",
		"two " + apiKey + " " + apiKey: "two " + Redacted + " " + Redacted,
	} {
		if got := MaskSecrets(in); got != want {
			t.Errorf("MaskSecrets(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSecretNeverReachesTheFile submits records carrying secrets in every
// field a client controls and greps the file's bytes.
func TestSecretNeverReachesTheFile(t *testing.T) {
	path := tempFile(t)
	w := openT(t, Options{File: path, Redact: contractNames})
	secrets := []string{"hunter2-pw", "s3cr3t-cookie", "tok-abc-123", "4111111111111111", apiKey, jwtTok, "dXNlcjpwYXNz"}
	r := sample(1)
	r.Query = "q=1&password=hunter2-pw&api=" + apiKey
	r.Path = "/v1/orders/" + apiKey
	r.RequestID = jwtTok
	r.Method = apiKey
	r.Detail = "bad token " + jwtTok
	r.Findings = []string{"key in url: " + apiKey}
	r.Headers = http.Header{"Cookie": {"sid=s3cr3t-cookie"}, "Authorization": {"Basic dXNlcjpwYXNz"}, "X-Api-Key": {apiKey}}
	r.Body = json.RawMessage(`{"login":{"password":"hunter2-pw","token":"tok-abc-123"},"payment":{"card_number":4111111111111111}}`)
	alert := &Record{Type: TypeAlert, Detector: "auth-failures", Body: json.RawMessage(`not json password=hunter2-pw`),
		Identity: Identity{Subject: apiKey}}
	submitAll(t, w, r, alert)
	closeT(t, w)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("secret %q is in the audit file:\n%s", s, b)
		}
	}
	if !bytes.Contains(b, []byte(`"[REDACTED]"`)) || !strings.Contains(string(b), `"login":{"password":"[REDACTED]"`) {
		t.Fatalf("no [REDACTED] marker:\n%s", b)
	}
	mustVerify(t, 2, path)
}

// TestMaskSecretsIsLinear: adversarial input must not make the writer
// quadratic.
func TestMaskSecretsIsLinear(t *testing.T) {
	for _, s := range []string{strings.Repeat("eyJ", 200000), strings.Repeat("eyJ", 100000) + ".x", strings.Repeat("agk_1234567", 50000)} {
		start := time.Now()
		MaskSecrets(s)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("MaskSecrets took %v on %d bytes", d, len(s))
		}
	}
}
