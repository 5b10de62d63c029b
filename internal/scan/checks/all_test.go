package checks

import (
	"slices"
	"testing"

	"github.com/apiguard/apiguard/internal/scan"
)

var allFlaws = []string{"auth-missing", "alg-none", "weak-secret", "expired", "headers", "banner", "cors", "verbose",
	"sql", "xss", "secret-in-url", "exposure", "bola", "mass-assignment", "methods", "inventory"}

// TestFullScanFindsEveryFlaw scans a shop with every flaw and expects
// every check but tls.weak (the shop is plain HTTP) to fire, within the
// default budget.
func TestFullScanFindsEveryFlaw(t *testing.T) {
	res := scanShop(t, newShop(allFlaws...), opts{spec: shopSpec, login: true, authB: true}, All()...)
	for _, id := range IDs() {
		if id == "tls.weak" || id == "jwt.signature-not-verified" {
			continue // plain HTTP; signatures are verified in this shop
		}
		if len(fired(res, id)) == 0 {
			t.Errorf("%s did not fire", id)
		}
	}
	if res.Requests > 400 {
		t.Errorf("%d requests for a 7-operation API", res.Requests)
	}
	for _, s := range res.Stats {
		t.Logf("%-28s %4d requests %v", s.Check, s.Requests, s.Duration)
	}
}

// TestFullScanOfFixedTwinIsClean scans the fixed shop over HTTPS with
// every check but ratelimit.missing (covered by its own test): no
// findings at all.
func TestFullScanOfFixedTwinIsClean(t *testing.T) {
	chks := slices.DeleteFunc(All(), func(c scan.Check) bool { return c.Info().ID == "ratelimit.missing" })
	res := scanShop(t, newShop(), opts{spec: shopSpec, login: true, authB: true, tls: true}, chks...)
	if len(res.Findings) != 0 {
		for _, f := range res.Findings {
			t.Errorf("%s %s %s: %s", f.Check, f.Method, f.Path, f.Evidence)
		}
	}
}

func TestRegistry(t *testing.T) {
	want := []string{"auth.missing", "jwt.alg-none", "jwt.signature-not-verified", "jwt.expired-accepted", "jwt.weak-secret",
		"ratelimit.missing", "tls.missing", "tls.weak", "headers.missing", "headers.banner", "cors.permissive", "errors.verbose",
		"injection.sql", "injection.xss", "secrets.in-url", "data.exposure", "bola.suspected", "mass-assignment",
		"methods.unexpected", "inventory.undocumented"}
	got := IDs()
	if len(got) != len(want) {
		t.Fatalf("%d checks, want %d", len(got), len(want))
	}
	for _, id := range want {
		if !slices.Contains(got, id) {
			t.Errorf("missing %s", id)
		}
	}
	for _, c := range All() {
		m := c.Info()
		if m.Severity.Rank() == 0 || len(m.OWASP) < 9 || m.OWASP[:3] != "API" || m.OWASP[len(m.OWASP)-5:] != ":2023" || m.Title == "" || m.Remediation == "" {
			t.Errorf("bad meta %+v", m)
		}
	}
}
