package jwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

const (
	testIssuer   = "https://login.example.test/"
	testAudience = "orders-api"
)

// Keys are generated once per test binary: RSA generation is slow.
var testKeys = sync.OnceValue(func() *keys {
	k := &keys{}
	var wg sync.WaitGroup
	gen := func(dst **rsa.PrivateKey, bits int) {
		wg.Go(func() {
			var err error
			if *dst, err = rsa.GenerateKey(rand.Reader, bits); err != nil {
				panic(err)
			}
		})
	}
	gen(&k.rsa1, 2048)
	gen(&k.rsa2, 2048)
	gen(&k.attacker, 2048)
	gen(&k.rsaWeak, 1024)
	wg.Wait()
	k.ec256, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k.ec384, _ = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	k.ecAttacker, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, k.ed, _ = ed25519.GenerateKey(rand.Reader)
	return k
})

type keys struct {
	rsa1, rsa2, attacker, rsaWeak *rsa.PrivateKey
	ec256, ec384, ecAttacker      *ecdsa.PrivateKey
	ed                            ed25519.PrivateKey
}

func enc(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwk is the public JWK of a key, with kid and (if not "") alg.
func jwk(kid, alg string, pub crypto.PublicKey) map[string]any {
	m := map[string]any{"kid": kid, "use": "sig"}
	if alg != "" {
		m["alg"] = alg
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		m["kty"], m["n"], m["e"] = "RSA", enc(p.N.Bytes()), enc(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		size := (p.Curve.Params().BitSize + 7) / 8
		b, err := p.Bytes()
		if err != nil {
			panic(err)
		}
		m["kty"], m["crv"], m["x"], m["y"] = "EC", curveName(p.Curve), enc(b[1:1+size]), enc(b[1+size:])
	case ed25519.PublicKey:
		m["kty"], m["crv"], m["x"] = "OKP", "Ed25519", enc(p)
	default:
		panic("unknown key type")
	}
	return m
}

func jwksDoc(ks ...map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"keys": ks})
	if err != nil {
		panic(err)
	}
	return b
}

// defaultJWKS: rsa1 (kid rsa1, RS256), ec256 (kid ec1, ES256), an RSA key
// restricted to RS512 (kid rs512-only), and a weak 1024-bit key (kid weak,
// never loaded).
func defaultJWKS(k *keys) []byte {
	return jwksDoc(
		jwk("rsa1", "RS256", &k.rsa1.PublicKey),
		jwk("ec1", "ES256", &k.ec256.PublicKey),
		jwk("rs512-only", "RS512", &k.rsa2.PublicKey),
		jwk("weak", "RS256", &k.rsaWeak.PublicKey),
	)
}

// jwksServer is a JWKS endpoint whose document and health can change.
type jwksServer struct {
	*httptest.Server
	doc    atomic.Pointer[[]byte]
	hits   atomic.Int64
	status atomic.Int64 // 0: 200
	delay  atomic.Int64 // ns before answering
	ctype  atomic.Pointer[string]
	cache  atomic.Pointer[string]
}

func newJWKSServer(t testing.TB, doc []byte) *jwksServer {
	s := &jwksServer{}
	s.set(doc)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if d := s.delay.Load(); d > 0 {
			select {
			case <-time.After(time.Duration(d)):
			case <-r.Context().Done():
				return
			}
		}
		ct := "application/json"
		if p := s.ctype.Load(); p != nil {
			ct = *p
		}
		w.Header().Set("Content-Type", ct)
		if p := s.cache.Load(); p != nil {
			w.Header().Set("Cache-Control", *p)
		}
		if st := s.status.Load(); st != 0 {
			w.WriteHeader(int(st))
			return
		}
		_, _ = w.Write(*s.doc.Load())
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(doc []byte) { s.doc.Store(&doc) }

// clock is a settable clock.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.set(time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC))
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func baseIssuer(url string) config.JWTIssuer {
	return config.JWTIssuer{
		Issuer:     testIssuer,
		Audiences:  []string{testAudience},
		JWKSURL:    url,
		Algorithms: []string{"RS256", "ES256"},
		MaxTTL:     config.Duration(time.Hour),
		Leeway:     config.Duration(30 * time.Second),
		ScopeClaim: "scope",
		StepUpACR:  []string{"urn:example:loa:3"},
	}
}

// env is an authenticator against a live JWKS server with a fake clock.
type env struct {
	t     testing.TB
	k     *keys
	clock *clock
	srv   *jwksServer
	a     *Authenticator
}

func newEnv(t testing.TB, opts ...Option) *env {
	t.Helper()
	k := testKeys()
	e := &env{t: t, k: k, clock: newClock(), srv: newJWKSServer(t, defaultJWKS(k))}
	e.a = e.newAuth(baseIssuer(e.srv.URL+"/jwks.json"), opts...)
	if err := e.a.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return e
}

func (e *env) newAuth(is config.JWTIssuer, opts ...Option) *Authenticator {
	e.t.Helper()
	a, err := New([]config.JWTIssuer{is}, append([]Option{WithClock(e.clock.now)}, opts...)...)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	e.t.Cleanup(func() { _ = a.Close() })
	return a
}

// claims returns valid claims at the env's clock.
func (e *env) claims() gojwt.MapClaims {
	now := e.clock.now().Unix()
	return gojwt.MapClaims{
		"iss": testIssuer, "aud": testAudience, "sub": "alice",
		"iat": now, "nbf": now, "exp": now + 600,
		"scope": "orders:read orders:write", "jti": "t-1",
	}
}

// sign signs claims with a golang-jwt method and key, setting kid and
// extra header members (nil deletes one).
func sign(t testing.TB, m gojwt.SigningMethod, key any, kid string, hdr map[string]any, c gojwt.MapClaims) string {
	t.Helper()
	tok := gojwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	for k, v := range hdr {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func (e *env) rs256(c gojwt.MapClaims) string {
	return sign(e.t, gojwt.SigningMethodRS256, e.k.rsa1, "rsa1", nil, c)
}

func (e *env) es256(c gojwt.MapClaims) string {
	return sign(e.t, gojwt.SigningMethodES256, e.k.ec256, "ec1", nil, c)
}

// raw builds a token from literal header and payload JSON and a signature.
func raw(header, payload string, sig []byte) string {
	return enc([]byte(header)) + "." + enc([]byte(payload)) + "." + enc(sig)
}

func exchange(authz ...string) *pipeline.Exchange {
	r := httptest.NewRequest(http.MethodGet, "/v1/orders", nil)
	for _, v := range authz {
		r.Header.Add("Authorization", v)
	}
	return &pipeline.Exchange{In: r}
}

func (e *env) auth(tok string) (*pipeline.Principal, error) {
	return e.a.Authenticate(context.Background(), exchange("Bearer "+tok))
}

// wantDenied checks the client-visible shape of a refusal and its cause.
func wantDenied(t testing.TB, tok string, err error, want error) *problem.Error {
	t.Helper()
	var p *problem.Error
	if !errors.As(err, &p) {
		t.Fatalf("want a *problem.Error wrapping %v, got %v", want, err)
	}
	if p.Status != http.StatusUnauthorized || p.Code != problem.CodeUnauthenticated {
		t.Fatalf("want 401 unauthenticated, got %d %s (%v)", p.Status, p.Code, err)
	}
	if p.Detail != detailInvalid && p.Detail != detailExpired {
		t.Errorf("detail %q is not one of the generic ones", p.Detail)
	}
	if got := p.Header.Get("WWW-Authenticate"); got != `Bearer realm="apiguard", error="invalid_token"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	if want != nil && !errors.Is(p.Cause, want) {
		t.Errorf("cause = %v, want it to wrap %v", p.Cause, want)
	}
	if len(tok) > 16 {
		for _, s := range []string{p.Detail, p.Error()} {
			if strings.Contains(s, tok) || strings.Contains(s, tok[len(tok)-16:]) {
				t.Errorf("the token leaks into %q", s)
			}
		}
	}
	return p
}
