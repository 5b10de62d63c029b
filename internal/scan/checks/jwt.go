package checks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// token is a decoded compact JWT.
type token struct {
	header, claims map[string]any
	parts          [3]string
}

var b64 = base64.RawURLEncoding

func parseToken(s string) (*token, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWT")
	}
	t := &token{parts: [3]string{parts[0], parts[1], parts[2]}}
	for i, dst := range []*map[string]any{&t.header, &t.claims} {
		b, err := b64.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *token) alg() string { s, _ := t.header["alg"].(string); return s }

func segment(v any) string {
	b, _ := json.Marshal(v)
	return b64.EncodeToString(b)
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// hmacFor returns the hash of an HS* alg, or nil.
func hmacFor(alg string) func() hash.Hash {
	switch alg {
	case "HS256":
		return sha256.New
	case "HS384":
		return sha512.New384
	case "HS512":
		return sha512.New
	}
	return nil
}

func hmacSign(alg, secret, input string) string {
	mac := hmac.New(hmacFor(alg), []byte(secret))
	mac.Write([]byte(input))
	return b64.EncodeToString(mac.Sum(nil))
}

// signer builds a token the API is known to accept from header and claims:
// with the cracked HMAC secret, as alg none, or with the original
// signature when signatures are not verified. ok is false when none is
// known.
func signer(env *scan.Env, t *token, claims map[string]any) (string, bool) {
	switch {
	case env.JWT.Secret != "" && hmacFor(t.alg()) != nil:
		in := segment(t.header) + "." + segment(claims)
		return in + "." + hmacSign(t.alg(), env.JWT.Secret, in), true
	case env.JWT.Accepts == "none":
		h := clone(t.header)
		h["alg"] = "none"
		return segment(h) + "." + segment(claims) + ".", true
	case env.JWT.Accepts == "unverified":
		return t.parts[0] + "." + segment(claims) + "." + t.parts[2], true
	}
	return "", false
}

// jwtProbe finds (once) a GET operation that answers 2xx with the token
// and 401/403 without credentials: forged tokens are judged on it.
func jwtProbe(ctx context.Context, env *scan.Env) (*scan.Operation, *token) {
	if env.JWT.Token == "" {
		return nil, nil
	}
	t, err := parseToken(env.JWT.Token)
	if err != nil {
		return nil, nil
	}
	if env.JWT.Probe == nil {
		ops, _ := protected(ctx, env, true, 1)
		if len(ops) == 0 {
			return nil, t
		}
		env.JWT.Probe = ops[0]
	}
	return env.JWT.Probe, t
}

// tryToken sends the probe with tok in place of the user's token.
func tryToken(ctx context.Context, env *scan.Env, op *scan.Operation, tok string) (*scan.Exchange, error) {
	return env.Send(ctx, op, env.JWT.Cred.WithSecret(tok), func(r *scan.Request) { r.Retry429 = true })
}
