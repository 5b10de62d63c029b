package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"
)

const (
	minRSABits  = 2048
	maxRSABits  = 8192 // bounds the cost of one verification
	maxJWKSKeys = 100
)

// key is one verification key of an issuer's JWKS.
type key struct {
	kid string
	kty string
	crv string
	alg string // the JWK's "alg", "" when unset
	pub crypto.PublicKey
}

// keySet is one loaded JWKS. It is immutable once published: a refresh
// that changes the keys publishes a new one, and cache entries verified
// with an older set die with it.
type keySet struct {
	byKid  map[string][]*key
	all    []*key
	digest [32]byte // SHA-256 of the document it was parsed from
	loaded time.Time
}

// rawJWK is the part of a JWK (RFC 7517, 7518, 8037) that we read.
type rawJWK struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Alg    string   `json:"alg"`
	Crv    string   `json:"crv"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
	// Private or symmetric material: a key carrying any is never used.
	D json.RawMessage `json:"d"`
	P json.RawMessage `json:"p"`
	Q json.RawMessage `json:"q"`
	K json.RawMessage `json:"k"`
}

// parseJWKS parses a JWK Set. Keys that cannot be used for signature
// verification are skipped and reported in skipped; a set without any
// usable key is an error.
func parseJWKS(doc []byte) (ks *keySet, skipped []error, err error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrJWKSInvalid, err)
	}
	if len(set.Keys) > maxJWKSKeys {
		return nil, nil, fmt.Errorf("%w: %d keys (at most %d)", ErrJWKSInvalid, len(set.Keys), maxJWKSKeys)
	}
	ks = &keySet{byKid: make(map[string][]*key, len(set.Keys)), digest: sha256.Sum256(doc)}
	for i, raw := range set.Keys {
		k, err := parseJWK(raw)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("keys[%d]: %w", i, err))
			continue
		}
		ks.all = append(ks.all, k)
		ks.byKid[k.kid] = append(ks.byKid[k.kid], k)
	}
	if len(ks.all) == 0 {
		return nil, skipped, fmt.Errorf("%w: no usable signature key", ErrJWKSInvalid)
	}
	return ks, skipped, nil
}

var errSkip = errors.New("key skipped")

func parseJWK(raw []byte) (*key, error) {
	var j rawJWK
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, err
	}
	if j.D != nil || j.P != nil || j.Q != nil || j.K != nil {
		return nil, fmt.Errorf("%w: kid %.64q carries private or symmetric material", errSkip, j.Kid)
	}
	if j.Use != "" && j.Use != "sig" {
		return nil, fmt.Errorf("%w: kid %.64q has use %.16q", errSkip, j.Kid, j.Use)
	}
	if j.KeyOps != nil && !slices.Contains(j.KeyOps, "verify") {
		return nil, fmt.Errorf("%w: kid %.64q: key_ops without verify", errSkip, j.Kid)
	}
	if j.Alg != "" && j.Alg != "Ed25519" {
		if err := checkAlgName(j.Alg); err != nil {
			return nil, fmt.Errorf("%w: kid %.64q: %w", errSkip, j.Kid, err)
		}
	}
	k := &key{kid: j.Kid, kty: j.Kty, alg: j.Alg}
	var err error
	switch j.Kty {
	case "RSA":
		k.pub, err = rsaKey(j.N, j.E)
	case "EC":
		k.crv = j.Crv
		k.pub, err = ecKey(j.Crv, j.X, j.Y)
	case "OKP":
		k.crv = j.Crv
		k.pub, err = okpKey(j.Crv, j.X)
	default:
		err = fmt.Errorf("unsupported kty %.16q", j.Kty)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: kid %.64q: %w", errSkip, j.Kid, err)
	}
	if k.alg != "" && !k.verifies(k.alg) && !(k.alg == "Ed25519" && k.verifies("EdDSA")) {
		return nil, fmt.Errorf("%w: kid %.64q: alg %s does not fit kty %s", errSkip, j.Kid, k.alg, k.kty)
	}
	return k, nil
}

func rsaKey(n64, e64 string) (*rsa.PublicKey, error) {
	nb, err := b64.DecodeString(n64)
	if err != nil {
		return nil, fmt.Errorf("n: %w", err)
	}
	eb, err := b64.DecodeString(e64)
	if err != nil {
		return nil, fmt.Errorf("e: %w", err)
	}
	n := new(big.Int).SetBytes(nb)
	if bits := n.BitLen(); bits < minRSABits || bits > maxRSABits {
		return nil, fmt.Errorf("RSA modulus of %d bits (want %d to %d)", bits, minRSABits, maxRSABits)
	}
	if len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("RSA exponent out of range")
	}
	e := 0
	for _, b := range eb {
		e = e<<8 | int(b)
	}
	if e < 3 || e%2 == 0 || e > 1<<31-1 {
		return nil, errors.New("RSA exponent out of range")
	}
	return &rsa.PublicKey{N: n, E: e}, nil
}

func ecKey(crv, x64, y64 string) (*ecdsa.PublicKey, error) {
	var c elliptic.Curve
	switch crv {
	case "P-256":
		c = elliptic.P256()
	case "P-384":
		c = elliptic.P384()
	case "P-521":
		c = elliptic.P521()
	default:
		return nil, fmt.Errorf("unsupported crv %.16q", crv)
	}
	size := (c.Params().BitSize + 7) / 8
	x, err := b64.DecodeString(x64)
	if err != nil {
		return nil, fmt.Errorf("x: %w", err)
	}
	y, err := b64.DecodeString(y64)
	if err != nil {
		return nil, fmt.Errorf("y: %w", err)
	}
	if len(x) > size || len(y) > size {
		return nil, errors.New("EC coordinate too long")
	}
	// Uncompressed point, coordinates left-padded to the field size; the
	// parser checks that the point is on the curve.
	pt := make([]byte, 1+2*size)
	pt[0] = 4
	copy(pt[1+size-len(x):1+size], x)
	copy(pt[1+2*size-len(y):], y)
	return ecdsa.ParseUncompressedPublicKey(c, pt)
}

func okpKey(crv, x64 string) (ed25519.PublicKey, error) {
	if crv != "Ed25519" {
		return nil, fmt.Errorf("unsupported crv %.16q", crv)
	}
	x, err := b64.DecodeString(x64)
	if err != nil {
		return nil, fmt.Errorf("x: %w", err)
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, errors.New("Ed25519 key of wrong length")
	}
	return ed25519.PublicKey(x), nil
}

// maxKidless bounds the keys tried for a token without "kid".
const maxKidless = 3

// find returns the keys of s that may verify a token with this alg and
// kid. known is false when no key has that kid (or, without kid, when no
// key fits), which is worth a refresh; known with no keys is a mismatch.
func (s *keySet) find(alg, kid string, hasKid bool) (keys []*key, known bool) {
	cands := s.all
	if hasKid {
		cands = s.byKid[kid]
		if len(cands) == 0 {
			return nil, false
		}
	}
	for _, k := range cands {
		if k.verifies(alg) {
			keys = append(keys, k)
		}
	}
	if !hasKid && len(keys) == 0 {
		return nil, false
	}
	return keys, true
}
