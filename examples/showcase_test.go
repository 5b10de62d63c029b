package examples

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/examples/vulnerable-api/app"
	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/gateway"
	"github.com/apiguard/apiguard/internal/scan"
	"github.com/apiguard/apiguard/internal/scan/checks"
	"github.com/apiguard/apiguard/internal/store/backend"
)

// contractChecks are the stable check ids of BEHAVIOUR.md.
var contractChecks = []string{
	"auth.missing", "jwt.alg-none", "jwt.signature-not-verified", "jwt.expired-accepted", "jwt.weak-secret",
	"ratelimit.missing", "tls.missing", "tls.weak", "headers.missing", "headers.banner", "cors.permissive",
	"errors.verbose", "injection.sql", "injection.xss", "secrets.in-url", "data.exposure", "bola.suspected",
	"mass-assignment", "methods.unexpected", "inventory.undocumented",
}

// beyondAGateway are the flaws a gateway cannot fix (examples/README.md):
// object ownership lives in the application.
var beyondAGateway = []string{"bola.suspected"}

// TestShowcase scans the vulnerable API bare (every check must fire) and
// behind apiguard with examples/apiguard.yaml (none of the flaws a
// gateway can fix may remain).
func TestShowcase(t *testing.T) {
	if testing.Short() {
		t.Skip("the showcase scans take several seconds")
	}
	spec, err := os.ReadFile("vulnerable-api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewUnstartedServer(app.NewHandler())
	weak, err := app.WeakTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	api.TLS = weak
	api.StartTLS()
	defer api.Close()

	now := time.Now()
	alice, _ := app.Token(1, "alice", now)
	bob, _ := app.Token(2, "bob", now)
	plain := httptest.NewServer(app.NewHandler()) // tls.missing needs the plain-HTTP listener
	defer plain.Close()
	bare := runScan(t, api.URL, spec, "Authorization: Bearer "+alice, "Authorization: Bearer "+bob)
	for _, id := range runScan(t, plain.URL, spec, "Authorization: Bearer "+alice, "Authorization: Bearer "+bob) {
		if !slices.Contains(bare, id) {
			bare = append(bare, id)
		}
	}
	for _, id := range contractChecks {
		if !slices.Contains(bare, id) {
			t.Errorf("bare API: %s did not fire (fired: %v)", id, bare)
		}
	}

	upstream := httptest.NewServer(app.NewHandler())
	defer upstream.Close()
	gw, keyA, keyB := startExampleGateway(t, upstream.URL)
	behind := runScan(t, "https://"+gw, spec, "X-API-Key: "+keyA, "X-API-Key: "+keyB)
	for _, id := range behind {
		if !slices.Contains(beyondAGateway, id) {
			t.Errorf("behind apiguard: %s still fires", id)
		}
	}
	t.Logf("bare: %d checks fire; behind apiguard: %v", len(bare), behind)
}

// runScan scans target with the example spec and returns the check ids
// that fired.
func runScan(t *testing.T, target string, spec []byte, authA, authB string) []string {
	t.Helper()
	a, err := scan.ParseCredential(authA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := scan.ParseCredential(authB)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scan.New(scan.Config{Target: target, Spec: spec, Auth: a, AuthB: b, Checks: checks.All(),
		Client: scan.ClientOptions{Insecure: true, Rate: 500}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := s.Run(ctx)
	if err != nil {
		t.Fatalf("scan of %s: %v", target, err)
	}
	var ids []string
	for _, f := range res.Findings {
		if !slices.Contains(ids, f.Check) {
			ids = append(ids, f.Check)
		}
	}
	slices.Sort(ids)
	return ids
}

// startExampleGateway runs apiguard with examples/apiguard.yaml in front
// of upstream (listening on a free port, its store in a temporary
// directory) and issues two keys with every scope the routes use.
func startExampleGateway(t *testing.T, upstream string) (addr, keyA, keyB string) {
	t.Helper()
	src, err := os.ReadFile("apiguard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(".")
	y := strings.NewReplacer(
		`listen: "127.0.0.1:8443"`, `listen: "127.0.0.1:0"`,
		"url: http://127.0.0.1:9001", "url: "+upstream,
		"cert_file: tls/", "cert_file: "+abs+"/tls/",
		"key_file: tls/", "key_file: "+abs+"/tls/",
		"openapi: vulnerable-api/", "openapi: "+abs+"/vulnerable-api/",
	).Replace(string(src))
	dir := t.TempDir()
	path := filepath.Join(dir, "apiguard.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := backend.Open(cfg.StoreDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	scopes := []string{"users:admin", "profile", "orders:read", "orders:write"}
	issue := func(name string) string {
		is, err := apikey.Issue(context.Background(), st, apikey.Spec{Name: name, Scopes: scopes}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return is.Key.Plaintext()
	}
	keyA, keyB = issue("alice"), issue("bob")
	g, err := gateway.New(cfg, path, gateway.Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		g.Shutdown(ctx)
	})
	return g.Addr.API, keyA, keyB
}
