package jwt

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// MaxTokenSize is the largest token accepted, in bytes. Larger tokens are
// refused before any decoding.
const MaxTokenSize = 8 << 10

// maxHeaderSegment bounds the encoded JOSE header (≈ 1.5 KiB decoded).
const maxHeaderSegment = 2048

// b64 is the JWS encoding: base64url, no padding, canonical trailing
// bits (so that one token has exactly one spelling).
var b64 = base64.RawURLEncoding.Strict()

// b64urlAlphabet marks the bytes of the base64url alphabet.
var b64urlAlphabet = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
		t[c] = true
	}
	return t
}()

// LooksLikeJWS reports whether a bearer token is shaped like a JWS compact
// serialisation and is therefore the jwt authenticator's to judge (see the
// package doc); the introspection authenticator takes every other bearer
// token, so both use this one function. Of a token longer than
// MaxTokenSize it reads only the first MaxTokenSize bytes: enough to claim
// it, and then refuse it as too large.
func LooksLikeJWS(tok string) bool {
	s, whole := tok, true
	if len(s) > MaxTokenSize {
		s, whole = s[:MaxTokenSize], false
	}
	if !strings.HasPrefix(s, "ey") {
		return false
	}
	dots := [2]int{-1, -1}
	n := 0
	for i := 0; i < len(s); i++ {
		if b64urlAlphabet[s[i]] {
			continue
		}
		if s[i] != '.' || n == 2 {
			return false
		}
		dots[n] = i
		n++
	}
	if !whole {
		return n >= 1
	}
	// header.payload.signature: header and payload non-empty; an empty
	// signature (alg none) is still ours, to be refused.
	return n == 2 && dots[1] > dots[0]+1
}

// header is what the pre-parser keeps of a JOSE header.
type header struct {
	alg    string
	kid    string
	hasKid bool
	typ    string
}

// preparsed is a token split into its segments, with its header decoded.
// Nothing in it is verified.
type preparsed struct {
	header
	payload string // encoded
	signed  string // the signing input: header.payload, as received
	sig     string // encoded signature, never empty
}

// preparse splits a compact JWS and decodes and vets its header. It never
// decodes the payload or the signature.
func preparse(tok string) (preparsed, error) {
	var p preparsed
	if len(tok) > MaxTokenSize {
		return p, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(tok))
	}
	h, rest, ok := strings.Cut(tok, ".")
	if !ok {
		return p, fmt.Errorf("%w: not three segments", ErrMalformed)
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(sig, '.') >= 0 {
		return p, fmt.Errorf("%w: not three segments", ErrMalformed)
	}
	if h == "" || payload == "" {
		return p, fmt.Errorf("%w: empty segment", ErrMalformed)
	}
	if len(h) > maxHeaderSegment {
		return p, fmt.Errorf("%w: header of %d bytes", ErrMalformed, len(h))
	}
	hb, err := b64.DecodeString(h)
	if err != nil {
		return p, fmt.Errorf("%w: header encoding: %w", ErrMalformed, err)
	}
	p.header, err = parseHeader(hb)
	if err != nil {
		return p, err
	}
	if sig == "" {
		return p, fmt.Errorf("%w: no signature", ErrSignature)
	}
	p.payload = payload
	p.signed = tok[:len(h)+1+len(payload)]
	p.sig = sig
	return p, nil
}

// parseHeader decodes a JOSE header: a JSON object whose members are all
// distinct, with a string "alg" that this package can verify, and none of
// the parameters that would let a token choose its own key or change how
// it is processed.
func parseHeader(b []byte) (header, error) {
	var h header
	hasAlg := false
	err := objectMembers(b, func(name, value []byte) error {
		var err error
		switch string(name) {
		case "jwk", "jku", "x5u", "x5c":
			return fmt.Errorf("%w (%s)", ErrEmbeddedKey, name)
		case "crit":
			return ErrCritical
		case "b64", "zip", "enc":
			return fmt.Errorf("%w (%s)", ErrHeader, name)
		case "alg":
			h.alg, err = headerString("alg", value)
			hasAlg = true
		case "kid":
			h.kid, err = headerString("kid", value)
			h.hasKid = true
		case "typ":
			if h.typ, err = headerString("typ", value); err == nil && !typeAllowed(h.typ) {
				err = fmt.Errorf("%w %.32q", ErrType, h.typ)
			}
		case "cty":
			var cty string
			if cty, err = headerString("cty", value); err == nil && typeIs(cty, "jwt") {
				err = fmt.Errorf("%w (nested JWT)", ErrHeader)
			}
		}
		return err
	})
	if err != nil {
		if errors.Is(err, ErrHeader) || errors.Is(err, ErrMalformed) {
			return h, err
		}
		return h, fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	if !hasAlg {
		return h, fmt.Errorf("%w: no alg", ErrAlgorithm)
	}
	if err := checkAlgName(h.alg); err != nil {
		return h, err
	}
	return h, nil
}

func headerString(name string, raw []byte) (string, error) {
	s, err := jsonString(raw)
	if err != nil {
		return "", fmt.Errorf("%w: header %s: %w", ErrMalformed, name, err)
	}
	return s, nil
}

// typeAllowed accepts the typ values of an ID or access token
// (RFC 7519 §5.1, RFC 9068), case-insensitively and with or without the
// "application/" prefix.
func typeAllowed(typ string) bool {
	return typeIs(typ, "jwt") || typeIs(typ, "at+jwt")
}

func typeIs(v, want string) bool {
	if len(v) > len("application/") && strings.EqualFold(v[:len("application/")], "application/") {
		v = v[len("application/"):]
	}
	return strings.EqualFold(v, want)
}

// peekIssuer reads the unverified "iss" of an encoded payload, only to
// choose whose keys to verify the token with. It decodes like the claims
// decoder (exact names, no repeats); the verified claims must name the
// same issuer anyway.
func peekIssuer(payload string) (string, error) {
	pb, err := decodePayload(payload)
	if err != nil {
		return "", err
	}
	return issuerOf(pb)
}

// decodePayload decodes the payload segment (canonical base64url). The
// bytes are decoded once: peeked at for "iss" before the signature check,
// decoded as claims only after it.
func decodePayload(payload string) ([]byte, error) {
	pb, err := b64.DecodeString(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload encoding: %w", ErrMalformed, err)
	}
	return pb, nil
}

// issuerOf is peekIssuer on a decoded payload.
func issuerOf(pb []byte) (string, error) {
	var r rawClaims
	if err := scanClaims(pb, nil, nil, &r); err != nil {
		return "", err
	}
	return r.issuer()
}

// issuer is the unverified "iss", which must be present.
func (r *rawClaims) issuer() (string, error) {
	if r.iss == "" {
		return "", fmt.Errorf("%w: iss", ErrMissingClaim)
	}
	return r.iss, nil
}
