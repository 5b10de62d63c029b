package gateway

import (
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/demo"
	"time"
)

func tlsDial(addr string, conf *tls.Config) (net.Conn, error) {
	return tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, conf)
}

func TestTLSVersions(t *testing.T) {
	e := newEnv(t, echo(), nil)
	base := e.client.Transport.(*http.Transport).TLSClientConfig
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		conf := base.Clone()
		conf.MinVersion, conf.MaxVersion = v, v
		if conn, err := tlsDial(e.gw.Addr.API, conf); err == nil {
			conn.Close()
			t.Fatalf("TLS version %x accepted", v)
		}
	}
	conf := base.Clone()
	conf.MaxVersion = tls.VersionTLS12
	conf.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}
	if conn, err := tlsDial(e.gw.Addr.API, conf); err == nil {
		conn.Close()
		t.Fatal("a CBC cipher suite was accepted")
	}
	conn, err := tlsDial(e.gw.Addr.API, base.Clone())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if st := conn.(*tls.Conn).ConnectionState(); st.Version != tls.VersionTLS13 {
		t.Fatalf("negotiated %x, want TLS 1.3", st.Version)
	}
}

func TestHTTP2(t *testing.T) {
	e := newEnv(t, echo(), nil)
	resp, _ := e.do("GET", "/v1/orders", nil)
	if resp.ProtoMajor != 2 {
		t.Fatalf("protocol = %s, want HTTP/2", resp.Proto)
	}
}

func TestRedirectListener(t *testing.T) {
	e := newEnv(t, echo(), func(y string) string {
		return strings.Replace(y, "server:\n", "server:\n  redirect_http: \"127.0.0.1:0\"\n", 1)
	})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, method := range []string{"GET", "POST"} {
		req, _ := http.NewRequest(method, "http://"+e.gw.Addr.Redirect+"/v1/orders?a=1", nil)
		req.Host = "api.example.test"
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		_, port, _ := net.SplitHostPort(e.gw.Addr.API)
		want := "https://api.example.test:" + port + "/v1/orders?a=1"
		if resp.StatusCode != 308 || resp.Header.Get("Location") != want {
			t.Fatalf("%s: %d Location %q, want 308 %q", method, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	req, _ := http.NewRequest("GET", "http://"+e.gw.Addr.Redirect+"/x", nil)
	req.Host = "evil.test/@other"
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 308 {
			t.Fatalf("redirected to a malformed host: %s", resp.Header.Get("Location"))
		}
	}
}

func TestReloadRereadsCertificate(t *testing.T) {
	e := newEnv(t, echo(), nil)
	serial := func() string {
		conn, err := tlsDial(e.gw.Addr.API, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.(*tls.Conn).ConnectionState().PeerCertificates[0].SerialNumber.String()
	}
	before := serial()
	if _, _, err := demo.SelfSigned(e.dir); err != nil { // overwrite the files in place
		t.Fatal(err)
	}
	if err := e.gw.Reload(); err != nil {
		t.Fatal(err)
	}
	if after := serial(); after == before {
		t.Fatal("reload did not pick up the new certificate")
	}
}
