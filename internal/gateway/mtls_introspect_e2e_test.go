package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testCA issues client certificates for the mTLS tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key}
}

func (ca *testCA) pemFile(t *testing.T, dir string) string {
	path := filepath.Join(dir, "clients-ca.pem")
	writeFile(t, path, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})))
	return path
}

// client issues a client certificate for cn, signed by ca (or self-signed
// when ca is nil).
func (ca *testCA) client(t *testing.T, cn string) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func clientWithCert(e *env, cert *tls.Certificate) *http.Client {
	base := e.client1.Transport.(*http.Transport)
	conf := base.TLSClientConfig.Clone()
	if cert != nil {
		conf.Certificates = []tls.Certificate{*cert}
	}
	tr := &http.Transport{TLSClientConfig: conf, TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}}
	e.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestMTLSEndToEnd(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	caFile := ca.pemFile(t, dir)
	e := newEnv(t, echo(), func(y string) string {
		y = strings.Replace(y, "tls: {", `tls: {client_ca_file: "`+caFile+`", `, 1)
		y = strings.Replace(y, "upstreams:\n", "identities:\n  mtls: {subject_from: cn}\nupstreams:\n", 1)
		return y + "  - {name: m, methods: [GET], path: /m, upstream: app, auth: [mtls]}\n" +
			"  - {name: m-scoped, methods: [GET], path: /m/scoped, upstream: app, auth: [mtls], scopes: ['orders:read']}\n"
	})
	good := ca.client(t, "billing-service")
	rogue := (*testCA)(nil).client(t, "billing-service")

	resp, body := e.doWith(clientWithCert(e, &good), "GET", "/m", nil)
	if resp.StatusCode != 200 || decodeEcho(t, body).Header.Get("X-Apiguard-Subject") != "billing-service" ||
		decodeEcho(t, body).Header.Get("X-Apiguard-Auth") != "mtls" {
		t.Fatalf("verified client: %d %s", resp.StatusCode, body)
	}
	resp, body = e.doWith(clientWithCert(e, nil), "GET", "/m", nil)
	mustProblem(t, resp, body, 401, "unauthenticated")
	resp, body = e.doWith(clientWithCert(e, &good), "GET", "/m/scoped", nil)
	mustProblem(t, resp, body, 403, "forbidden")
	// A self-signed certificate with the same CN is refused at the handshake.
	req, _ := http.NewRequest("GET", e.base+"/m", nil)
	if resp, err := clientWithCert(e, &rogue).Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("a certificate from an untrusted CA was admitted")
		}
	}
}

func TestIntrospectionEndToEnd(t *testing.T) {
	var endpointDown atomic.Bool
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if endpointDown.Load() {
			w.WriteHeader(503)
			return
		}
		id, secret, ok := r.BasicAuth()
		if !ok || id != "apiguard" || secret != "idp-secret" {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.FormValue("token") == "opaque-good" {
			json.NewEncoder(w).Encode(map[string]any{"active": true, "sub": "carol", "scope": "orders:read",
				"exp": time.Now().Add(time.Hour).Unix()})
			return
		}
		w.Write([]byte(`{"active":false}`))
	}))
	t.Cleanup(idp.Close)
	e := newEnv(t, echo(), func(y string) string {
		y = strings.Replace(y, "upstreams:\n", `identities:
  introspection: {url: "`+idp.URL+`", client_id: apiguard, client_secret_file: idp.secret, cache_ttl: 0s}
upstreams:
`, 1)
		return y + "  - {name: i, methods: [GET], path: /i, upstream: app, auth: [introspection], scopes: ['orders:read']}\n"
	})
	_ = e
	resp, body := e.do("GET", "/i", nil, "Authorization", "Bearer opaque-good")
	if resp.StatusCode != 200 || decodeEcho(t, body).Header.Get("X-Apiguard-Subject") != "carol" {
		t.Fatalf("active token: %d %s", resp.StatusCode, body)
	}
	resp, body = e.do("GET", "/i", nil, "Authorization", "Bearer opaque-bad")
	mustProblem(t, resp, body, 401, "unauthenticated")
	endpointDown.Store(true)
	resp, body = e.do("GET", "/i", nil, "Authorization", "Bearer opaque-good")
	mustProblem(t, resp, body, 503, "unavailable")
}
