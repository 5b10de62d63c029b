package introspect

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

var answerSeeds = []string{
	`{"active":true,"sub":"alice","scope":"a b","exp":1893553445,"nbf":1,"token_type":"Bearer"}`,
	`{"active":true,"username":"bob","client_id":"c","exp":1893553445.25}`,
	`{"active":false}`,
	`{"active":true,"sub":null,"username":"x","ext":{"a":[1,{"b":null}]}}`,
	`{"active":"true"}`, `{"active":true,"active":false}`, `{"Active":true}`,
	`{"active":true,"sub":"a\u0000"}`, `{"active":true,"exp":-1}`, `{"active":true,"exp":1e400}`,
	`[]`, `{}`, `{"active":true} {}`, `{"active":true,"scope":"a\"b"}`, "", "null", `"x"`,
}

// FuzzParseAnswer: the response parser never panics, accepts only valid
// JSON objects, classifies every failure as ErrBadResponse, and what
// judge accepts is always a usable identity.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range answerSeeds {
		f.Add([]byte(s))
	}
	now := time.Unix(1800000000, 0)
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := parseAnswer(body)
		if err != nil {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		var m map[string]json.RawMessage // unknown members may not fit an any (1e700)
		if json.Unmarshal(body, &m) != nil {
			t.Fatalf("accepted a non-object %q", body)
		}
		if v := string(m["active"]); v != strconv.FormatBool(a.active) {
			t.Fatalf("active %v, encoding/json says %s", a.active, v)
		}
		p, until, err := judge(a, now)
		if err != nil {
			if unverified(err) {
				t.Fatalf("judge returned an availability error %v", err)
			}
			return
		}
		if !a.active || p.Subject == "" || len(p.Subject) > maxSubject || !printable(p.Subject) || p.Method != Method {
			t.Fatalf("accepted %+v from %q", p, body)
		}
		if !p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt) {
			t.Fatalf("accepted an expired token: %q", body)
		}
		if !until.Equal(p.ExpiresAt) {
			t.Fatalf("until %v, exp %v", until, p.ExpiresAt)
		}
		for _, s := range p.Scopes {
			if !isScopeToken(s) || strings.Contains(s, " ") {
				t.Fatalf("scope %q", s)
			}
		}
	})
}
