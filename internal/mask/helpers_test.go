package mask

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	mrand "math/rand/v2"
	"strings"
	"testing"
)

// Test credentials are assembled at run time, so that the repository
// holds nothing a secret scanner would flag.
var (
	fakeAWSKeyID  = "AKIA" + "IOSFODNN7EXAMPLE"
	fakeAWSSecret = "wJalrXUtnFEMI/K7MDENG" + "/bPxRfiCYEXAMPLEKEY"
	fakeGitHub    = "gh" + "p_" + strings.Repeat("a1B2", 9)
	fakeGitHubPAT = "github" + "_pat_" + "11ABCDEFG0123456789abc" + "_" + strings.Repeat("x9Y", 19) + "zz"
	fakeSlack     = "xo" + "xb-" + "123456789012-1234567890123-abcdefABCDEFabcdef"
	fakeStripe    = "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
	fakeGoogle    = "AI" + "za" + "SyA-1234567890abcdefghijklmnopqrstu"
	fakeAPIKey    = "ag" + "k_" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" + "a1b2c3"
	fakeJWT       = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9" + "." +
		"eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ" + "." +
		"NHVaYe26MbtOYhSKkoKYdFVomg4i8ZJd8_-RU8VNbftc4TSMb4bXP3l3YlNWACwyXPGffz5aXHc6lty1Y2t4SWRqGteragsVdZufDn5BlnJl9pdR_kdVFUsra2rWKEofkZeIC4yWytE58sMIihvo9H1ScmmVwBcQP6XETqYd0aSHp1gOa9RdUPDvoXQ5oqygTqVtxaDr6wUFKrKItgBMzWIdNZ6y7O9E0DhEPTbE9rfBo6KTFsHAZnMg4k68CDp2woYIaXbmYTWcvbzIuHO7_37GT79XdIwkm95QJ7hYC9RiwrV7mesbY4PAahERJawntho0my942XheVLmGwLMBkQ"
)

// luhnComplete returns prefix with the Luhn check digit appended.
func luhnComplete(prefix string) string {
	for d := byte('0'); d <= '9'; d++ {
		if s := prefix + string(d); luhn([]byte(s)) {
			return s
		}
	}
	panic("unreachable")
}

// testPEM returns a freshly generated EC private key in PEM.
func testPEM(t testing.TB) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// bigPEM returns a PEM block of about size bytes (random base64 body).
func bigPEM(size int) string {
	rng := mrand.New(mrand.NewPCG(7, 7))
	body := make([]byte, size*3/4)
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: body}))
}

func allClasses(t testing.TB) *Filter {
	t.Helper()
	f, err := New([]string{ClassPAN, ClassSSN, ClassSecrets})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// chunkReader returns its data in reads of the sizes next returns.
type chunkReader struct {
	data []byte
	next func() int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.data), max(1, r.next()))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// readers are the read patterns streams are tested with.
func readers(data []byte, seed uint64) map[string]io.Reader {
	rng := mrand.New(mrand.NewPCG(seed, 1))
	return map[string]io.Reader{
		"1 byte":  &chunkReader{data, func() int { return 1 }},
		"7 bytes": &chunkReader{data, func() int { return 7 }},
		"random":  &chunkReader{data, func() int { return 1 + rng.IntN(3*Window) }},
		"whole":   bytes.NewReader(data),
	}
}

// streamed masks data through the streaming reader fed by src.
func streamed(t testing.TB, f *Filter, src io.Reader, k Kind) []byte {
	t.Helper()
	out, err := io.ReadAll(onlyReader{f.NewReader(src, k)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pad is whitespace longer than the Window: what follows it is masked by
// a stream in several rounds, at every offset of the read boundaries.
var pad = strings.Repeat(" ", Window+100)
