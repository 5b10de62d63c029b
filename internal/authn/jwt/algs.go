package jwt

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"strings"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// algSpec says which kind of key an algorithm is verified with.
type algSpec struct {
	kty    string // JWK kty
	crv    string // JWK crv, for EC and OKP
	method gojwt.SigningMethod
}

// algorithms are the only ones this package verifies: asymmetric, so that
// keys can come from a public JWKS. "none" and HS* are absent on purpose.
var algorithms = map[string]algSpec{
	"RS256": {kty: "RSA", method: gojwt.SigningMethodRS256},
	"RS384": {kty: "RSA", method: gojwt.SigningMethodRS384},
	"RS512": {kty: "RSA", method: gojwt.SigningMethodRS512},
	"PS256": {kty: "RSA", method: gojwt.SigningMethodPS256},
	"PS384": {kty: "RSA", method: gojwt.SigningMethodPS384},
	"PS512": {kty: "RSA", method: gojwt.SigningMethodPS512},
	"ES256": {kty: "EC", crv: "P-256", method: gojwt.SigningMethodES256},
	"ES384": {kty: "EC", crv: "P-384", method: gojwt.SigningMethodES384},
	"ES512": {kty: "EC", crv: "P-521", method: gojwt.SigningMethodES512},
	"EdDSA": {kty: "OKP", crv: "Ed25519", method: gojwt.SigningMethodEdDSA},
}

// checkAlgName refuses what can never be verified here, whatever the
// configuration says: none (any spelling), HMAC, unknown names.
func checkAlgName(alg string) error {
	switch {
	case strings.EqualFold(alg, "none"):
		return ErrAlgNone
	case len(alg) >= 2 && strings.EqualFold(alg[:2], "HS"):
		return fmt.Errorf("%w: symmetric (%.16q)", ErrAlgorithm, alg)
	}
	if _, ok := algorithms[alg]; !ok {
		return fmt.Errorf("%w: unsupported (%.16q)", ErrAlgorithm, alg)
	}
	return nil
}

// curveName is the JWK crv of an elliptic curve.
func curveName(c elliptic.Curve) string {
	switch c {
	case elliptic.P256():
		return "P-256"
	case elliptic.P384():
		return "P-384"
	case elliptic.P521():
		return "P-521"
	}
	return ""
}

// verifies reports whether k may verify a token signed with alg: the key
// type and curve must be those of the algorithm and the JWK's own "alg",
// when set, must be the token's.
func (k *key) verifies(alg string) bool {
	spec, ok := algorithms[alg]
	if !ok || k.kty != spec.kty || k.crv != spec.crv {
		return false
	}
	if k.alg != "" && k.alg != alg && (alg != "EdDSA" || k.alg != "Ed25519") {
		return false
	}
	switch pub := k.pub.(type) {
	case *rsa.PublicKey:
		return spec.kty == "RSA" && pub.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		return spec.kty == "EC" && curveName(pub.Curve) == spec.crv
	case ed25519.PublicKey:
		return spec.kty == "OKP" && len(pub) == ed25519.PublicKeySize
	}
	return false
}
