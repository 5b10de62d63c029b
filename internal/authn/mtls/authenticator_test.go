package mtls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

func configFor(from string) config.MTLSIdentity { return config.MTLSIdentity{SubjectFrom: from} }

func wantDenied(t testing.TB, err error, reason error) *problem.Error {
	t.Helper()
	var p *problem.Error
	if !errors.As(err, &p) || p.Status != 401 || p.Code != problem.CodeUnauthenticated {
		t.Fatalf("got %v, want a 401 unauthenticated problem", err)
	}
	if !errors.Is(p.Cause, reason) {
		t.Fatalf("cause %v, want %v", p.Cause, reason)
	}
	if strings.Contains(p.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatal("a certificate is not a bearer token")
	}
	return p
}

// TestSubjectFrom: each subject_from over a real TLS handshake with a
// certificate signed by the trusted CA.
func TestSubjectFrom(t *testing.T) {
	ca := newCA(t, "clients CA", nil)
	srv := newTLSServer(t, tls.VerifyClientCertIfGiven, ca)
	full := newCert(t, clientTemplate(), ca)
	bare := newCert(t, &x509.Certificate{
		Subject: pkix.Name{Organization: []string{"no CN"}}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, ca)
	for _, tc := range []struct {
		from, want, missing string
	}{
		{"cn", "orders-client", "client certificate has no common name"},
		{"", "orders-client", "client certificate has no common name"},
		{"san_dns", "orders.svc.example.test", "client certificate has no DNS name"},
		{"san_email", "orders@example.test", "client certificate has no email address"},
		{"san_uri", "spiffe://example.test/ns/prod/sa/orders", "client certificate has no URI"},
	} {
		t.Run("subject_from="+tc.from, func(t *testing.T) {
			a := mustNew(t, tc.from)
			cert := full.tls()
			r, ok := srv.do(t, a, &cert)
			if !ok || r.err != nil {
				t.Fatalf("ok %v, err %v", ok, r.err)
			}
			if r.p.Subject != tc.want || r.p.Method != Method || r.p.Method != a.Method() || len(r.p.Scopes) != 0 ||
				!r.p.ExpiresAt.Equal(full.cert.NotAfter) {
				t.Fatalf("principal %+v", r.p)
			}
			cert = bare.tls()
			r, ok = srv.do(t, a, &cert)
			if !ok {
				t.Fatal("handshake failed")
			}
			if p := wantDenied(t, r.err, ErrNoIdentity); p.Detail != tc.missing {
				t.Fatalf("detail %q", p.Detail)
			}
		})
	}
}

// TestNoVerifiedCertificate: no certificate, or one that was not
// verified, is no credential: PeerCertificates alone never count.
func TestNoVerifiedCertificate(t *testing.T) {
	ca := newCA(t, "clients CA", nil)
	a := mustNew(t, "cn")
	good := newCert(t, clientTemplate(), ca).tls()
	selfSigned := newCert(t, clientTemplate(), nil).tls()

	t.Run("no certificate", func(t *testing.T) {
		srv := newTLSServer(t, tls.VerifyClientCertIfGiven, ca)
		r, ok := srv.do(t, a, nil)
		if !ok || !errors.Is(r.err, pipeline.ErrNoCredential) {
			t.Fatalf("ok %v, err %v", ok, r.err)
		}
	})
	t.Run("self-signed, verifying listener", func(t *testing.T) {
		srv := newTLSServer(t, tls.VerifyClientCertIfGiven, ca)
		if _, ok := srv.do(t, a, &selfSigned); ok {
			t.Fatal("the handshake admitted a certificate not signed by the CA")
		}
	})
	t.Run("unverified, listener that only requests", func(t *testing.T) {
		for _, mode := range []tls.ClientAuthType{tls.RequestClientCert, tls.RequireAnyClientCert} {
			srv := newTLSServer(t, mode, ca)
			for _, cert := range []*tls.Certificate{&selfSigned, &good} {
				r, ok := srv.do(t, a, cert)
				if !ok || !errors.Is(r.err, pipeline.ErrNoCredential) {
					t.Fatalf("mode %v: ok %v, err %v, principal %+v", mode, ok, r.err, r.p)
				}
			}
		}
	})
	t.Run("no TLS", func(t *testing.T) {
		for _, x := range []*pipeline.Exchange{nil, {}, {In: httptest.NewRequest(http.MethodGet, "/", nil)}} {
			if _, err := a.Authenticate(context.Background(), x); !errors.Is(err, pipeline.ErrNoCredential) {
				t.Fatalf("got %v", err)
			}
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{good.Leaf}}
		if _, err := a.Authenticate(context.Background(), &pipeline.Exchange{In: r}); !errors.Is(err, pipeline.ErrNoCredential) {
			t.Fatalf("PeerCertificates alone: %v", err)
		}
	})
}

// TestValidity: the leaf's validity is judged again by the
// authenticator's clock (a resumed session keeps its verified chains).
func TestValidity(t *testing.T) {
	ca := newCA(t, "clients CA", nil)
	srv := newTLSServer(t, tls.VerifyClientCertIfGiven, ca)
	c := newCert(t, clientTemplate(), ca)
	cert := c.tls()
	for _, tc := range []struct {
		name   string
		now    time.Time
		reason error
	}{
		{"expired", c.cert.NotAfter.Add(time.Second), ErrExpired},
		{"not yet valid", c.cert.NotBefore.Add(-time.Second), ErrNotYetValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := mustNew(t, "cn", WithClock(func() time.Time { return tc.now }))
			r, ok := srv.do(t, a, &cert)
			if !ok {
				t.Fatal("handshake failed")
			}
			wantDenied(t, r.err, tc.reason)
		})
	}
	t.Run("at the bounds", func(t *testing.T) {
		for _, now := range []time.Time{c.cert.NotBefore, c.cert.NotAfter} {
			a := mustNew(t, "cn", WithClock(func() time.Time { return now }))
			if r, ok := srv.do(t, a, &cert); !ok || r.err != nil {
				t.Fatalf("%v: %v", now, r.err)
			}
		}
	})
	t.Run("expired, listener with a lagging clock", func(t *testing.T) {
		expired := newCert(t, func() *x509.Certificate {
			tm := clientTemplate()
			tm.NotBefore, tm.NotAfter = time.Now().Add(-3*time.Hour), time.Now().Add(-time.Hour)
			return tm
		}(), ca)
		lag := newTLSServer(t, tls.VerifyClientCertIfGiven, ca)
		lag.TLS.Time = func() time.Time { return time.Now().Add(-2 * time.Hour) }
		ec := expired.tls()
		r, ok := lag.do(t, mustNew(t, "cn"), &ec)
		if !ok {
			t.Fatal("handshake failed")
		}
		wantDenied(t, r.err, ErrExpired)
		if _, ok := srv.do(t, mustNew(t, "cn"), &ec); ok {
			t.Fatal("the listener admitted an expired certificate")
		}
	})
}

// TestRefusedCertificates: verified by the listener, refused here.
func TestRefusedCertificates(t *testing.T) {
	ca := newCA(t, "clients CA", nil)
	srv := newTLSServer(t, tls.VerifyClientCertIfGiven, ca)
	mod := func(f func(*x509.Certificate)) *x509.Certificate {
		tm := clientTemplate()
		f(tm)
		return tm
	}
	for _, tc := range []struct {
		name   string
		cert   tls.Certificate
		from   string
		reason error
	}{
		{"no extended key usage", newCert(t, mod(func(c *x509.Certificate) { c.ExtKeyUsage = nil }), ca).tls(), "cn", ErrUsage},
		{"the CA itself", ca.tls(), "cn", ErrUsage},
		{"two common names", newCert(t, mod(func(c *x509.Certificate) {
			c.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: oidCN, Value: "alice"}, {Type: oidCN, Value: "admin"}}
		}), ca).tls(), "cn", ErrInvalidIdentity},
		{"control character in CN", newCert(t, mod(func(c *x509.Certificate) { c.Subject.CommonName = "alice\r\nX-Admin: 1" }), ca).tls(), "cn", ErrInvalidIdentity},
		{"CN too long", newCert(t, mod(func(c *x509.Certificate) {
			c.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: oidCN, Value: strings.Repeat("a", 1025)}}
		}), ca).tls(), "cn", ErrInvalidIdentity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := srv.do(t, mustNew(t, tc.from), &tc.cert)
			if !ok {
				t.Fatal("handshake failed")
			}
			wantDenied(t, r.err, tc.reason)
		})
	}
	t.Run("any extended key usage", func(t *testing.T) {
		c := newCert(t, mod(func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageAny} }), ca).tls()
		if r, ok := srv.do(t, mustNew(t, "cn"), &c); !ok || r.err != nil {
			t.Fatal(r.err)
		}
	})
}

// TestTrustedCAs: with pinning, a chain the listener verified counts only
// if it ends at a pinned CA; intermediates are fine.
func TestTrustedCAs(t *testing.T) {
	caA, caB := newCA(t, "CA A", nil), newCA(t, "CA B", nil)
	inter := newCA(t, "CA A intermediate", caA)
	srv := newTLSServer(t, tls.VerifyClientCertIfGiven, caA, caB)
	a := mustNew(t, "cn", WithTrustedCAs(caA.cert))
	fromA := newCert(t, clientTemplate(), caA).tls()
	viaInter := newCert(t, clientTemplate(), inter).tls(inter)
	fromB := newCert(t, clientTemplate(), caB).tls()
	for _, c := range []*tls.Certificate{&fromA, &viaInter} {
		if r, ok := srv.do(t, a, c); !ok || r.err != nil {
			t.Fatalf("ok %v, err %v", ok, r.err)
		}
	}
	r, ok := srv.do(t, a, &fromB)
	if !ok {
		t.Fatal("handshake failed")
	}
	wantDenied(t, r.err, ErrUntrusted)
	if r, ok := srv.do(t, mustNew(t, "cn"), &fromB); !ok || r.err != nil {
		t.Fatal("without pinning any verified chain counts")
	}
}

func TestNew(t *testing.T) {
	for _, from := range []string{"CN", "san", "subject", " cn"} {
		if _, err := New(configFor(from)); err == nil || !strings.Contains(err.Error(), "subject_from") {
			t.Fatalf("%q: %v", from, err)
		}
	}
	if _, err := New(configFor("cn"), WithTrustedCAs(nil)); err == nil {
		t.Fatal("accepted a nil CA")
	}
}
