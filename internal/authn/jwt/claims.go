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

	gojwt "github.com/golang-jwt/jwt/v5"
)

const (
	maxSubject  = 1024
	maxScopes   = 256
	maxClaimStr = 256
)

// claims are the verified claims this package uses, decoded with exact
// member names (unlike encoding/json's case-insensitive struct matching,
// "SUB" is not "sub"). It implements gojwt.Claims.
type claims struct {
	scopeClaim string // which member holds the scopes; set before decoding

	iss, sub, acr, jti      string
	aud, scopes, amr        []string
	exp, nbf, iat, authTime *gojwt.NumericDate
}

// UnmarshalJSON decodes a claims set: a JSON object without repeated
// member names. A registered claim of the wrong type is an error, not an
// absence.
func (c *claims) UnmarshalJSON(b []byte) error {
	var scp []byte
	hasScope := false
	err := objectMembers(b, func(name, value []byte) error {
		var err error
		switch string(name) {
		case "iss":
			c.iss, err = jsonString(value)
		case "sub":
			c.sub, err = jsonString(value)
		case "acr":
			c.acr, err = jsonString(value)
		case "jti":
			c.jti, err = jsonString(value)
		case "aud":
			c.aud, err = claimStrings(value, false)
		case "amr":
			c.amr, err = claimStrings(value, false)
		case "exp":
			c.exp, err = numericDate(value)
		case "nbf":
			c.nbf, err = numericDate(value)
		case "iat":
			c.iat, err = numericDate(value)
		case "auth_time":
			c.authTime, err = numericDate(value)
		case c.scopeClaim:
			c.scopes, err = claimStrings(value, true)
			hasScope = true
		case "scp":
			scp = value
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidClaim, name, err)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrInvalidClaim) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrInvalidClaim, err)
	}
	if !hasScope && scp != nil {
		if c.scopes, err = claimStrings(scp, true); err != nil {
			return fmt.Errorf("%w: scp: %w", ErrInvalidClaim, err)
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
// (RFC 7519 §2), truncated like golang-jwt does (gojwt.TimePrecision).
func numericDate(raw []byte) (*gojwt.NumericDate, error) {
	if len(raw) == 0 || raw[0] < '0' || raw[0] > '9' {
		return nil, errors.New("not a non-negative number")
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
			return nil, errors.New("out of range")
		}
		return gojwt.NewNumericDate(time.Unix(sec, 0)), nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f > maxNumericDate {
		return nil, errors.New("out of range")
	}
	whole, frac := math.Modf(f)
	return gojwt.NewNumericDate(time.Unix(int64(whole), int64(frac*1e9))), nil
}

// gojwt.Claims, for the library's own checks.

func (c *claims) GetExpirationTime() (*gojwt.NumericDate, error) { return c.exp, nil }
func (c *claims) GetIssuedAt() (*gojwt.NumericDate, error)       { return c.iat, nil }
func (c *claims) GetNotBefore() (*gojwt.NumericDate, error)      { return c.nbf, nil }
func (c *claims) GetIssuer() (string, error)                     { return c.iss, nil }
func (c *claims) GetSubject() (string, error)                    { return c.sub, nil }
func (c *claims) GetAudience() (gojwt.ClaimStrings, error)       { return c.aud, nil }

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
