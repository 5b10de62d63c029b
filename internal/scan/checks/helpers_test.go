package checks

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/scan"
)

// opts tune one test scan.
type opts struct {
	spec   string // "" = no spec (discovery)
	login  bool   // --auth with alice's token (else the scan logs in itself)
	authB  bool   // --auth-b with bob's token
	tls    bool
	budget int
}

// scanShop runs the checks against app behind a real httptest server.
func scanShop(t *testing.T, app *shop, o opts, chks ...scan.Check) *scan.Result {
	t.Helper()
	srv := httptest.NewUnstartedServer(app)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the legacy TLS probe's handshake errors
	if o.tls {
		if app.flaws["tls-weak"] {
			srv.TLS = &tls.Config{MinVersion: tls.VersionTLS10}
		}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return scanServer(t, srv, app, o, chks...)
}

func scanServer(t *testing.T, srv *httptest.Server, app *shop, o opts, chks ...scan.Check) *scan.Result {
	t.Helper()
	cfg := scan.Config{
		Target: srv.URL,
		Client: scan.ClientOptions{Rate: 2000, MaxRequests: o.budget, Transport: srv.Client().Transport},
		Checks: chks,
	}
	if o.spec != "" {
		cfg.Spec = []byte(o.spec)
	}
	if o.login {
		cfg.Auth = scan.Credential{Header: "Authorization", Value: "Bearer " + app.tokenFor("alice")}
	}
	if o.authB {
		cfg.AuthB = scan.Credential{Header: "Authorization", Value: "Bearer " + app.tokenFor("bob")}
	}
	s, err := scan.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func fired(res *scan.Result, id string) []scan.Finding {
	var out []scan.Finding
	for _, f := range res.Findings {
		if f.Check == id {
			out = append(out, f)
		}
	}
	return out
}

// twin scans a shop with flaw (must fire) and without it (must not).
func twin(t *testing.T, chk scan.Check, flaw string, o opts) scan.Finding {
	t.Helper()
	id := chk.Info().ID
	bad := scanShop(t, newShop(flaw), o, chk)
	got := fired(bad, id)
	if len(got) == 0 {
		t.Fatalf("%s did not fire against the flawed target (%s); findings %+v, notes %v", id, flaw, bad.Findings, bad.Notes)
	}
	good := scanShop(t, newShop(), o, chk)
	if f := fired(good, id); len(f) > 0 {
		t.Fatalf("%s fired against the fixed twin: %+v", id, f)
	}
	f := got[0]
	if f.Severity.Rank() == 0 || !strings.HasPrefix(f.OWASP, "API") || f.Evidence == "" || f.Remediation == "" || f.Title == "" {
		t.Fatalf("incomplete finding: %+v", f)
	}
	return f
}

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }
