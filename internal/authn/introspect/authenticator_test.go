package introspect

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

func TestActiveToken(t *testing.T) {
	e := newEnv(t, nil)
	e.idp.set("opaque-token.1~+/=", e.active(""))
	p, err := e.auth("opaque-token.1~+/=")
	if err != nil {
		t.Fatal(err)
	}
	want := &pipeline.Principal{
		Subject: "alice", Method: Method, Scopes: []string{"orders:read", "orders:write"},
		ExpiresAt: e.clock.now().Add(time.Hour),
	}
	if p.Subject != want.Subject || p.Method != want.Method || !slices.Equal(p.Scopes, want.Scopes) || !p.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("got %+v, want %+v", p, want)
	}
	if p.Method != e.a.Method() {
		t.Fatal("Principal.Method differs from Method()")
	}
	if e.idp.badCalls.Load() != 0 || e.idp.hits.Load() != 1 {
		t.Fatalf("hits %d, bad %d", e.idp.hits.Load(), e.idp.badCalls.Load())
	}
	// The caller's copy is its own: changing it does not change the cache.
	p.Scopes[0], p.Subject = "admin", "mallory"
	p2, err := e.auth("opaque-token.1~+/=")
	if err != nil || p2.Subject != "alice" || p2.Scopes[0] != "orders:read" {
		t.Fatalf("cached principal changed: %+v %v", p2, err)
	}
}

// TestAnswers judges well-formed and malformed answers: refusals are 401
// invalid_token, answers that cannot be trusted are 503.
func TestAnswers(t *testing.T) {
	e := newEnv(t, func(c *config.Introspection) { c.CacheTTL = 0 })
	now := e.clock.now().Unix()
	past, future := itoa(now-1), itoa(now+3600)
	for _, tc := range []struct {
		name    string
		answer  string
		subject string   // accepted with this subject
		scopes  []string // and these scopes
		status  int      // else refused with this status
		reason  error
	}{
		{"sub", `{"active":true,"sub":"alice"}`, "alice", nil, 0, nil},
		{"username without sub", `{"active":true,"username":"bob","client_id":"c1"}`, "bob", nil, 0, nil},
		{"client_id alone", `{"active":true,"client_id":"svc-1","scope":"a"}`, "svc-1", []string{"a"}, 0, nil},
		{"empty sub falls back", `{"active":true,"sub":"","username":"bob"}`, "bob", nil, 0, nil},
		{"null members are absent", `{"active":true,"sub":null,"username":"bob","exp":null,"nbf":null,"scope":null}`, "bob", nil, 0, nil},
		{"scopes with extra spaces", `{"active":true,"sub":"a","scope":" x  y "}`, "a", []string{"x", "y"}, 0, nil},
		{"unknown members ignored", `{"active":true,"sub":"a","ext":{"deep":[1,2,{"x":null}]},"aud":"other"}`, "a", nil, 0, nil},
		{"exp future", `{"active":true,"sub":"a","exp":` + future + `}`, "a", nil, 0, nil},
		{"fractional exp", `{"active":true,"sub":"a","exp":` + future + `.5}`, "a", nil, 0, nil},
		{"nbf within leeway", `{"active":true,"sub":"a","nbf":` + itoa(now+20) + `}`, "a", nil, 0, nil},
		{"access token type", `{"active":true,"sub":"a","token_type":"Bearer"}`, "a", nil, 0, nil},

		{"inactive", `{"active":false}`, "", nil, 401, ErrInactive},
		{"inactive with claims", `{"active":false,"sub":"alice","exp":` + future + `}`, "", nil, 401, ErrInactive},
		{"exp past", `{"active":true,"sub":"a","exp":` + past + `}`, "", nil, 401, ErrExpired},
		{"exp now", `{"active":true,"sub":"a","exp":` + itoa(now) + `}`, "", nil, 401, ErrExpired},
		{"exp zero", `{"active":true,"sub":"a","exp":0}`, "", nil, 401, ErrExpired},
		{"nbf future", `{"active":true,"sub":"a","nbf":` + itoa(now+60) + `}`, "", nil, 401, ErrNotYetValid},
		{"refresh token", `{"active":true,"sub":"a","token_type":"Refresh_Token"}`, "", nil, 401, ErrTokenType},
		{"no identity", `{"active":true,"scope":"a"}`, "", nil, 401, ErrNoIdentity},
		{"control character in sub", `{"active":true,"sub":"alice\r\nX-Apiguard-Subject: admin"}`, "", nil, 401, ErrInvalidClaim},
		{"invalid UTF-8 in sub", "{\"active\":true,\"sub\":\"al\xffice\"}", "", nil, 401, ErrInvalidClaim},
		{"sub too long", `{"active":true,"sub":"` + strings.Repeat("a", 1025) + `"}`, "", nil, 401, ErrInvalidClaim},
		{"bad scope token", `{"active":true,"sub":"a","scope":"ok b\"ad"}`, "", nil, 401, ErrInvalidClaim},
		{"too many scopes", `{"active":true,"sub":"a","scope":"` + strings.Repeat("s ", 257) + `"}`, "", nil, 401, ErrInvalidClaim},

		{"active as string", `{"active":"true","sub":"a"}`, "", nil, 503, ErrBadResponse},
		{"active null", `{"active":null,"sub":"a"}`, "", nil, 503, ErrBadResponse},
		{"active missing", `{"sub":"a"}`, "", nil, 503, ErrBadResponse},
		{"active in other case only", `{"Active":true,"sub":"a"}`, "", nil, 503, ErrBadResponse},
		{"active repeated", `{"active":false,"active":true,"sub":"a"}`, "", nil, 503, ErrBadResponse},
		{"sub repeated", `{"active":true,"sub":"a","sub":"admin"}`, "", nil, 503, ErrBadResponse},
		{"sub a number", `{"active":true,"sub":42}`, "", nil, 503, ErrBadResponse},
		{"scope an array", `{"active":true,"sub":"a","scope":["x"]}`, "", nil, 503, ErrBadResponse},
		{"exp a string", `{"active":true,"sub":"a","exp":"tomorrow"}`, "", nil, 503, ErrBadResponse},
		{"exp negative", `{"active":true,"sub":"a","exp":-1}`, "", nil, 503, ErrBadResponse},
		{"exp huge", `{"active":true,"sub":"a","exp":1e300}`, "", nil, 503, ErrBadResponse},
		{"array", `[{"active":true,"sub":"a"}]`, "", nil, 503, ErrBadResponse},
		{"two objects", `{"active":true,"sub":"a"}{"active":false}`, "", nil, 503, ErrBadResponse},
		{"trailing garbage", `{"active":true,"sub":"a"} x`, "", nil, 503, ErrBadResponse},
		{"truncated", `{"active":true,"sub":"a"`, "", nil, 503, ErrBadResponse},
		{"empty", ``, "", nil, 503, ErrBadResponse},
		{"not JSON", `active=true`, "", nil, 503, ErrBadResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := "tok-" + strings.ReplaceAll(tc.name, " ", "-")
			e.idp.set(tok, tc.answer)
			p, err := e.auth(tok)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if p.Subject != tc.subject || !slices.Equal(p.Scopes, tc.scopes) || p.Method != Method {
					t.Fatalf("got %+v", p)
				}
				return
			}
			pe := wantProblem(t, err, tc.status, tc.reason)
			if tc.status == 401 {
				if got := pe.Header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
					t.Fatalf("WWW-Authenticate %q", got)
				}
				wantDetail := detailInvalid
				if errors.Is(tc.reason, ErrExpired) {
					wantDetail = detailExpired
				}
				if pe.Detail != wantDetail {
					t.Fatalf("detail %q", pe.Detail)
				}
			} else if pe.Code != problem.CodeUnavailable || pe.Detail != detailUnavailable {
				t.Fatalf("problem %+v", pe)
			}
		})
	}
}

// TestFailClosed: every way the endpoint can fail is a 503, never an
// admission, and is not cached.
func TestFailClosed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(e *env)
	}{
		{"server down", func(e *env) { e.idp.Close() }},
		{"slow", func(e *env) { e.idp.setDelay(time.Second) }},
		{"500", func(e *env) {
			e.idp.override(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(500)
				_, _ = io.WriteString(w, `{"active":true,"sub":"a"}`)
			})
		}},
		{"401 for our credentials", func(e *env) {
			e.idp.override(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", 401) })
		}},
		{"redirect", func(e *env) {
			e.idp.override(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/elsewhere" {
					t.Error("a redirect was followed")
				}
				http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
			})
		}},
		{"garbage JSON", func(e *env) {
			e.idp.override(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"active":tru`)
			})
		}},
		{"HTML", func(e *env) {
			e.idp.override(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = io.WriteString(w, `{"active":true,"sub":"a"}`)
			})
		}},
		{"huge response", func(e *env) {
			e.idp.override(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"active":true,"sub":"a","pad":"`+strings.Repeat("x", 1<<20)+`"}`)
			})
		}},
		{"body cut short", func(e *env) {
			e.idp.override(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", "100")
				_, _ = io.WriteString(w, `{"active":true,"sub":"a"}`)
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *config.Introspection) { c.Timeout = config.Duration(200 * time.Millisecond) })
			e.idp.set("tok", e.active(""))
			tc.setup(e)
			for i := range 2 {
				start := time.Now()
				_, err := e.auth("tok")
				if d := time.Since(start); d > time.Second {
					t.Fatalf("took %v with a 200ms timeout", d)
				}
				pe := wantProblem(t, err, 503, nil)
				if !errors.Is(pe.Cause, ErrUnavailable) && !errors.Is(pe.Cause, ErrBadResponse) {
					t.Fatalf("cause %v", pe.Cause)
				}
				if pe.Header.Get("Retry-After") == "" {
					t.Fatal("no Retry-After")
				}
				if st := e.a.Stats(); st.Calls != uint64(i+1) || st.Failures != uint64(i+1) {
					t.Fatalf("failure cached? %+v", st)
				}
			}
			if e.a.pos.len()+e.a.neg.len() != 0 {
				t.Fatal("a failure was cached")
			}
			if !strings.Contains(e.logs.String(), "token introspection failed") {
				t.Fatalf("failure not logged: %s", e.logs.String())
			}
		})
	}
}

// TestNotOurs: tokens of other methods are never sent to the endpoint;
// tokens of ours refused from their shape are not either.
func TestNotOurs(t *testing.T) {
	e := newEnv(t, nil)
	jwtish := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"
	for _, tc := range []struct {
		name   string
		authz  []string
		status int // 0: ErrNoCredential
		reason error
	}{
		{"no header", nil, 0, nil},
		{"JWT", []string{"Bearer " + jwtish}, 0, nil},
		{"JWT, lower-case scheme", []string{"bearer " + jwtish}, 0, nil},
		{"unsigned JWT", []string{"Bearer eyJhbGciOiJub25lIn0.e30."}, 0, nil},
		{"huge JWT", []string{"Bearer eyJ" + strings.Repeat("A", 100) + "." + strings.Repeat("A", 9000) + ".x"}, 0, nil},
		{"huge, dot past the JWT scan", []string{"Bearer eyJ" + strings.Repeat("A", 9000) + ".x.y"}, 401, ErrTooLarge},
		{"API key", []string{"Bearer agk_0123456789abcdefghijABCDEFGHIJ01aB3dE5"}, 0, nil},
		{"API key, upper case", []string{"Bearer AGK_0123456789abcdefghijABCDEFGHIJ01aB3dE5"}, 0, nil},
		{"ApiKey scheme", []string{"ApiKey agk_0123456789abcdefghijABCDEFGHIJ01aB3dE5"}, 0, nil},
		{"Basic", []string{"Basic YWxpY2U6cHc="}, 0, nil},
		{"Bearer without a space", []string{"Bearer"}, 0, nil},

		{"empty bearer", []string{"Bearer "}, 401, ErrMalformed},
		{"space inside", []string{"Bearer abc def"}, 401, ErrMalformed},
		{"padding in the middle", []string{"Bearer ab=c"}, 401, ErrMalformed},
		{"non-ASCII", []string{"Bearer tökén"}, 401, ErrMalformed},
		{"JWT-like with two dots but no ey", []string{"Bearer ab.cd.ef"}, -1, nil},
		{"too large", []string{"Bearer " + strings.Repeat("a", MaxTokenSize+1)}, 401, ErrTooLarge},
		{"two Authorization headers", []string{"Bearer opaque1", "Bearer opaque2"}, 401, ErrAmbiguous},
		{"ours and a JWT", []string{"Bearer " + jwtish, "Bearer opaque1"}, 401, ErrAmbiguous},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.idp.hits.Load()
			_, err := e.a.Authenticate(context.Background(), exchange(tc.authz...))
			switch {
			case tc.status == 0:
				if !errors.Is(err, pipeline.ErrNoCredential) {
					t.Fatalf("got %v, want ErrNoCredential", err)
				}
			case tc.status == -1: // ours and sent: inactive
				wantProblem(t, err, 401, ErrInactive)
				return
			default:
				wantProblem(t, err, tc.status, tc.reason)
			}
			if e.idp.hits.Load() != before {
				t.Fatal("the token was sent to the endpoint")
			}
		})
	}
	if _, err := e.a.Authenticate(context.Background(), nil); !errors.Is(err, pipeline.ErrNoCredential) {
		t.Fatal(err)
	}
	if _, err := e.a.Authenticate(context.Background(), &pipeline.Exchange{}); !errors.Is(err, pipeline.ErrNoCredential) {
		t.Fatal(err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*config.Introspection)
		opts []Option
		want string
	}{
		{"no url", func(c *config.Introspection) { c.URL = "" }, nil, "url"},
		{"relative url", func(c *config.Introspection) { c.URL = "/introspect" }, nil, "url"},
		{"file url", func(c *config.Introspection) { c.URL = "file:///etc/passwd" }, nil, "url"},
		{"credentials in url", func(c *config.Introspection) { c.URL = "https://u:p@idp.test/i" }, nil, "credentials"},
		{"fragment", func(c *config.Introspection) { c.URL = "https://idp.test/i#x" }, nil, "fragment"},
		{"no client id", func(c *config.Introspection) { c.ClientID = "" }, nil, "client_id"},
		{"no secret", func(c *config.Introspection) { c.ClientSecret = "" }, nil, "secret"},
		{"zero timeout", func(c *config.Introspection) { c.Timeout = 0 }, nil, "timeout"},
		{"huge timeout", func(c *config.Introspection) { c.Timeout = config.Duration(time.Hour) }, nil, "timeout"},
		{"negative ttl", func(c *config.Introspection) { c.CacheTTL = -1 }, nil, "cache_ttl"},
		{"no slots", nil, []Option{WithMaxInFlight(0)}, "in flight"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("https://idp.example.test/introspect")
			if tc.mod != nil {
				tc.mod(&cfg)
			}
			a, err := New(cfg, tc.opts...)
			if err == nil {
				_ = a.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), testSecret) {
				t.Fatalf("error %q", err)
			}
		})
	}
}

// TestCallerClientKept: WithHTTPClient's client is used but not changed,
// and redirects are refused even if it would follow them.
func TestCallerClientKept(t *testing.T) {
	c := &http.Client{}
	e := newEnv(t, nil, WithHTTPClient(c))
	e.idp.override(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/x", http.StatusFound) })
	_, err := e.auth("tok")
	wantProblem(t, err, 503, ErrUnavailable)
	if c.CheckRedirect != nil {
		t.Fatal("the caller's client was changed")
	}
	if e.idp.hits.Load() != 1 {
		t.Fatalf("hits %d: a redirect was followed", e.idp.hits.Load())
	}
}

func TestClose(t *testing.T) {
	e := newEnv(t, nil)
	gate := make(chan struct{})
	defer close(gate)
	e.idp.setGate(gate)
	errc := make(chan error, 1)
	go func() { _, err := e.auth("tok"); errc <- err }()
	for e.idp.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := e.a.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		wantProblem(t, err, 503, ErrClosed)
	case <-time.After(2 * time.Second):
		t.Fatal("a request waited past Close")
	}
	_, err := e.auth("other")
	wantProblem(t, err, 503, ErrClosed)
	if err := e.a.Close(); err != nil {
		t.Fatal(err)
	}
}
