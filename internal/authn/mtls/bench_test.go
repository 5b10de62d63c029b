package mtls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
)

// BenchmarkAuthenticate is the per-request cost once the handshake has
// verified the chain: read the leaf, check it, build the Principal.
func BenchmarkAuthenticate(b *testing.B) {
	ca := newCA(b, "clients CA", nil)
	leaf := newCert(b, clientTemplate(), ca)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.TLS = &tls.ConnectionState{
		PeerCertificates: []*x509.Certificate{leaf.cert},
		VerifiedChains:   [][]*x509.Certificate{{leaf.cert, ca.cert}},
	}
	x := &pipeline.Exchange{In: r}
	for _, bc := range []struct {
		name string
		opts []Option
	}{{"cn", nil}, {"san_uri", nil}, {"cn-pinned", []Option{WithTrustedCAs(ca.cert)}}} {
		from := bc.name
		if from == "cn-pinned" {
			from = "cn"
		}
		a := mustNew(b, from, bc.opts...)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Authenticate(context.Background(), x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
