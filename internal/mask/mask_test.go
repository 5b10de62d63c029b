package mask

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type maskCase struct {
	name     string
	kind     Kind
	in, want string // want "": unchanged
}

// maskCases are the table of what is masked and what is not. Every case
// is also checked for idempotency, JSON validity and streaming (see
// TestMask).
func maskCases(t testing.TB) []maskCase {
	pemKey := testPEM(t)
	pemJSON, _ := json.Marshal(pemKey)
	return []maskCase{
		// Cards.
		{"card json string", JSON, `{"pan":"4111111111111111"}`, `{"pan":"****1111"}`},
		{"card json number", JSON, `{"pan":4111111111111111}`, `{"pan":"****1111"}`},
		{"card json array", JSON, `[4111111111111111, 5500000000000004 ,1]`, `["****1111", "****0004" ,1]`},
		{"card grouped in text value", JSON, `{"note":"paid with 4111 1111 1111 1111, exp 12/27"}`, `{"note":"paid with ****1111, exp 12/27"}`},
		{"card dashes", JSON, `{"pan":"4111-1111-1111-1111"}`, `{"pan":"****1111"}`},
		{"card amex", JSON, `{"pan":"3782 822463 10005"}`, `{"pan":"****0005"}`},
		{"card after escape", JSON, `{"n":"line\n4111111111111111\tend"}`, `{"n":"line\n****1111\tend"}`},
		{"card after escaped quote", JSON, `{"n":"say \"4111111111111111\""}`, `{"n":"say \"****1111\""}`},
		{"card as key", JSON, `{"4111111111111111":1}`, `{"****1111":1}`},
		{"cards text", Text, "cards: 4111111111111111, 6011-1111-1111-1117; 5500 0000 0000 0004.", "cards: ****1111, ****1117; ****0004."},
		{"card then year", Text, "4111 1111 1111 1111 2027", "****1111 2027"},
		{"card pretty json", JSON, "{\n  \"pan\": 4111111111111111\n}", "{\n  \"pan\": \"****1111\"\n}"},

		{"card bad luhn", JSON, `{"pan":"4111111111111112","n":4111111111111112}`, ""},
		{"card negative number", JSON, `{"n":-4111111111111111}`, ""},
		{"card decimal", JSON, `{"n":0.4111111111111111,"m":4111111111111111.5,"e":4111111111111111e2}`, ""},
		{"timestamps", JSON, `{"ms":1700000000000,"ns":1700000000000000000,"at":"2026-01-15T10:20:30.123456789Z"}`, ""},
		{"phones", JSON, `{"us":"+1 555-123-4567","uk":"+44 20 7946 0958","de":"+49 1512 3456789","cn":"+86 138 0013 8000"}`, ""},
		{"order ids", JSON, `{"id":"ORD-0001234567","n":123456789012,"ref":"x4111111111111111","u":"id_4111111111111111"}`, ""},
		{"isbn", JSON, `{"isbn":"978-0-306-40615-7","isbn13":"9780306406157"}`, ""},
		{"uuid", JSON, `{"id":"123e4567-e89b-12d3-a456-426614174000","d":"12345678-1234-1234-1234-123456789012"}`, ""},
		{"already masked", JSON, `{"pan":"****1111","p":"**** **** **** 1111","q":"XXXX-XXXX-XXXX-1111"}`, ""},
		{"long digit run", Text, "41111111111111111111111 and 4111111111111111111111", ""},
		{"ipv4 and version", Text, "10.0.0.1 v4.111.1111.1111.1111", ""},

		// SSNs.
		{"ssn json", JSON, `{"ssn":"123-45-6789"}`, `{"ssn":"[REDACTED]"}`},
		{"ssn text", Text, "SSN 078-05-1120.", "SSN [REDACTED]."},
		{"ssn invalid ranges", JSON, `["000-12-3456","666-12-3456","900-12-3456","123-00-4567","123-45-0000"]`, ""},
		{"ssn lookalikes", JSON, `["123456789","123 45 6789","1-123-45-6789","123-45-6789-1","2026-01-15","555-123-4567"]`, ""},

		// Prefixed credentials.
		{"aws key id", JSON, `{"k":"` + fakeAWSKeyID + `"}`, `{"k":"[REDACTED]"}`},
		{"aws temporary key id", Text, "id=ASIA" + "ZZZZZZZZZZZZZZZZ&x", "id=[REDACTED]&x"},
		{"aws key id lookalikes", Text, "AKIA1234 akiaiosfodnn7example " + fakeAWSKeyID + "X x" + fakeAWSKeyID, ""},
		{"github", JSON, `{"t":"token ` + fakeGitHub + ` end"}`, `{"t":"token [REDACTED] end"}`},
		{"github kinds", Text, strings.Join([]string{"gho_", "ghu_", "ghs_", "ghr_"}, strings.Repeat("A", 36)+" ") + strings.Repeat("A", 36), "[REDACTED] [REDACTED] [REDACTED] [REDACTED]"},
		{"github pat", Text, "GITHUB_TOKEN=" + fakeGitHubPAT + "\n", "GITHUB_TOKEN=[REDACTED]\n"},
		{"github short", Text, "ghp_short and ghx_" + strings.Repeat("A", 36), ""},
		{"slack", JSON, `{"hook":"` + fakeSlack + `"}`, `{"hook":"[REDACTED]"}`},
		{"stripe", Text, "key: " + fakeStripe + ", rk_live_" + "abcdefghij0123", "key: [REDACTED], [REDACTED]"},
		{"stripe test key", Text, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", ""},
		{"google", JSON, `["` + fakeGoogle + `"]`, `["[REDACTED]"]`},
		{"apiguard key", JSON, `{"key":"` + fakeAPIKey + `"}`, `{"key":"[REDACTED]"}`},
		{"apiguard key truncated", Text, "agk_Ab3dEf6h…", "[REDACTED]…"},
		{"jwt", JSON, `{"t":"Bearer ` + fakeJWT + `"}`, `{"t":"Bearer [REDACTED]"}`},
		{"jwt text", Text, "Authorization: Bearer " + fakeJWT + "\r\n", "Authorization: Bearer [REDACTED]\r\n"},
		{"jwe five parts", Text, "eyJhbGciOiJkaXIifQ..iv_iv_iv.ciphertext.tag_tag end", "[REDACTED] end"},
		{"jwt lookalikes", JSON, `{"cursor":"eyJvZmZzZXQiOjEwMH0","two":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0","short":"eyJhbGc.x.y"}`, ""},
		{"pem", Text, "key:\n" + pemKey + "done", "key:\n[REDACTED]\ndone"},
		{"pem json", JSON, `{"key":` + string(pemJSON) + `,"n":1}`, `{"key":"[REDACTED]\n","n":1}`},
		{"pem public", Text, "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n", ""},
		{"pem certificate", Text, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", ""},
		{"pem encrypted legacy", Text, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123ABCD\n\nMIIEpAIBAAKC+/=\n-----END RSA PRIVATE KEY-----\nnext", "[REDACTED]\nnext"},
		{"aws secret text", Text, "aws_secret_access_key = " + fakeAWSSecret + "\nregion=x", "aws_secret_access_key = [REDACTED]\nregion=x"},
		{"aws secret env", Text, "export AWS_SECRET_ACCESS_KEY=\"" + fakeAWSSecret + "\"", "export AWS_SECRET_ACCESS_KEY=\"[REDACTED]\""},
		{"aws secret camel", Text, "SecretAccessKey: " + fakeAWSSecret, "SecretAccessKey: [REDACTED]"},
		{"aws secret short key", Text, "AWS_SECRET_KEY=" + fakeAWSSecret, "AWS_SECRET_KEY=[REDACTED]"},
		{"aws secret in json string", JSON, `{"env":"AWS_SECRET_ACCESS_KEY=` + fakeAWSSecret + `"}`, `{"env":"AWS_SECRET_ACCESS_KEY=[REDACTED]"}`},
		{"aws secret escaped quotes", JSON, `{"env":"{\"AWS_SECRET_ACCESS_KEY\": \"` + fakeAWSSecret + `\"}"}`, `{"env":"{\"AWS_SECRET_ACCESS_KEY\": \"[REDACTED]\"}"}`},
		{"pem json twice", JSON, `{"event":` + jsonString(`{"key":`+string(pemJSON)+`}`) + `}`, `{"event":"{\"key\":\"[REDACTED]\\n\"}"}`},
		{"aws secret lookalikes", Text, "secret_key=" + fakeAWSSecret + " aws_secret_access_key=" + fakeAWSSecret + "X", ""},

		// Credential-named JSON fields.
		{"fields", JSON, `{"password":"hunter2","db_password":"x","newPassword":"y","passwd":"z","pwd":"p","passphrase":"q"}`,
			`{"password":"[REDACTED]","db_password":"[REDACTED]","newPassword":"[REDACTED]","passwd":"[REDACTED]","pwd":"[REDACTED]","passphrase":"[REDACTED]"}`},
		{"fields 2", JSON, `{"client_secret":"s","secret":"s","api_key":"k","apiKey":"k","X-Api-Key":"k","private_key":"k","secretKey":"k"}`,
			`{"client_secret":"[REDACTED]","secret":"[REDACTED]","api_key":"[REDACTED]","apiKey":"[REDACTED]","X-Api-Key":"[REDACTED]","private_key":"[REDACTED]","secretKey":"[REDACTED]"}`},
		{"fields 3", JSON, `{"access_token":"a","refreshToken":"r","id_token":"i","token":"t","Authorization":"Basic dXNlcjpwYXNz","Set-Cookie":"sid=1","password_hash":"$2b$12$abc"}`,
			`{"access_token":"[REDACTED]","refreshToken":"[REDACTED]","id_token":"[REDACTED]","token":"[REDACTED]","Authorization":"[REDACTED]","Set-Cookie":"[REDACTED]","password_hash":"[REDACTED]"}`},
		{"field escapes", JSON, `{"password":"a\"b\\\\\"c\\","next":"ok"}`, `{"password":"[REDACTED]","next":"ok"}`},
		{"field whitespace", JSON, "{\"password\" :\n\t \"x\" ,\"a\":1}", "{\"password\" :\n\t \"[REDACTED]\" ,\"a\":1}"},
		{"field nested", JSON, `{"user":{"name":"bob","credentials":{"password":"x"}},"list":[{"token":"a"},{"token":"b"}]}`,
			`{"user":{"name":"bob","credentials":{"password":"[REDACTED]"}},"list":[{"token":"[REDACTED]"},{"token":"[REDACTED]"}]}`},
		{"field long name", JSON, `{"` + strings.Repeat("very_long_", 10) + `password":"x"}`, `{"` + strings.Repeat("very_long_", 10) + `password":"[REDACTED]"}`},
		{"fields not credentials", JSON, `{"token_type":"Bearer","csrf_token":"c","next_page_token":"n","nextPageToken":"n","key":"name","private_key_id":"kid","password_policy":"strong","secret_question":"pet"}`, ""},
		{"field non-string values", JSON, `{"password":null,"token":123,"secret":true,"api_key":"","credentials":{"user":"u"},"password_set":false}`, ""},
		{"field name in a value", JSON, `{"note":"\"password\":\"x\"","q":"password: x"}`, ""},
		{"field name as value", JSON, `["password", ":x"]`, ""},
		{"field text", Text, `{"password":"hunter2"}`, ""},

		// Mixed, and nothing.
		{"mixed", JSON, `{"user":{"ssn":"123-45-6789","cards":[{"pan":"4111111111111111"}]},"token":"` + fakeJWT + `","aws":"` + fakeAWSKeyID + `"}`,
			`{"user":{"ssn":"[REDACTED]","cards":[{"pan":"****1111"}]},"token":"[REDACTED]","aws":"[REDACTED]"}`},
		{"unicode", JSON, `{"name":"Zoë 日本 ☃","n":"4111111111111111 ✓"}`, `{"name":"Zoë 日本 ☃","n":"****1111 ✓"}`},
		{"empty object", JSON, `{}`, ""},
		{"html", Text, "<td>4111111111111111</td><td>" + fakeGitHub + "</td>", "<td>****1111</td><td>[REDACTED]</td>"},
	}
}

func TestMask(t *testing.T) {
	f := allClasses(t)
	for _, c := range maskCases(t) {
		t.Run(c.name, func(t *testing.T) {
			want := c.want
			if want == "" {
				want = c.in
			}
			got := string(f.Mask([]byte(c.in), c.kind))
			if got != want {
				t.Fatalf("mask\n in: %s\ngot: %s\nwant %s", c.in, got, want)
			}
			if again := string(f.Mask([]byte(got), c.kind)); again != got {
				t.Fatalf("not idempotent:\n%s\n%s", got, again)
			}
			if c.kind == JSON {
				if !json.Valid([]byte(c.in)) {
					t.Fatalf("test input is not JSON: %s", c.in)
				}
				if !json.Valid([]byte(got)) {
					t.Fatalf("masked JSON is not valid: %s", got)
				}
			}
			doc := []byte(pad + c.in + pad)
			for name, r := range readers(doc, 1) {
				if got := string(streamed(t, f, r, c.kind)); got != pad+want+pad {
					t.Fatalf("streamed (%s reads):\n%q\nwant\n%q", name, strings.TrimSpace(got), want)
				}
			}
		})
	}
}

// TestClasses: each class masks only its own data.
func TestClasses(t *testing.T) {
	in := []byte(`{"pan":"4111111111111111","ssn":"123-45-6789","password":"x","jwt":"` + fakeJWT + `"}`)
	for _, c := range []struct {
		classes []string
		want    string
	}{
		{[]string{"pan"}, `{"pan":"****1111","ssn":"123-45-6789","password":"x","jwt":"` + fakeJWT + `"}`},
		{[]string{"ssn"}, `{"pan":"4111111111111111","ssn":"[REDACTED]","password":"x","jwt":"` + fakeJWT + `"}`},
		{[]string{"secrets"}, `{"pan":"4111111111111111","ssn":"123-45-6789","password":"[REDACTED]","jwt":"[REDACTED]"}`},
		{[]string{" PAN ", "ssn"}, `{"pan":"****1111","ssn":"[REDACTED]","password":"x","jwt":"` + fakeJWT + `"}`},
		{nil, string(in)},
	} {
		f, err := New(c.classes)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(f.Mask(in, JSON)); got != c.want {
			t.Errorf("%v:\n got %s\nwant %s", c.classes, got, c.want)
		}
	}
	if _, err := New([]string{"pan", "iban"}); err == nil {
		t.Fatal("an unknown class must be refused")
	}
}

// TestLongSecrets: secrets longer than the Window are masked whole, by a
// skip state, whole or streamed.
func TestLongSecrets(t *testing.T) {
	f := allClasses(t)
	bigPayload := "eyJ" + strings.Repeat("QUFB", 3*Window/4)
	cases := []struct {
		name, in, want string
		kind           Kind
	}{
		{"jwt payload beyond the window", "t=" + fakeJWT[:37] + bigPayload + ".sig_sig&x=1", "t=[REDACTED]&x=1", Text},
		{"jwt header at the limit", "eyJ" + strings.Repeat("a", maxJWTHeader-3) + ".e30.sig !", "[REDACTED] !", Text},
		{"jwt header too long", "eyJ" + strings.Repeat("a", maxJWTHeader-2) + ".e30.sig", "", Text},
		{"pem beyond the window", "<" + bigPEM(3*Window) + ">", "<[REDACTED]\n>", Text},
		{"pem beyond the window json", `{"k":` + jsonString(bigPEM(3*Window)) + `}`, `{"k":"[REDACTED]\n"}`, JSON},
		{"token beyond the window", "agk_" + strings.Repeat("x", 2*Window) + " !", "[REDACTED] !", Text},
		{"field beyond the window", `{"password":"` + strings.Repeat(`a\"\\`, Window) + `","n":4111111111111111}`, `{"password":"[REDACTED]","n":"****1111"}`, JSON},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := c.want
			if want == "" {
				want = c.in
			}
			if got := string(f.Mask([]byte(c.in), c.kind)); got != want {
				t.Fatalf("got %.200q…, want %.200q…", got, want)
			}
			for name, r := range readers([]byte(pad+c.in), 2) {
				if name == "1 byte" && len(c.in) > 4*Window {
					continue // slow under -race, and 7 bytes covers it
				}
				if got := string(streamed(t, f, r, c.kind)); got != pad+want {
					t.Fatalf("streamed (%s): got %.200q…", name, strings.TrimSpace(got))
				}
			}
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestEverySplit feeds a document in two reads split at every offset
// around its secrets: the output never depends on where reads end.
func TestEverySplit(t *testing.T) {
	f := allClasses(t)
	body := fmt.Sprintf(`{"a":"%s","b":4111111111111111,"c":"123-45-6789","d":"%s","password":"hunter2","e":"%s"}`, fakeJWT, fakeGitHub, fakeAWSKeyID)
	doc := []byte(pad + body + pad)
	want := string(f.Mask(doc, JSON))
	if !strings.Contains(want, `"b":"****1111"`) || strings.Contains(want, "hunter2") {
		t.Fatalf("not masked: %s", strings.TrimSpace(want))
	}
	for k := Window - 50; k < len(pad)+len(body)+Window+60; k++ {
		if k > len(pad)+len(body)+60 && k < Window+len(pad)-60 {
			k = Window + len(pad) - 60 // the second region: where the window's end meets the secrets
		}
		step := 0
		r := &chunkReader{doc, func() int {
			step++
			if step == 1 {
				return k
			}
			return len(doc)
		}}
		if got := string(streamed(t, f, r, JSON)); got != want {
			t.Fatalf("split at %d: %s", k, strings.TrimSpace(got))
		}
	}
}

func TestSegments(t *testing.T) {
	f := allClasses(t)
	nd := "{\"a\":4111111111111111}\n{\"password\":\"x\"}\n{\"b\":\"" + fakeGitHub + "\"}\n"
	if got := string(f.Mask([]byte(nd), NDJSON)); got != "{\"a\":\"****1111\"}\n{\"password\":\"[REDACTED]\"}\n{\"b\":\"[REDACTED]\"}\n" {
		t.Fatalf("ndjson: %s", got)
	}
	// A line is masked on its own: an unterminated string does not run on.
	if got := string(f.Mask([]byte("{\"a\":\"x\n4111111111111111\n"), NDJSON)); got != "{\"a\":\"x\n\"****1111\"\n" {
		t.Fatalf("ndjson reset: %q", got)
	}
	sse := "event: pay\ndata: {\"pan\":\"4111111111111111\"}\n\ndata: " + fakeJWT + "\r\n\r\ndata: x\n"
	if got := string(f.Mask([]byte(sse), EventStream)); got != "event: pay\ndata: {\"pan\":\"****1111\"}\n\ndata: [REDACTED]\r\n\r\ndata: x\n" {
		t.Fatalf("sse: %q", got)
	}
	for name, r := range readers([]byte(pad+nd+pad+sse), 3) {
		want := string(f.Mask([]byte(pad+nd+pad+sse), NDJSON))
		if got := string(streamed(t, f, r, NDJSON)); got != want {
			t.Fatalf("%s: %q", name, got)
		}
	}
}
