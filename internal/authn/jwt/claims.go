package jwt

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

const (
	maxSubject  = 1024
	maxScopes   = 256
	maxClaimStr = 256
)

// claims are the verified claims this package uses, decoded with exact
// member names (unlike encoding/json's case-insensitive struct matching,
// "SUB" is not "sub") from a rawClaims, only once the signature has
// verified, and checked by issuer.checkClaims.
type claims struct {
	iss, sub, acr, jti      string
	aud, scopes, amr        []string
	exp, nbf, iat, authTime time.Time // zero when absent
}

// The payload members this package reads besides iss and the configured
// scope claims, by index in rawClaims.reg.
const (
	rSub = iota
	rAcr
	rJti
	rAud
	rAmr
	rExp
	rNbf
	rIat
	rAuthTime
	rScp
	numReg
)

var regNames = [numReg]string{"sub", "acr", "jti", "aud", "amr", "exp", "nbf", "iat", "auth_time", "scp"}

// rawClaims are the members of a payload that this package reads, as raw
// JSON values, delimited by one pass of objectMembers over the decoded
// payload (valid JSON, an object, no repeated member name, exact names).
// That pass decodes only "iss", to choose the issuer whose keys verify
// the token; nothing else is decoded before the signature has verified
// (claims.decode). A member absent from the payload is nil.
type rawClaims struct {
	iss string
	reg [numReg][]byte
}

// scanClaims delimits the members of a decoded payload into r, and the
// raw values of the scope claims named by scopeNames into scope (same
// length). scopeNames are the (distinct) scope claims of all issuers,
// other than "scp": which one counts depends on the issuer, not known
// before "iss" is read.
func scanClaims(pb []byte, scopeNames []string, scope [][]byte, r *rawClaims) error {
	if len(scope) != len(scopeNames) {
		return fmt.Errorf("%w: scope claims", errScanInternal)
	}
	clear(scope)
	err := objectMembers(pb, func(name, value []byte) error {
		switch string(name) {
		case "iss":
			s, err := jsonString(value)
			if err != nil {
				return fmt.Errorf("%w: iss: %w", ErrMalformed, err)
			}
			r.iss = s
			return nil
		case "sub":
			r.reg[rSub] = value
		case "acr":
			r.reg[rAcr] = value
		case "jti":
			r.reg[rJti] = value
		case "aud":
			r.reg[rAud] = value
		case "amr":
			r.reg[rAmr] = value
		case "exp":
			r.reg[rExp] = value
		case "nbf":
			r.reg[rNbf] = value
		case "iat":
			r.reg[rIat] = value
		case "auth_time":
			r.reg[rAuthTime] = value
		case "scp":
			r.reg[rScp] = value
		default:
			for i, n := range scopeNames {
				if string(name) == n {
					scope[i] = value
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrMalformed) {
			return err
		}
		return fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	return nil
}

// decode decodes the raw claims (rawClaims.iss and .reg, passed by value
// so that the caller's rawClaims stays on its stack) of a token whose
// signature has verified;
// scope is the raw value of the issuer's scope claim (nil when absent:
// then "scp" is used). A registered claim of the wrong type is an error,
// not an absence.
func (c *claims) decode(iss string, reg [numReg][]byte, scopeClaim string, scope []byte) error {
	c.iss = iss
	for i, raw := range reg {
		if raw == nil {
			continue
		}
		var err error
		switch i {
		case rSub:
			c.sub, err = jsonString(raw)
		case rAcr:
			c.acr, err = jsonString(raw)
		case rJti:
			c.jti, err = jsonString(raw)
		case rAud:
			c.aud, err = claimStrings(raw, false)
		case rAmr:
			c.amr, err = claimStrings(raw, false)
		case rExp:
			c.exp, err = numericDate(raw)
		case rNbf:
			c.nbf, err = numericDate(raw)
		case rIat:
			c.iat, err = numericDate(raw)
		case rAuthTime:
			c.authTime, err = numericDate(raw)
		case rScp:
			if scope == nil {
				c.scopes, err = claimStrings(raw, true)
			}
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidClaim, regNames[i], err)
		}
	}
	if scope != nil {
		var err error
		if c.scopes, err = claimStrings(scope, true); err != nil {
			return fmt.Errorf("%w: %.64s: %w", ErrInvalidClaim, scopeClaim, err)
		}
	}
	return nil
}

// claimStrings decodes a string or an array of strings; a string is one
// value, or space-separated values when spaceSeparated (scopes).
func claimStrings(raw []byte, spaceSeparated bool) ([]string, error) {
	if len(raw) > 0 && raw[0] == '"' {
		s, err := jsonString(raw)
		if err != nil {
			return nil, err
		}
		if spaceSeparated {
			return strings.Fields(s), nil
		}
		return []string{s}, nil
	}
	if len(raw) == 0 || raw[0] != '[' {
		return nil, errors.New("neither a string nor an array")
	}
	var vs []string
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, err
	}
	if slices.Contains(vs, "") { // null elements decode as "" too
		return nil, errors.New("array with null or empty elements")
	}
	return vs, nil
}

// maxNumericDate is year 5138: beyond it a date is nonsense, and far from
// any overflow of time arithmetic.
const maxNumericDate = 1e11

// numericDate decodes a JSON number of seconds since the epoch
// (RFC 7519 §2), truncated to the second (as golang-jwt's NumericDate
// does with its default TimePrecision). The result is never the zero
// time (which marks an absent claim): the epoch is 1970, not year 1.
func numericDate(raw []byte) (time.Time, error) {
	if len(raw) == 0 || raw[0] < '0' || raw[0] > '9' {
		return time.Time{}, errors.New("not a non-negative number")
	}
	var sec int64
	integer := len(raw) <= 12 // fast path: up to 12 digits, no fraction
	for i := 0; integer && i < len(raw); i++ {
		if d := raw[i]; d >= '0' && d <= '9' {
			sec = sec*10 + int64(d-'0')
		} else {
			integer = false
		}
	}
	if integer {
		if sec > maxNumericDate {
			return time.Time{}, errors.New("out of range")
		}
		return time.Unix(sec, 0), nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f > maxNumericDate {
		return time.Time{}, errors.New("out of range")
	}
	whole, frac := math.Modf(f)
	return time.Unix(int64(whole), int64(frac*1e9)).Truncate(time.Second), nil
}

// printable reports whether s has no control characters: values that end
// up in upstream headers, logs and audit records.
func printable(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}

// isScopeToken reports whether s is an RFC 6749 §3.3 scope-token:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func isScopeToken(s string) bool {
	if s == "" || len(s) > maxClaimStr {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
