package gateway

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/totp"
)

// apiKeyYAML adds the api_key identity, a store in the test directory and
// routes protected by keys.
func apiKeyYAML(y string) string {
	y = strings.Replace(y, "upstreams:\n", `store: sqlite:data/apiguard.db
identities:
  api_key: {header: X-API-Key}
upstreams:
`, 1)
	return y + `  - {name: k-read, methods: [GET], path: /k/orders, upstream: app, auth: [api_key], scopes: ['orders:read']}
  - {name: k-refund, methods: [POST], path: /k/refund, upstream: app, auth: [api_key], scopes: ['orders:refund'], step_up: {max_age: 5m}}
  - {name: k-fwd, methods: [GET], path: /k/fwd, upstream: app, auth: [api_key], forward_token: true}
`
}

func (e *env) issueKey(spec apikey.Spec, now time.Time) apikey.Issued {
	e.t.Helper()
	is, err := apikey.Issue(context.Background(), e.store, spec, now)
	if err != nil {
		e.t.Fatal(err)
	}
	return is
}

func TestAPIKeyEndToEnd(t *testing.T) {
	e := newEnv(t, echo(), apiKeyYAML)
	now := time.Now()
	good := e.issueKey(apikey.Spec{Name: "reader", Scopes: []string{"orders:read"}}, now).Key.Plaintext()
	expired := e.issueKey(apikey.Spec{Name: "old", Scopes: []string{"orders:read"}, TTL: time.Minute}, now.Add(-time.Hour)).Key.Plaintext()
	swap := byte('A')
	if good[len(good)-1] == 'A' {
		swap = 'B'
	}
	typo := good[:len(good)-1] + string(swap) // one wrong checksum character
	cases := []struct {
		name   string
		hdr    []string
		status int
		code   string
	}{
		{"valid header", []string{"X-API-Key", good}, 200, ""},
		{"valid Authorization ApiKey", []string{"Authorization", "ApiKey " + good}, 200, ""},
		{"no key", nil, 401, "unauthenticated"},
		{"checksum typo", []string{"X-API-Key", typo}, 401, "unauthenticated"},
		{"truncated", []string{"X-API-Key", good[:20]}, 401, "unauthenticated"},
		{"unknown but well-formed", []string{"X-API-Key", mustGenerate(t)}, 401, "unauthenticated"},
		{"expired", []string{"X-API-Key", expired}, 401, "unauthenticated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.do("GET", "/k/orders", nil, tc.hdr...)
			if tc.code == "" {
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d: %s", resp.StatusCode, body)
				}
				got := decodeEcho(t, body).Header
				if got.Get("X-API-Key") != "" || got.Get("Authorization") != "" {
					t.Fatalf("the key reached the upstream: %v", got)
				}
				if !strings.HasPrefix(got.Get("X-Apiguard-Subject"), "key:") || got.Get("X-Apiguard-Auth") != "api_key" {
					t.Fatalf("upstream identity: %v", got)
				}
				return
			}
			p := mustProblem(t, resp, body, tc.status, tc.code)
			if len(tc.hdr) > 0 && strings.Contains(p.Detail, tc.hdr[1]) {
				t.Fatal("the key was echoed in the error")
			}
		})
	}
	// Never forwarded, not even on a forward_token route.
	_, body := e.do("GET", "/k/fwd", nil, "Authorization", "ApiKey "+good)
	if decodeEcho(t, body).Header.Get("Authorization") != "" {
		t.Fatal("an API key in Authorization was forwarded on a forward_token route")
	}
	// Missing scope.
	resp, body := e.do("POST", "/k/refund", nil, "X-API-Key", good)
	mustProblem(t, resp, body, 403, "forbidden")

	// The plaintext key is in no file the gateway wrote.
	_ = filepath.WalkDir(e.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		if bytes.Contains(b, []byte(good)) {
			t.Errorf("plaintext key found in %s", path)
		}
		return nil
	})
	if strings.Contains(e.logText(), good) {
		t.Error("plaintext key found in the log")
	}
}

func mustGenerate(t *testing.T) string {
	k, err := apikey.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k.Plaintext()
}

// TestRevokedKeyStopsWithinOneSecond revokes through a second store
// handle, as `apiguard keys revoke` in another process would.
func TestRevokedKeyStopsWithinOneSecond(t *testing.T) {
	e := newEnv(t, echo(), apiKeyYAML)
	is := e.issueKey(apikey.Spec{Name: "r", Scopes: []string{"orders:read"}}, time.Now())
	if resp, _ := e.do("GET", "/k/orders", nil, "X-API-Key", is.Key.Plaintext()); resp.StatusCode != 200 {
		t.Fatalf("before revoke: %d", resp.StatusCode)
	}
	other := openStore(t, e)
	revokedAt := time.Now()
	if err := other.Keys().Revoke(context.Background(), is.Key.ID(), revokedAt); err != nil {
		t.Fatal(err)
	}
	for {
		resp, _ := e.do("GET", "/k/orders", nil, "X-API-Key", is.Key.Plaintext())
		if resp.StatusCode == 401 {
			break
		}
		if time.Since(revokedAt) > time.Second {
			t.Fatalf("revoked key still accepted after %v", time.Since(revokedAt))
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
}

func TestTOTPStepUp(t *testing.T) {
	e := newEnv(t, echo(), apiKeyYAML)
	is := e.issueKey(apikey.Spec{Name: "admin", Scopes: []string{"orders:refund"}, TOTP: true}, time.Now())
	plain := e.issueKey(apikey.Spec{Name: "no-totp", Scopes: []string{"orders:refund"}}, time.Now())
	key := is.Key.Plaintext()
	seed, err := e.store.TOTP().Seed(context.Background(), is.Key.ID())
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.Code(seed, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		hdr    []string
		status int
	}{
		{"no code", []string{"X-API-Key", key}, 401},
		{"wrong code", []string{"X-API-Key", key, "X-OTP", "000000"}, 401},
		{"key without totp", []string{"X-API-Key", plain.Key.Plaintext(), "X-OTP", code}, 401},
		{"valid code", []string{"X-API-Key", key, "X-OTP", code}, 200},
		{"replayed code", []string{"X-API-Key", key, "X-OTP", code}, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.do("POST", "/k/refund", nil, tc.hdr...)
			if tc.status == 200 {
				if resp.StatusCode != 200 {
					t.Fatalf("%d %s", resp.StatusCode, body)
				}
				if decodeEcho(t, body).Header.Get("X-Otp") != "" {
					t.Fatal("X-OTP forwarded upstream")
				}
				return
			}
			mustProblem(t, resp, body, 401, "step-up-required")
			if !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="insufficient_user_authentication"`) ||
				!strings.Contains(resp.Header.Get("WWW-Authenticate"), "max_age=300") {
				t.Fatalf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}
