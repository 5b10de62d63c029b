package mtls

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/pipeline"
)

// issued is a certificate with its key.
type issued struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func (c *issued) tls(chain ...*issued) tls.Certificate {
	tc := tls.Certificate{Certificate: [][]byte{c.cert.Raw}, PrivateKey: c.key, Leaf: c.cert}
	for _, i := range chain {
		tc.Certificate = append(tc.Certificate, i.cert.Raw)
	}
	return tc
}

var serial atomic.Int64

// newCert signs tmpl with parent (self-signed when parent is nil),
// filling in a serial number, a key and, unless set, a validity around
// the real clock.
func newCert(t testing.TB, tmpl *x509.Certificate, parent *issued) *issued {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(serial.Add(1))
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	}
	signer, parentCert := crypto.Signer(key), tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &issued{cert: cert, key: key}
}

func newCA(t testing.TB, name string, parent *issued) *issued {
	return newCert(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:  x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
	}, parent)
}

// clientTemplate is a typical client certificate: CN, one SAN of each
// kind, clientAuth.
func clientTemplate() *x509.Certificate {
	u, _ := url.Parse("spiffe://example.test/ns/prod/sa/orders")
	return &x509.Certificate{
		Subject:        pkix.Name{CommonName: "orders-client", Organization: []string{"Example"}},
		DNSNames:       []string{"orders.svc.example.test", "second.example.test"},
		EmailAddresses: []string{"orders@example.test"},
		URIs:           []*url.URL{u},
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
}

var oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}

// result is what the test server's handler saw.
type result struct {
	p   *pipeline.Principal
	err error
}

// tlsServer is a real TLS listener that asks for client certificates and
// runs the current authenticator in its handler.
type tlsServer struct {
	*httptest.Server
	auth    atomic.Pointer[Authenticator]
	results chan result
}

func newTLSServer(t testing.TB, mode tls.ClientAuthType, cas ...*issued) *tlsServer {
	s := &tlsServer{results: make(chan result, 1)}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.auth.Load().Authenticate(r.Context(), &pipeline.Exchange{In: r})
		s.results <- result{p, err}
	}))
	pool := x509.NewCertPool()
	for _, ca := range cas {
		pool.AddCert(ca.cert)
	}
	s.TLS = &tls.Config{ClientAuth: mode, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// do makes one request presenting certs (none when empty) and returns
// what the handler saw; ok is false when the request failed (e.g. the
// handshake refused the certificate).
func (s *tlsServer) do(t testing.TB, a *Authenticator, cert *tls.Certificate) (r result, ok bool) {
	t.Helper()
	s.auth.Store(a)
	tr := s.Client().Transport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	if cert != nil { // sent whatever CAs the server names
		tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return cert, nil
		}
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(s.URL)
	if err != nil {
		return result{}, false
	}
	resp.Body.Close()
	return <-s.results, true
}

func mustNew(t testing.TB, from string, opts ...Option) *Authenticator {
	t.Helper()
	a, err := New(configFor(from), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
