package checks

import "testing"

func TestTLSMissing(t *testing.T) {
	if got := fired(scanShop(t, newShop(), opts{spec: shopSpec}, tlsMissing{}), "tls.missing"); len(got) != 1 || got[0].Path != "/" || got[0].Method != "" {
		t.Fatalf("plain HTTP: %+v", got)
	}
	if got := fired(scanShop(t, newShop(), opts{spec: shopSpec, tls: true}, tlsMissing{}), "tls.missing"); len(got) != 0 {
		t.Fatalf("HTTPS: %+v", got)
	}
}
