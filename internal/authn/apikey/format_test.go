package apikey

import (
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"strings"
	"testing"
)

// validKey is a fixed well-formed key (its checksum computed by hand
// below with crc32.ChecksumIEEE, not by the code under test).
const validBody = "AbCdEfGh0123456789abcdefghijklmn"

func validKey(t testing.TB) string {
	t.Helper()
	c := crc32.ChecksumIEEE([]byte(validBody))
	var sum []byte
	for range ChecksumLen {
		sum = append([]byte{alphabet[c%62]}, sum...)
		c /= 62
	}
	return Prefix + validBody + string(sum)
}

func TestGenerateProducesParsableDistinctKeys(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		k, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		s := k.Plaintext()
		if len(s) != Len || !strings.HasPrefix(s, Prefix) {
			t.Fatalf("generated %d characters", len(s))
		}
		p, err := Parse(s)
		if err != nil || p.Plaintext() != s || p.ID() != s[4:12] {
			t.Fatalf("Parse(generated) = %v", err)
		}
		if seen[s] || seen[k.ID()] {
			t.Fatal("Generate repeated itself")
		}
		seen[s], seen[k.ID()] = true, true
	}
}

func TestParse(t *testing.T) {
	good := validKey(t)
	flip := func(i int, c byte) string { b := []byte(good); b[i] = c; return string(b) }
	swap := func(i int) string { b := []byte(good); b[i], b[i+1] = b[i+1], b[i]; return string(b) }
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"valid", good, nil},
		{"empty", "", ErrPrefix},
		{"wrong prefix", "agx_" + good[4:], ErrPrefix},
		{"upper-case prefix", "AGK_" + good[4:], ErrPrefix},
		{"github token", "ghp_" + good[4:], ErrPrefix},
		{"prefix only", Prefix, ErrLength},
		{"truncated by one", good[:Len-1], ErrLength},
		{"truncated checksum", good[:Len-ChecksumLen], ErrLength},
		{"one extra", good + "a", ErrLength},
		{"trailing newline", good + "\n", ErrLength},
		{"dash in body", flip(10, '-'), ErrAlphabet},
		{"underscore in body", flip(20, '_'), ErrAlphabet},
		{"space in checksum", flip(Len-1, ' '), ErrAlphabet},
		{"non-ASCII", flip(5, 0xc3), ErrAlphabet},
		{"NUL", flip(30, 0), ErrAlphabet},
		{"typo in id", flip(4, 'z'), ErrChecksum},
		{"typo in secret", flip(35, '0'), ErrChecksum},
		{"typo in checksum", flip(Len-2, 'Q'), ErrChecksum},
		{"transposition", swap(15), ErrChecksum},
		{"case changed", strings.Replace(good, "AbCd", "abCd", 1), ErrChecksum},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name != "valid" && c.in == good {
				t.Fatal("the case does not change the key")
			}
			k, err := Parse(c.in)
			if !errors.Is(err, c.want) || (c.want != nil && !errors.Is(err, ErrMalformed)) {
				t.Fatalf("Parse = %v, want %v", err, c.want)
			}
			if err == nil && (k.Plaintext() != c.in || k.ID() != "AbCdEfGh") {
				t.Fatalf("Parse = %q id %q", k.Plaintext(), k.ID())
			}
			if err != nil && strings.Contains(err.Error(), good[4:12]) {
				t.Fatal("the error quotes the key")
			}
		})
	}
}

func TestKeyStringsRedactTheSecret(t *testing.T) {
	k, err := Parse(validKey(t))
	if err != nil {
		t.Fatal(err)
	}
	secret := k.Plaintext()[len(Prefix)+IDLen:]
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "key", k)
	for _, s := range []string{k.String(), fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k), logged.String()} {
		if strings.Contains(s, secret) || !strings.Contains(s, "agk_AbCdEfGh") {
			t.Fatalf("formatted key %q leaks the secret or lacks the id", s)
		}
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	s := validKey(t)
	if n := testing.AllocsPerRun(100, func() { _, _ = Parse(s) }); n != 0 {
		t.Fatalf("Parse allocates %v times", n)
	}
}

func FuzzParseKey(f *testing.F) {
	good := validKey(f)
	for _, s := range []string{good, "", Prefix, good[:Len-1], good + "x", "agx_" + good[4:],
		good[:10] + "-" + good[11:], good[:Len-1] + "0"} {
		f.Add(s)
	}
	if k, err := Generate(); err == nil {
		f.Add(k.Plaintext())
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if k.Plaintext() != s || len(s) != Len || k.ID() != s[len(Prefix):len(Prefix)+IDLen] {
			t.Fatalf("parsed %q re-formats to %q", s, k.Plaintext())
		}
		if sum := checksum(s[len(Prefix) : len(Prefix)+BodyLen]); string(sum[:]) != s[Len-ChecksumLen:] {
			t.Fatal("accepted a wrong checksum")
		}
		if crc32String(s[4:36]) != crc32.ChecksumIEEE([]byte(s[4:36])) {
			t.Fatal("crc32String differs from hash/crc32")
		}
	})
}

func BenchmarkParse(b *testing.B) {
	s := validKey(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}
