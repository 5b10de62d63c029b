package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/gateway"
	rlredis "github.com/apiguard/apiguard/internal/ratelimit/redis"
	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/store/backend"
	"github.com/apiguard/apiguard/internal/telemetry"
	"github.com/apiguard/apiguard/internal/tracing"
)

// runServe runs the gateway until SIGTERM/SIGINT, reloading on SIGHUP and
// on changes of the configuration file. Exit 0 after a clean drain.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", stderr)
	path := fs.String("c", "", "configuration file")
	demoMode := fs.Bool("demo", false, "run a demo upstream and gateway on loopback, no configuration needed")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil || fs.NArg() > 0 || (*path == "") == !*demoMode {
		fmt.Fprintln(stderr, "apiguard serve: usage: apiguard serve -c FILE | --demo [--log-level info]")
		return exitUsage
	}
	log := telemetry.NewLogger(stderr, lvl)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if *demoMode {
		return serveDemo(ctx, log, stdout, stderr)
	}
	if _, err := os.Stat(*path); err != nil {
		fmt.Fprintf(stderr, "apiguard serve: cannot read %s: %v\n", *path, errors.Unwrap(err))
		return exitUsage
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintf(stderr, "apiguard serve: %s: %s\n", *path, firstLine(err))
		return exitUsage
	}
	return serveConfig(ctx, log, cfg, *path, stdout, stderr)
}

func serveConfig(ctx context.Context, log *slog.Logger, cfg *config.Config, path string, stdout, stderr io.Writer) int {
	st, err := openStore(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "apiguard serve: store: %v\n", err)
		return exitUsage
	}
	if st != nil {
		defer st.Close()
	}
	aw, err := openAudit(cfg, log, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "apiguard serve: %v\n", err)
		return exitUsage
	}
	defer aw.Close()
	deps := gateway.Deps{Logger: log, Store: st, Audit: aw}
	if tc := cfg.Tracing; tc != nil {
		tr, err := tracing.New(tracing.Options{Endpoint: tc.OTLPEndpoint, SampleRatio: tc.SampleRatio, ServiceName: tc.ServiceName})
		if err != nil {
			fmt.Fprintf(stderr, "apiguard serve: tracing: %v\n", err)
			return exitUsage
		}
		defer shutdownTracer(log, tr)
		deps.Tracer = tr
	}
	if strings.HasPrefix(cfg.Store, "redis://") || strings.HasPrefix(cfg.Store, "rediss://") {
		client, err := rlredis.NewClient(cfg.StoreDSN())
		if err != nil {
			fmt.Fprintf(stderr, "apiguard serve: store: %v\n", err)
			return exitUsage
		}
		defer client.Close()
		rlredis.SetLogger(log)
		b := rlredis.New(client)
		deps.Limiter, deps.Quotas = b, b
		deps.Probes = append(deps.Probes, func(ctx context.Context) error { return client.Ping(ctx).Err() })
	}
	g, err := gateway.New(cfg, path, deps)
	if err != nil {
		fmt.Fprintf(stderr, "apiguard serve: %v\n", err)
		return exitUsage
	}
	warnUnenforced(log, cfg)
	// Registered before the listeners start (and before "serving" is
	// logged): an early SIGHUP reloads instead of killing the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	if err := g.Start(); err != nil {
		fmt.Fprintf(stderr, "apiguard serve: %v\n", err)
		return exitUsage
	}
	log.Info("apiguard serving", "api", g.Addr.API, "admin", g.Addr.Admin, "redirect", g.Addr.Redirect,
		"tls", cfg.Server.TLS != nil, "routes", len(cfg.Routes))
	if err := g.Watch(ctx); err != nil {
		log.Warn("configuration file watch disabled; SIGHUP still reloads", "error", err.Error())
	}
	return waitAndDrain(ctx, log, g, hup, time.Duration(cfg.Server.Limits.ShutdownTimeout))
}

// openStore opens the configured store when an identity method needs it.
// The store's DSN is fixed for the life of the process.
// openStore opens the store when something needs it: API keys, or an
// alert rule that blocks (blocks are shared by replicas through it).
// Without either, no database file is created.
func openStore(cfg *config.Config) (store.Store, error) {
	if cfg.Identities.APIKey == nil && !cfg.Alerts.Blocks() {
		return nil, nil
	}
	return backend.Open(cfg.StoreDSN())
}

// warnUnenforced says at start-up which accepted settings this version
// does not enforce yet: a security setting is never silently ignored.
func warnUnenforced(log *slog.Logger, cfg *config.Config) {
	for _, u := range cfg.Unenforced() {
		log.Warn("configured but not enforced by this version", "field", u)
	}
}

// waitAndDrain reloads on SIGHUP until ctx ends (SIGTERM/SIGINT), then
// drains in-flight requests within the shutdown timeout.
func waitAndDrain(ctx context.Context, log *slog.Logger, g *gateway.Gateway, hup <-chan os.Signal, timeout time.Duration) int {
	for {
		select {
		case <-hup:
			log.Info("SIGHUP: reloading configuration")
			_ = g.Reload()
		case <-ctx.Done():
			if timeout <= 0 {
				timeout = 15 * time.Second
			}
			log.Info("shutting down: draining in-flight requests", "in_flight", g.InFlight(), "timeout", timeout.String())
			sctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			if err := g.Shutdown(sctx); err != nil {
				log.Error("drain did not complete", "error", err.Error())
				return exitFail
			}
			log.Info("drained; bye")
			return exitOK
		}
	}
}

// firstLine condenses a (possibly multi-line) configuration error into the
// one line a bad file gets on stderr, pointing at `check` for the rest.
func firstLine(err error) string {
	msg := err.Error()
	first, rest, more := strings.Cut(msg, "\n")
	if !more {
		return first
	}
	return fmt.Sprintf("%s (and %d more; run apiguard check)", first, strings.Count(rest, "\n")+1)
}

// shutdownTracer exports the spans still buffered, for at most 5 s.
func shutdownTracer(log *slog.Logger, tr *tracing.Tracer) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		log.Warn("tracing: spans not exported at shutdown", "error", err.Error())
	}
}
