package gateway

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/problem"
)

// startAdmin serves /healthz, /readyz, /metrics and the token-protected
// admin API under /api/.
func (g *Gateway) startAdmin(cfg *config.Config) error {
	if cfg.Server.Admin == "" {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.Server.Admin)
	if err != nil {
		return fmt.Errorf("server.admin: %w", err)
	}
	g.Addr.Admin = ln.Addr().String()
	g.admin = &http.Server{
		Handler: g.adminHandler(), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second,
	}
	go g.serve(g.admin, ln, "admin")
	return nil
}

func (g *Gateway) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", g.readyz)
	mux.Handle("GET /metrics", g.metrics.Handler())
	api := http.NewServeMux()
	api.HandleFunc("GET /api/routes", g.apiRoutes)
	api.HandleFunc("POST /api/reload", g.apiReload)
	api.HandleFunc("GET /api/keys", g.withKeyStore(g.apiKeysList))
	api.HandleFunc("POST /api/keys", g.withKeyStore(g.apiKeysCreate))
	api.HandleFunc("POST /api/keys/{id}/revoke", g.withKeyStore(g.apiKeysRevoke))
	api.HandleFunc("DELETE /api/keys/{id}", g.withKeyStore(g.apiKeysRevoke))
	api.HandleFunc("GET /api/blocks", g.withBlocks(g.apiBlocksList))
	api.HandleFunc("POST /api/blocks", g.withBlocks(g.apiBlocksAdd))
	api.HandleFunc("DELETE /api/blocks/{kind}/{value...}", g.withBlocks(g.apiBlocksLift))
	api.HandleFunc("GET /api/alerts", g.apiAlerts)
	mux.Handle("/api/", g.requireAdminToken(api))
	return mux
}

func (g *Gateway) readyz(w http.ResponseWriter, r *http.Request) {
	p := g.plan.Load()
	switch {
	case g.draining.Load():
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
	case !p.Ready():
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
	case g.deps.Store != nil && g.deps.Store.Ping(r.Context()) != nil, g.probeFailed(r.Context()):
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unreachable"})
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}
}

// requireAdminToken admits a request only with the admin bearer token,
// compared in constant time. Without a configured token every admin API
// call is refused.
func (g *Gateway) requireAdminToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := g.plan.Load().Config.Server.AdminToken.Reveal()
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			problem.Write(w, r, newRequestID(), problem.Unauthenticated("the admin API requires the admin token", ok))
			return
		}
		g.auditEvent(audit.TypeAdmin, r.Method+" "+r.URL.Path)
		next.ServeHTTP(w, r)
	})
}

type routeView struct {
	Name   string              `json:"name"`
	Public bool                `json:"public"`
	Scopes []string            `json:"scopes"`
	Stages map[string][]string `json:"stages"`
	// Policy is the route's effective configuration (its overrides
	// merged over defaults), as compiled.
	Policy *config.Route `json:"policy"`
}

func (g *Gateway) apiRoutes(w http.ResponseWriter, r *http.Request) {
	p := g.plan.Load()
	out := make([]routeView, 0, len(p.routes))
	for i, rt := range p.routes {
		out = append(out, routeView{Name: rt.Name, Public: rt.Public, Scopes: rt.Scopes, Stages: rt.Chain.Names(),
			Policy: &p.Config.Routes[i]})
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *Gateway) apiReload(w http.ResponseWriter, r *http.Request) {
	if err := g.Reload(); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"status": "kept previous configuration", "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "reloaded"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (g *Gateway) probeFailed(ctx context.Context) bool {
	for _, probe := range g.deps.Probes {
		if probe(ctx) != nil {
			return true
		}
	}
	return false
}
