package mask

import (
	"strings"
	"testing"
	"time"
)

// adversarial are inputs built to make a careless scanner quadratic:
// every one has a candidate every few bytes whose check looks far ahead.
var adversarial = map[string]string{
	"jwt headers":     strings.Repeat("-eyJ", 1<<18),
	"jwt two parts":   strings.Repeat("eyJaaaaaaaaaa.", 1<<16),
	"jwt payloads":    "eyJaaaaaaaaaaaa." + strings.Repeat("-eyJaaaaaaaaaa.", 1<<16),
	"card groups":     strings.Repeat("4111 ", 1<<18),
	"digits":          strings.Repeat("1", 1<<20),
	"ssn shapes":      strings.Repeat("123-45-", 1<<17),
	"pem begins":      strings.Repeat("-----BEGIN ", 1<<16),
	"pem labels":      strings.Repeat("-----BEGIN "+strings.Repeat("A", 60), 1<<14),
	"pem ends":        "-----BEGIN RSA PRIVATE KEY-----" + strings.Repeat("-----END "+strings.Repeat("A", 60), 1<<14),
	"colons":          strings.Repeat(`"password" :`, 1<<16),
	"field names":     strings.Repeat(`"password":"`, 1<<16),
	"backslashes":     `{"password":"` + strings.Repeat(`\`, 1<<20),
	"quotes":          strings.Repeat(`"`, 1<<20),
	"underscores":     strings.Repeat("_", 1<<20),
	"secret keywords": strings.Repeat("aws_secret_access_key=", 1<<15),
	"tokens":          strings.Repeat("ghp_", 1<<18),
	"slack":           strings.Repeat("xoxb-", 1<<18),
}

// TestAdversarialLinear: each adversarial MiB is masked in about the
// time of any other MiB (a generous bound: shared, slow CI machines).
func TestAdversarialLinear(t *testing.T) {
	f := allClasses(t)
	limit := 2 * time.Second
	if raceEnabled {
		limit = 20 * time.Second
	}
	for name, in := range adversarial {
		for _, k := range []Kind{Text, JSON} {
			start := time.Now()
			f.Mask([]byte(in), k)
			if d := time.Since(start); d > limit {
				t.Errorf("%s (kind %d): %v for %d KiB", name, k, d, len(in)>>10)
			} else if testing.Verbose() {
				t.Logf("%s (kind %d): %v", name, k, d)
			}
		}
	}
}
