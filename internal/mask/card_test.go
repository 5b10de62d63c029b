package mask

import (
	"strings"
	"testing"
)

func TestLuhn(t *testing.T) {
	for _, c := range []struct {
		d  string
		ok bool
	}{
		{"4111111111111111", true}, {"4111111111111112", false}, {"79927398713", true},
		{"0", true}, {"18", true}, {"5500000000000004", true}, {"5500000000000005", false},
	} {
		if got := luhn([]byte(c.d)); got != c.ok {
			t.Errorf("luhn(%s) = %v", c.d, got)
		}
	}
}

func TestMatchCard(t *testing.T) {
	visa19 := luhnComplete("411111111111111111")
	cases := []struct {
		in     string
		number bool
		n      int // matched length (0: none)
	}{
		{"4111111111111111", false, 16},
		{"4111111111111111 rest", false, 16},
		{"4111 1111 1111 1111", false, 19},
		{"4111-1111-1111-1111", false, 19},
		{"4111 1111 1111 1111 2026", false, 19}, // a year after it is not part of it
		{"3782 822463 10005", false, 17},        // Amex 4-6-5
		{"340000000000009", false, 15},
		{"30569309025904", false, 14}, // Diners
		{"6011111111111117", false, 16},
		{"3530111333300000", false, 16}, // JCB
		{"2223000048400011", false, 16}, // Mastercard 2-series
		{"6200000000000005", false, 16}, // UnionPay
		{"4222222222222", false, 13},    // Visa 13
		{visa19, false, 19},
		{"4111111111111111.", false, 16},
		{"4111111111111111", true, 16},
		{"4111111111111111,", true, 16},

		{"4111111111111112", false, 0},              // Luhn
		{"4111-1111 1111-1111", false, 0},           // mixed separators
		{"4111  1111 1111 1111", false, 0},          // double space
		{"411 1111 1111 1111 1", false, 0},          // first group of three
		{"41111 111 1111 1111", false, 0},           // first group of five
		{"4111 11 11 1111 1111", false, 0},          // groups of two
		{"41111111111111111111111", false, 0},       // 23 digits
		{"4111111111111111x", false, 0},             // inside a word
		{"4111111111111111_", false, 0},             // inside an identifier
		{"4111111111111111.5", false, 0},            // decimal
		{"4111111111111111.5", true, 0},             // JSON fraction
		{"4111111111111111.", true, 0},              // JSON fraction (cut)
		{"4111111111111111e3", true, 0},             // JSON exponent
		{"1700000000000", false, 0},                 // ms timestamp (IIN 1)
		{"1700000000000000000", false, 0},           // ns timestamp
		{luhnComplete("700000000000000"), false, 0}, // IIN 7
		{luhnComplete("900000000000000"), false, 0}, // IIN 9
		{luhnComplete("3400000000000"), false, 0},   // Amex with 14 digits
		{luhnComplete("511111111111111111"), false, 0},
		{"9780306406157", false, 0}, // ISBN-13
	}
	for _, c := range cases {
		if got := matchCard([]byte(c.in), c.number); got != c.n {
			t.Errorf("matchCard(%q, %v) = %d, want %d", c.in, c.number, got, c.n)
		}
	}
}

func TestPlausibleIIN(t *testing.T) {
	for _, c := range []struct {
		p  string
		ok bool
	}{
		{"4111111111111111", true}, {"4111111111111", true}, {"41111111111111", false},
		{"5100000000000000", true}, {"5600000000000", true}, {"5900000000000000", false},
		{"2200000000000000", true}, {"2221000000000000", true}, {"2721000000000000", false},
		{"3528000000000000", true}, {"3527000000000000", false}, {"3600000000000000", true},
		{"8100000000000000", true}, {"8300000000000000", false}, {"9792000000000000", true},
		{"1000000000000000", false}, {"0000000000000000", false}, {"7000000000000000", false},
	} {
		if got := plausibleIIN([]byte(c.p)); got != c.ok {
			t.Errorf("plausibleIIN(%s) = %v", c.p, got)
		}
	}
}

func TestAppendCardMask(t *testing.T) {
	for in, want := range map[string]string{
		"4111111111111111": "****1111", "3782 822463 10005": "****0005", "4111-1111-1111-1234": "****1234",
	} {
		if got := string(appendCardMask(nil, []byte(in))); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

// FuzzCard checks the card detector against a plain reference: a match
// covers 13–19 digits in the accepted shapes, with a valid check digit
// and scheme prefix, and is never longer than its input.
func FuzzCard(f *testing.F) {
	for _, s := range []string{"4111111111111111", "4111 1111 1111 1111", "3782-822463-10005", "4111111111111111.5", "0000", "6011 1111 1111 1117 99"} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, in []byte, number bool) {
		n := matchCard(in, number)
		if n == 0 {
			if len(in) >= 13 && len(in) <= 19 && strings.Trim(string(in), "0123456789") == "" && validPAN(in) {
				t.Fatalf("a valid bare card number %q was not matched", in)
			}
			return
		}
		if n > len(in) {
			t.Fatalf("match of %d bytes in %d", n, len(in))
		}
		m := in[:n]
		digits := []byte(strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, string(m)))
		if len(digits) < 13 || len(digits) > 19 || !refLuhn(digits) || !plausibleIIN(digits) {
			t.Fatalf("matched %q: %d digits, luhn %v", m, len(digits), refLuhn(digits))
		}
		if seps := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return -1
			}
			return r
		}, string(m)); strings.Trim(seps, " -") != "" || strings.Contains(seps, " ") && strings.Contains(seps, "-") {
			t.Fatalf("matched %q with other separators", m)
		}
		if n < len(in) && (isAlnum(in[n]) || in[n] == '_') {
			t.Fatalf("matched %q inside a word", in)
		}
	})
}

// refLuhn is the Luhn check written differently: double every second
// digit from the right and sum the digits of the products.
func refLuhn(d []byte) bool {
	sum := 0
	for i := range d {
		v := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			v = v*2/10 + v*2%10
		}
		sum += v
	}
	return sum%10 == 0
}
