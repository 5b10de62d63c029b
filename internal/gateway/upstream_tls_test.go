package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/demo"
)

// TestHTTPSUpstreamWithMTLS: the gateway verifies the upstream's
// certificate against ca_file and presents its own client certificate.
func TestHTTPSUpstreamWithMTLS(t *testing.T) {
	dir := t.TempDir()
	clientCert, clientKey, err := demo.SelfSigned(dir)
	if err != nil {
		t.Fatal(err)
	}
	clientPEM, _ := os.ReadFile(clientCert)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(clientPEM)

	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 {
			w.WriteHeader(401)
			return
		}
		w.Write([]byte("hello over mTLS"))
	}))
	up.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	up.StartTLS()
	defer up.Close()
	caFile := filepath.Join(dir, "upstream-ca.pem")
	writeFile(t, caFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw})))

	e := newEnv(t, echo(), func(y string) string {
		return strings.Replace(y, "upstreams:\n", "upstreams:\n  secure: {url: \""+up.URL+"\", ca_file: \""+caFile+
			"\", cert_file: \""+clientCert+"\", key_file: \""+clientKey+"\"}\n", 1) +
			"  - {name: secure, methods: [GET], path: /secure, upstream: secure}\n"
	})
	resp, body := e.do("GET", "/secure", nil)
	if resp.StatusCode != 200 || string(body) != "hello over mTLS" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}

	// Without ca_file the upstream's certificate is not trusted: 502.
	e2 := newEnv(t, echo(), func(y string) string {
		return strings.Replace(y, "upstreams:\n", "upstreams:\n  secure: {url: \""+up.URL+"\"}\n", 1) +
			"  - {name: secure, methods: [GET], path: /secure, upstream: secure}\n"
	})
	resp, body = e2.do("GET", "/secure", nil)
	mustProblem(t, resp, body, 502, "upstream-error")
}
