package jwt

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"
	"unsafe"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/apiguard/apiguard/internal/pipeline"
)

// Verified is what a verified token proved.
type Verified struct {
	// Principal is the identity: Subject (sub), Scopes (scope_claim, else
	// scp), AuthTime (auth_time), AMR (amr), ACR (acr); Method is "jwt".
	Principal *pipeline.Principal
	// Issuer is the token's iss, one of the configured issuers.
	Issuer string
	// ExpiresAt is the token's exp.
	ExpiresAt time.Time
	// ID is the token's jti, if any.
	ID string
	// MFA reports multi-factor authentication for step-up: amr has mfa,
	// otp or hwk, or acr is one of the issuer's step_up_acr.
	MFA bool
}

// Verify verifies a raw token (without "Bearer "). It returns a 401
// *problem.Error for a token it refuses (its Cause wraps the reason,
// errors.Is-able against this package's Err* values) and a 503 one when
// the issuer's keys were never loaded. The result is the caller's.
func (a *Authenticator) Verify(ctx context.Context, token string) (*Verified, error) {
	v, err := a.verify(ctx, token)
	if err != nil {
		return nil, err
	}
	c := *v
	c.Principal = clonePrincipal(v.Principal)
	return &c, nil
}

// verify returns a shared, immutable *Verified.
func (a *Authenticator) verify(ctx context.Context, tok string) (*Verified, error) {
	now := a.now()
	if a.cache == nil || len(tok) > MaxTokenSize {
		return a.verifySignature(ctx, tok, now, nil)
	}
	h := tokenHash(tok)
	if v, ok := a.cache.get(&h, now); ok {
		a.stats.hits.Add(1)
		return v, nil
	}
	a.stats.misses.Add(1)
	return a.verifySignature(ctx, tok, now, &h)
}

// verifySignature is the full check; a success is cached under h when h
// is not nil. Only our own parser reads the token: golang-jwt is used for
// the signature check alone (SigningMethod.Verify, with the method object
// of the allow-listed alg), and no claim is decoded, let alone trusted,
// before the signature has verified (only the unverified "iss" is peeked
// at, to choose the keys).
func (a *Authenticator) verifySignature(ctx context.Context, tok string, now time.Time, h *[32]byte) (*Verified, error) {
	p, err := preparse(tok)
	if err != nil {
		return nil, deny(err)
	}
	pb, err := decodePayload(p.payload)
	if err != nil {
		return nil, deny(err)
	}
	var raw rawClaims
	var scopeBuf [4][]byte
	scopes := scopeBuf[:0]
	if len(a.scopeNames) > len(scopeBuf) {
		scopes = make([][]byte, 0, len(a.scopeNames))
	}
	scopes = scopes[:len(a.scopeNames)]
	if err := scanClaims(pb, a.scopeNames, scopes, &raw); err != nil {
		return nil, deny(err)
	}
	name, err := raw.issuer()
	if err != nil {
		return nil, deny(err)
	}
	is := a.byName[name]
	if is == nil {
		return nil, deny(ErrUnknownIssuer)
	}
	if !slices.Contains(is.algs, p.alg) {
		return nil, deny(fmt.Errorf("%w: %s is not configured for this issuer", ErrAlgorithm, p.alg))
	}
	spec, ok := algorithms[p.alg]
	if !ok || spec.method == nil || spec.method.Alg() != p.alg {
		return nil, deny(fmt.Errorf("%w: %.16q", ErrAlgorithm, p.alg))
	}
	keys, ks, err := is.src.keysFor(ctx, p.alg, p.kid, p.hasKid)
	if err != nil {
		return nil, deny(err)
	}
	sig, err := b64.DecodeString(p.sig)
	if err != nil {
		return nil, deny(fmt.Errorf("%w: signature encoding: %w", ErrMalformed, err))
	}
	if err := verifyWith(spec.method, p.signed, sig, keys); err != nil {
		return nil, deny(err)
	}
	// The signature holds: the claims are the issuer's.
	var scope []byte
	if is.scopeIdx >= 0 {
		scope = scopes[is.scopeIdx]
	}
	var c claims
	if err := c.decode(raw.iss, raw.reg, is.scopeClaim, scope); err != nil {
		return nil, deny(err)
	}
	if err := is.checkClaims(&c, now); err != nil {
		return nil, deny(err)
	}
	exp := c.exp
	mfa := is.mfa(&c)
	v := &Verified{
		Principal: &pipeline.Principal{
			Subject: c.sub, Method: Method, Scopes: c.scopes,
			AMR: c.amr, ACR: c.acr, MFA: mfa, ExpiresAt: exp,
		},
		Issuer: is.name, ExpiresAt: exp, ID: c.jti, MFA: mfa,
	}
	v.Principal.AuthTime = c.authTime
	if h != nil {
		a.cache.put(h, &cacheEntry{v: v, deadline: exp.Add(is.leeway), src: is.src, ks: ks}, now)
	}
	return v, nil
}

// verifyWith checks sig over signed with golang-jwt's verification of
// method, against each candidate key in turn (several only for a token
// without kid): the token is genuine if one of them verifies it.
func verifyWith(m gojwt.SigningMethod, signed string, sig []byte, keys []*key) error {
	if len(keys) == 0 {
		return fmt.Errorf("%w: no key", ErrSignature)
	}
	var err error
	for _, k := range keys {
		if err = m.Verify(signed, sig, k.pub); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: %w", ErrSignature, err)
}

// tokenHash is the cache key of a token: SHA-256, so that a forged token
// cannot collide with a cached one. It hashes the string's bytes in place
// (sha256 only reads its input), sparing a copy of up to 8 KiB per request.
func tokenHash(tok string) [32]byte {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(tok), len(tok)))
}

// clonePrincipal copies p so that no caller can change what the cache
// hands to the next request.
func clonePrincipal(p *pipeline.Principal) *pipeline.Principal {
	c := *p
	c.Scopes = slices.Clone(p.Scopes)
	c.AMR = slices.Clone(p.AMR)
	return &c
}
