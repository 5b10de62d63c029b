package jwt

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/config"
)

const (
	defaultMaxTTL     = time.Hour
	defaultScopeClaim = "scope"
	maxLeeway         = 5 * time.Minute
)

// mfaAMR are the amr values (RFC 8176) that count as multi-factor.
var mfaAMR = []string{"mfa", "otp", "hwk"}

// issuer is one configured issuer, compiled.
type issuer struct {
	name       string
	audiences  []string
	algs       []string
	maxTTL     time.Duration
	leeway     time.Duration
	scopeClaim string
	scopeIdx   int // of scopeClaim in Authenticator.scopeNames; -1 for "scp"
	stepUpACR  []string
	src        *source
}

// compileIssuer validates one issuer of the configuration. The loader
// has already applied defaults; zero values get them here too.
func compileIssuer(c config.JWTIssuer) (*issuer, error) {
	if c.Issuer == "" {
		return nil, errors.New("issuer is empty")
	}
	if len(c.Audiences) == 0 || slices.Contains(c.Audiences, "") {
		return nil, errors.New("audiences: at least one non-empty audience is required")
	}
	if len(c.Algorithms) == 0 {
		return nil, errors.New("algorithms: required")
	}
	for _, a := range c.Algorithms {
		if err := checkAlgName(a); err != nil {
			return nil, fmt.Errorf("algorithms: %w", err)
		}
	}
	switch {
	case c.JWKSURL != "" && c.JWKSFile != "":
		return nil, errors.New("jwks_url and jwks_file are exclusive")
	case c.JWKSURL == "" && c.JWKSFile == "":
		return nil, errors.New("jwks_url or jwks_file is required")
	case c.JWKSURL != "":
		u, err := url.Parse(c.JWKSURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			return nil, errors.New("jwks_url: an http(s) URL without credentials is required")
		}
	}
	is := &issuer{
		name:       c.Issuer,
		audiences:  slices.Clone(c.Audiences),
		algs:       slices.Clone(c.Algorithms),
		maxTTL:     time.Duration(c.MaxTTL),
		leeway:     time.Duration(c.Leeway),
		scopeClaim: strings.TrimSpace(c.ScopeClaim),
		stepUpACR:  slices.Clone(c.StepUpACR),
	}
	if is.maxTTL <= 0 {
		is.maxTTL = defaultMaxTTL
	}
	if is.leeway < 0 || is.leeway > maxLeeway {
		return nil, fmt.Errorf("leeway: must be between 0 and %v", maxLeeway)
	}
	switch is.scopeClaim {
	case "":
		is.scopeClaim = defaultScopeClaim
	case "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "auth_time", "amr", "acr":
		return nil, fmt.Errorf("scope_claim: %q is a registered claim", is.scopeClaim)
	}
	return is, nil
}

// checkClaims applies every claim rule of the contract to claims whose
// signature has verified. Nothing else checks them: this is the only
// validation of iss, aud, exp, nbf, iat and the lifetime. Of several
// failures, the one reported is the most serious (a token with a foreign
// audience that has also expired is "invalid", not "expired").
func (is *issuer) checkClaims(c *claims, now time.Time) error {
	if c.iss != is.name {
		return fmt.Errorf("%w: iss does not match", ErrUnknownIssuer)
	}
	if len(c.aud) > 0 && !slices.ContainsFunc(c.aud, func(a string) bool { return slices.Contains(is.audiences, a) }) {
		return ErrAudience
	}
	if len(c.aud) == 0 {
		return fmt.Errorf("%w: aud", ErrMissingClaim)
	}
	if c.exp.IsZero() {
		return fmt.Errorf("%w: exp", ErrMissingClaim)
	}
	if !c.iat.IsZero() && now.Before(c.iat.Add(-is.leeway)) {
		return ErrIssuedInFuture
	}
	if !c.nbf.IsZero() && now.Before(c.nbf.Add(-is.leeway)) {
		return ErrNotYetValid
	}
	exp := c.exp
	if !now.Before(exp.Add(is.leeway)) {
		return ErrExpired
	}
	if !c.iat.IsZero() {
		if life := exp.Sub(c.iat); life > is.maxTTL || life < 0 {
			return fmt.Errorf("%w: exp - iat = %v", ErrLifetime, life)
		}
	} else if left := exp.Sub(now); left > is.maxTTL+is.leeway {
		return fmt.Errorf("%w: no iat and exp - now = %v", ErrLifetime, left.Truncate(time.Second))
	}
	if c.sub == "" {
		return fmt.Errorf("%w: sub", ErrMissingClaim)
	}
	if len(c.sub) > maxSubject || !printable(c.sub) {
		return fmt.Errorf("%w: sub is not a printable string of at most %d bytes", ErrInvalidClaim, maxSubject)
	}
	if len(c.scopes) > maxScopes {
		return fmt.Errorf("%w: more than %d scopes", ErrInvalidClaim, maxScopes)
	}
	for _, s := range c.scopes {
		if !isScopeToken(s) {
			return fmt.Errorf("%w: a scope is not an RFC 6749 scope-token", ErrInvalidClaim)
		}
	}
	if len(c.amr) > maxScopes {
		return fmt.Errorf("%w: amr too long", ErrInvalidClaim)
	}
	for _, s := range c.amr {
		if s == "" || len(s) > maxClaimStr || !printable(s) {
			return fmt.Errorf("%w: an amr value is not printable", ErrInvalidClaim)
		}
	}
	if len(c.acr) > maxClaimStr || !printable(c.acr) {
		return fmt.Errorf("%w: acr is not printable", ErrInvalidClaim)
	}
	return nil
}

// mfa reports whether the claims show multi-factor authentication: an
// amr of mfa, otp or hwk, or an acr that the issuer lists in step_up_acr.
func (is *issuer) mfa(c *claims) bool {
	for _, m := range c.amr {
		if slices.Contains(mfaAMR, m) {
			return true
		}
	}
	return c.acr != "" && slices.Contains(is.stepUpACR, c.acr)
}
