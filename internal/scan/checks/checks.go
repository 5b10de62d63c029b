// Package checks holds the scanner's checks, one per file, each proving
// one kind of flaw with as few requests as it can. All is the registry.
package checks

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/apiguard/apiguard/internal/scan"
)

// All returns every check, in the order they run: passive checks over the
// baseline first, then authentication, then the probes that change or
// stress the target, with ratelimit.missing last (it may leave the target
// throttling the scanner).
func All() []scan.Check {
	return []scan.Check{
		tlsMissing{}, tlsWeak{}, headersMissing{}, headersBanner{}, dataExposure{},
		authMissing{}, jwtWeakSecret{}, jwtAlgNone{}, jwtSignature{}, jwtExpired{},
		secretsInURL{}, corsPermissive{}, bolaSuspected{}, massAssignment{},
		injectionSQL{}, injectionXSS{}, errorsVerbose{}, methodsUnexpected{},
		inventoryUndocumented{}, ratelimitMissing{},
	}
}

// IDs lists the stable ids of All, in order.
func IDs() []string {
	var out []string
	for _, c := range All() {
		out = append(out, c.Info().ID)
	}
	return out
}

// fatal reports an error after which a check must stop sending: the
// budget is spent or the scan was cancelled.
func fatal(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, scan.ErrBudget)
}

// denied reports a response that refuses access.
func denied(x *scan.Exchange) bool {
	return x != nil && (x.Status == http.StatusUnauthorized || x.Status == http.StatusForbidden)
}

// opPath is the path a finding names for op: its template.
func opPath(op *scan.Operation) string { return op.Path }

// firstSafe returns the first operation whose baseline with credentials
// answered 2xx to a GET, preferring one without path parameters when
// collection is true; nil if none.
func firstSafe(env *scan.Env, collection bool) *scan.Operation {
	var fallback *scan.Operation
	for _, op := range env.AuthedOK(true) {
		if op.Method != http.MethodGet {
			continue
		}
		if !collection || !op.HasPathParams() {
			return op
		}
		if fallback == nil {
			fallback = op
		}
	}
	return fallback
}

// protected returns the operations that answered 2xx with --auth and are
// refused without it (the Unauth request is shared with other checks).
// It returns at most limit operations; safeOnly keeps GET/HEAD.
func protected(ctx context.Context, env *scan.Env, safeOnly bool, limit int) ([]*scan.Operation, error) {
	if !env.Auth.Set() {
		return nil, nil
	}
	var out []*scan.Operation
	for _, op := range env.AuthedOK(safeOnly) {
		if op.Method != http.MethodGet && safeOnly {
			continue
		}
		if op.Auth == scan.AuthNone {
			continue
		}
		x, err := env.Unauth(ctx, op)
		if err != nil {
			if fatal(ctx, err) {
				return out, err
			}
			continue
		}
		if denied(x) {
			out = append(out, op)
			if len(out) >= limit {
				break
			}
		}
	}
	return out, nil
}

// similar reports whether two bodies look like the same content: equal,
// or lengths within 10% and both non-trivial.
func similar(a, b []byte) bool {
	if string(a) == string(b) {
		return true
	}
	la, lb := len(a), len(b)
	if la < 16 || lb < 16 {
		return false
	}
	d := la - lb
	if d < 0 {
		d = -d
	}
	return d*10 <= max(la, lb)
}

func lower(b []byte) string { return strings.ToLower(string(b)) }

// loginish matches paths of login and token endpoints.
var loginish = regexp.MustCompile(`(?i)(login|signin|sign-in|token|session|oauth)`)
