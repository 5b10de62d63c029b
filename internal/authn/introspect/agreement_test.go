package introspect

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/authn/jwt"
	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
)

// jwtAuthenticator is a jwt authenticator whose keys never load (its
// JWKS endpoint answers 500): enough to see which tokens it claims.
func jwtAuthenticator(t testing.TB) *jwt.Authenticator {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	t.Cleanup(srv.Close)
	a, err := jwt.New([]config.JWTIssuer{{
		Issuer: "https://login.example.test/", Audiences: []string{"api"}, JWKSURL: srv.URL,
		Algorithms: []string{"RS256"}, MaxTTL: config.Duration(time.Hour),
		Leeway: config.Duration(30 * time.Second), ScopeClaim: "scope",
	}}, jwt.WithFetchTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// checkOwnership: an API key is nobody's bearer token; any other bearer
// token is claimed by exactly one of jwt and introspection.
func checkOwnership(t *testing.T, ja *jwt.Authenticator, tok string) {
	x := exchange("Bearer " + tok)
	_, jerr := ja.Authenticate(context.Background(), x)
	_, ierr := bearerToken(x.In)
	jwtClaims := !errors.Is(jerr, pipeline.ErrNoCredential)
	weClaim := !errors.Is(ierr, pipeline.ErrNoCredential)
	t2 := strings.TrimLeft(tok, " ")
	if len(t2) >= 4 && strings.EqualFold(t2[:4], "agk_") {
		if weClaim {
			t.Fatalf("introspection claims API key %q", tok)
		}
		return
	}
	if jwtClaims == weClaim {
		t.Fatalf("token %.60q: jwt claims %v (%v), introspection claims %v (%v)", tok, jwtClaims, jerr, weClaim, ierr)
	}
}

var ownershipSeeds = []string{
	"", " ", "opaque", "ey", "eyJ", "eyJ.e30", "eyJ.e30.", "eyJ..x", "eyJhbGciOiJub25lIn0.e30.",
	"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", "eyJ.e30.x.y", "eyJ+.e30.x", "EYJ.e30.x",
	"agk_0123456789abcdefghijABCDEFGHIJ01aB3dE5", "AgK_x", "agk", "ab.cd.ef", "tok=", "a/b+c~d.e",
	"eyJ" + strings.Repeat("A", 9000) + ".x.y", "eyJ" + strings.Repeat("A", 100) + "." + strings.Repeat("A", 9000),
	"eyJ" + strings.Repeat("A", 8189) + ".", "eyJ" + strings.Repeat("A", 8190) + ".",
}

func TestOwnershipAgreesWithJWT(t *testing.T) {
	ja := jwtAuthenticator(t)
	for _, tok := range ownershipSeeds {
		checkOwnership(t, ja, tok)
	}
}

// FuzzOwnership: for any bearer token, jwt and introspection never both
// claim it nor both leave it, and API keys never go to introspection.
func FuzzOwnership(f *testing.F) {
	for _, s := range ownershipSeeds {
		f.Add(s)
	}
	ja := jwtAuthenticator(f)
	f.Fuzz(func(t *testing.T, tok string) {
		if strings.ContainsAny(tok, "\r\n\x00") {
			return // not a header value
		}
		checkOwnership(t, ja, tok)
	})
}
