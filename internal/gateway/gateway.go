// Package gateway runs apiguard's listeners: the API listener (HTTPS
// reverse proxy, deny by default), the optional HTTP→HTTPS redirect
// listener and the admin listener. It compiles a configuration into a
// Plan, swaps plans atomically on reload, and drains on shutdown.
package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/ratelimit"
	"github.com/apiguard/apiguard/internal/telemetry"
)

// Gateway serves one configuration at a time and can swap it.
type Gateway struct {
	log      *slog.Logger
	metrics  *telemetry.Metrics
	deps     Deps
	now      func() time.Time
	plan     atomic.Pointer[Plan]
	draining atomic.Bool
	inflight atomic.Int64
	reloadMu sync.Mutex
	path     string // configuration file, for reloads ("" = none)
	defense  *defense

	api, redirect, admin *http.Server
	// Addr holds the bound addresses once Start returns.
	Addr Addrs
}

// Addrs are the listeners' actual addresses (useful with port 0).
type Addrs struct{ API, Redirect, Admin string }

// New compiles cfg into the first plan. path is the configuration file
// reloads read again ("" disables file reloads).
func New(cfg *config.Config, path string, d Deps) (*Gateway, error) {
	d = d.WithDefaults()
	g := &Gateway{log: d.Logger, metrics: d.Metrics, deps: d, now: d.Now, path: path}
	ac, err := anomalyConfig(&cfg.Alerts)
	if err != nil {
		return nil, err
	}
	if g.defense, err = g.newDefense(cfg, ac); err != nil {
		return nil, err
	}
	g.deps.Blocks = g.defense.blocks
	p, err := Compile(cfg, g.deps)
	if err != nil {
		return nil, err
	}
	p.start(context.Background(), g.log)
	g.plan.Store(p)
	g.defense.start(g.log)
	return g, nil
}

// WithDefaults fills unset dependencies: a discarding logger, a fresh
// metric registry, the wall clock.
func (d Deps) WithDefaults() Deps {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = telemetry.NewMetrics()
		if aw := d.Audit; aw != nil {
			d.Metrics.WatchAudit(func() telemetry.AuditStats {
				st := aw.Stats()
				return telemetry.AuditStats{QueueDepth: st.QueueDepth, QueueCapacity: st.QueueCapacity,
					Written: st.Written, Rejected: st.Rejected, WriteErrors: st.WriteErrors, Lost: st.Lost, Rots: st.Rotations}
			})
		}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Limiter == nil || d.Quotas == nil {
		mem := ratelimit.NewMemory()
		if d.Limiter == nil {
			d.Limiter = mem
		}
		if d.Quotas == nil {
			d.Quotas = mem
		}
	}
	return d
}

// Plan returns the plan in force.
func (g *Gateway) Plan() *Plan { return g.plan.Load() }

// Start binds the listeners and serves in the background. Errors binding
// a listener are returned; later serve errors are logged.
func (g *Gateway) Start() error {
	cfg := g.plan.Load().Config
	lim := cfg.Server.Limits
	apiLn, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("server.listen: %w", err)
	}
	g.api = &http.Server{
		Handler:           g,
		ReadHeaderTimeout: durationOr(lim.ReadHeaderTimeout, 5*time.Second),
		ReadTimeout:       durationOr(lim.ReadTimeout, 30*time.Second),
		IdleTimeout:       durationOr(lim.IdleTimeout, 60*time.Second),
		// Go answers 431 itself beyond this; below it, the handler answers
		// 431 problem+json at max_header.
		MaxHeaderBytes: int(2 * max(int64(lim.MaxHeader), 4096)),
		ErrorLog:       slog.NewLogLogger(g.log.Handler(), slog.LevelDebug),
	}
	g.Addr.API = apiLn.Addr().String()
	tlsOn := cfg.Server.TLS != nil
	if tlsOn {
		g.api.TLSConfig = &tls.Config{GetConfigForClient: g.tlsForClient, NextProtos: []string{"h2", "http/1.1"}}
		go g.serve(g.api, tls.NewListener(apiLn, g.api.TLSConfig), "api")
	} else {
		go g.serve(g.api, apiLn, "api")
	}
	if err := g.startRedirect(cfg); err != nil {
		return err
	}
	return g.startAdmin(cfg)
}

// tlsForClient hands each handshake the TLS settings of the plan in force,
// so a reload re-reads certificates without restarting the listener.
func (g *Gateway) tlsForClient(*tls.ClientHelloInfo) (*tls.Config, error) {
	if c := g.plan.Load().tls; c != nil {
		return c, nil
	}
	return nil, errors.New("TLS is not configured")
}

func (g *Gateway) serve(srv *http.Server, ln net.Listener, name string) {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		g.log.Error("listener stopped", "listener", name, "error", err.Error())
	}
}

// Shutdown stops accepting, lets in-flight requests finish within ctx,
// then closes what the plan holds. /readyz answers 503 from the start.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.draining.Store(true)
	var errs []error
	for _, srv := range []*http.Server{g.redirect, g.api} {
		if srv != nil {
			errs = append(errs, srv.Shutdown(ctx))
		}
	}
	if g.admin != nil {
		errs = append(errs, g.admin.Close())
	}
	g.plan.Load().Close()
	g.defense.stop()
	return errors.Join(errs...)
}

// InFlight is the number of requests being served.
func (g *Gateway) InFlight() int64 { return g.inflight.Load() }
