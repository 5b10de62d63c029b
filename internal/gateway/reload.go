package gateway

import (
	"context"
	"fmt"

	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/config"
)

// Reload reads the configuration file again, compiles a whole new plan and
// swaps it in atomically. On any error the plan in force keeps serving and
// the error is returned (and logged). In-flight requests finish on the plan
// they started with. Listener addresses are fixed at start: a change to
// them is reported and needs a restart.
func (g *Gateway) Reload() error {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	if g.path == "" {
		return fmt.Errorf("no configuration file to reload")
	}
	cfg, err := config.Load(g.path)
	if err == nil {
		err = g.swap(cfg)
	}
	if err != nil {
		g.metrics.Reload("error")
		g.log.Error("reload failed; the previous configuration keeps serving", "error", err.Error())
		g.auditEvent(audit.TypeReload, "failed; previous configuration kept: "+err.Error())
		return err
	}
	g.metrics.Reload("ok")
	g.auditEvent(audit.TypeReload, "ok")
	g.log.Info("configuration reloaded", "routes", len(cfg.Routes))
	return nil
}

func (g *Gateway) swap(cfg *config.Config) error {
	old := g.plan.Load()
	if err := sameListeners(old.Config, cfg); err != nil {
		return err
	}
	p, err := Compile(cfg, g.deps)
	if err != nil {
		return err
	}
	if err := g.defense.engine.Reconfigure(p.anomaly); err != nil {
		p.Close()
		return err
	}
	p.start(context.Background(), g.log)
	g.plan.Store(p)
	old.Close()
	return nil
}

func sameListeners(a, b *config.Config) error {
	sa, sb := a.Server, b.Server
	switch {
	case sa.Listen != sb.Listen:
		return fmt.Errorf("server.listen: changing a listener address needs a restart")
	case sa.Admin != sb.Admin:
		return fmt.Errorf("server.admin: changing a listener address needs a restart")
	case sa.RedirectHTTP != sb.RedirectHTTP:
		return fmt.Errorf("server.redirect_http: changing a listener address needs a restart")
	case (sa.TLS == nil) != (sb.TLS == nil):
		return fmt.Errorf("server.tls: turning TLS on or off needs a restart")
	}
	return nil
}
