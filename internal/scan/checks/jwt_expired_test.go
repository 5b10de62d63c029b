package checks

import (
	"testing"
)

// TestJWTExpired: the shop signs with a weak secret in both twins, so the
// check can mint an expired token; only the flawed twin accepts it.
func TestJWTExpired(t *testing.T) {
	chks := []struct{ flaws []string }{{[]string{"weak-secret", "expired"}}, {[]string{"weak-secret"}}}
	for i, c := range chks {
		res := scanShop(t, newShop(c.flaws...), opts{spec: shopSpec}, jwtWeakSecret{}, jwtExpired{})
		got := fired(res, "jwt.expired-accepted")
		if (i == 0) != (len(got) > 0) {
			t.Fatalf("flaws %v: findings %+v notes %v", c.flaws, res.Findings, res.Notes)
		}
	}
}

func TestJWTExpiredWithoutForgeryProvesNothing(t *testing.T) {
	res := scanShop(t, newShop("expired"), opts{spec: shopSpec}, jwtExpired{})
	if len(res.Findings) != 0 || len(res.Notes) == 0 {
		t.Fatalf("want no finding and a note, got %+v %v", res.Findings, res.Notes)
	}
}
