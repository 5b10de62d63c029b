package introspect

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/problem"
)

// TestSecretsNeverLeak: in every outcome, neither the token nor the
// client secret (in any encoding) appears in an error, a problem or the
// log, even when the endpoint echoes the request back.
func TestSecretsNeverLeak(t *testing.T) {
	const tok = "CanaryToken-5f2b9c.d41d8cd98f00b204e9800998ecf8427e"
	echo := func(status int, ctype string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			fmt.Fprintf(w, "%s %s %s", r.Header.Get("Authorization"), body, tok)
		}
	}
	scenarios := []struct {
		name  string
		setup func(e *env)
	}{
		{"active", func(e *env) { e.idp.set(tok, e.active("")) }},
		{"inactive", func(*env) {}},
		{"no identity", func(e *env) { e.idp.set(tok, `{"active":true}`) }},
		{"down", func(e *env) { e.idp.Close() }},
		{"slow", func(e *env) { e.idp.setDelay(time.Second) }},
		{"echo 500", func(e *env) { e.idp.override(echo(500, "text/plain")) }},
		{"echo 200 JSON", func(e *env) { e.idp.override(echo(200, "application/json")) }},
		{"echo 200 text", func(e *env) { e.idp.override(echo(200, "text/plain")) }},
		{"echo in a JSON string", func(e *env) {
			e.idp.override(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"active":true,"sub":"%s\u0000","exp":"%s"}`, tok, r.Header.Get("Authorization"))
			})
		}},
	}
	secrets := []string{
		tok, url.QueryEscape(tok), testSecret, url.QueryEscape(testSecret),
		basicAuth(testClientID, testSecret), strings.TrimPrefix(basicAuth(testClientID, testSecret), "Basic "),
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			e := newEnv(t, func(c *config.Introspection) { c.Timeout = config.Duration(100 * time.Millisecond) })
			sc.setup(e)
			var out strings.Builder
			_, err := e.auth(tok)
			if err != nil {
				var p *problem.Error
				if errors.As(err, &p) {
					fmt.Fprintf(&out, "%s %s %v %+v %#v\n", p.Detail, p.Title, p.Header, p.Cause, p.Cause)
				}
				fmt.Fprintf(&out, "%v %+v\n", err, err)
			}
			out.WriteString(e.logs.String())
			fmt.Fprintf(&out, "%+v %#v", e.a.Stats(), testConfig("https://x.test"))
			for _, s := range secrets {
				if strings.Contains(out.String(), s) {
					t.Fatalf("leaked %q in:\n%s", s, out.String())
				}
			}
		})
	}
}
