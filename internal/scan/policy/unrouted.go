package policy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/apiguard/apiguard/internal/scan"
)

// unroutedCheck asks for one random path no route matches and expects
// 404: 1 request.
type unroutedCheck struct{ st *state }

var unroutedMeta = meta("unrouted", scan.High, "API9:2023", "Gateway forwards a path no route matches",
	"Nothing unrouted may reach an upstream: apiguard answers 404 not-found for any path without a route.")

func (unroutedCheck) Info() scan.Meta { return unroutedMeta }

func (unroutedCheck) Estimate(*scan.Env) int { return 1 }

func (unroutedCheck) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	p := "/apiguard-scan-unrouted-" + hex.EncodeToString(b)
	x, err := env.Client.Do(ctx, scan.Request{Method: http.MethodGet, Path: p, Retry429: true})
	if err != nil || x.Status == http.StatusNotFound {
		return nil
	}
	return []scan.Finding{unroutedMeta.Finding(http.MethodGet, p, fmt.Sprintf("unrouted path: want 404, got %d\n%s", x.Status, x.Evidence("")))}
}
