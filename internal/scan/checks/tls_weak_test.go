package checks

import (
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/scan"
)

// TestTLSWeak: the flawed twin accepts TLS 1.0 and sends no HSTS.
func TestTLSWeak(t *testing.T) {
	f := twin(t, tlsWeak{}, "tls-weak", opts{spec: shopSpec, tls: true})
	if f.Severity != scan.Medium || !strings.Contains(f.Evidence, "TLS 1.") || !strings.Contains(f.Evidence, "Strict-Transport-Security") {
		t.Fatalf("%+v", f)
	}
}
