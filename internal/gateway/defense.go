package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/apiguard/apiguard/internal/anomaly"
	"github.com/apiguard/apiguard/internal/anomaly/webhook"
	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/store"
)

// defense is the gateway's live response to attacks: the anomaly
// detectors, the blocks they and operators make, and the alert webhook.
// Unlike a plan it lives as long as the process: reloads reconfigure
// the detectors (their learnt state survives) and never lose a block.
type defense struct {
	engine *anomaly.Engine
	blocks *anomaly.BlockList // nil without a store
	hook   *webhook.Webhook   // nil without alerts.webhook
	recent recentAlerts
	cancel context.CancelFunc
}

// newDefense builds the detectors for the first plan's configuration.
// Blocks need the store: without one, a rule with action block is an
// error.
func (g *Gateway) newDefense(cfg *config.Config, ac anomaly.Config) (*defense, error) {
	d := g.deps
	def := &defense{recent: recentAlerts{max: 200}}
	var blocker []anomaly.Option
	if d.Store != nil {
		def.blocks = anomaly.NewBlockList(d.Store.Blocks(), anomaly.WithBlockClock(d.Now))
		blocker = append(blocker, anomaly.WithBlocker(def.blocks))
	} else if ac.Blocks() {
		return nil, errors.New("alerts: action block needs the store (it is shared by every replica): set store")
	}
	sinks := []anomaly.Sink{anomaly.SinkFunc(g.recordAlert)}
	if wc := cfg.Alerts.Webhook; wc != nil {
		hook, err := webhook.New(webhook.Config{URL: wc.URL, Secret: []byte(wc.Secret.Reveal()), Logger: d.Logger})
		if err != nil {
			return nil, fmt.Errorf("alerts.webhook: %w", err)
		}
		def.hook = hook
		sinks = append(sinks, hook)
	}
	eng, err := anomaly.New(ac, anomaly.Sinks(sinks...), append(blocker, anomaly.WithLogger(d.Logger))...)
	if err != nil {
		return nil, err
	}
	def.engine = eng
	return def, nil
}

// start runs the engine, the block list's refresh and the webhook until
// stop.
func (def *defense) start(log *slog.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	def.cancel = cancel
	go def.engine.Run(ctx)
	if def.hook != nil {
		go def.hook.Run(ctx)
	}
	if bl := def.blocks; bl != nil {
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		if err := bl.Refresh(rctx); err != nil {
			log.Warn("blocks not loaded yet; retrying in the background", "error", err.Error())
		}
		rcancel()
		go bl.Run(ctx, time.Second, log)
	}
}

func (def *defense) stop() {
	if def != nil && def.cancel != nil {
		def.cancel()
	}
}

// recordAlert is the gateway's alert sink: an audit record of type
// alert, the metric, the log and the admin API's recent list.
func (g *Gateway) recordAlert(_ context.Context, a anomaly.Alert) {
	g.metrics.Alert(a.Detector)
	g.defense.recent.add(a)
	rec := &audit.Record{Time: a.Time, Type: audit.TypeAlert, ClientIP: a.ClientIP, Route: a.Route,
		Detector: a.Detector, Detail: a.Detail(),
		Identity: audit.Identity{Subject: a.Subject, KeyID: a.KeyID}}
	if a.Key == store.BlockIdentity {
		rec.Identity.Subject = a.Offender()
	}
	if w := g.deps.Audit; w != nil {
		if err := w.Submit(rec); err != nil {
			g.log.Error("alert not written to the audit log", "detector", a.Detector, "error", err.Error())
		}
	}
	g.log.Warn("anomaly alert", "detector", a.Detector, "offender", a.Offender(), "action", string(a.Action),
		"count", a.Count, "threshold", a.Threshold)
}

// recentAlerts keeps the last alerts for GET /api/alerts.
type recentAlerts struct {
	mu   sync.Mutex
	max  int
	list []anomaly.Alert
}

func (r *recentAlerts) add(a anomaly.Alert) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.list) == r.max {
		copy(r.list, r.list[1:])
		r.list = r.list[:len(r.list)-1]
	}
	r.list = append(r.list, a)
}

// newest returns up to n alerts, newest first.
func (r *recentAlerts) newest(n int) []anomaly.Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]anomaly.Alert, 0, min(n, len(r.list)))
	for i := len(r.list) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, r.list[i])
	}
	return out
}

// identityBlock refuses an authenticated identity that is blocked. It
// runs first in the authorize phase: an IP block is checked before
// routing, in the handler.
type identityBlock struct{ blocks *anomaly.BlockList }

func (identityBlock) Name() string { return "blocks" }

func (b identityBlock) Check(_ context.Context, x *pipeline.Exchange) error {
	if x.Principal == nil {
		return nil
	}
	if p := b.blocks.Deny(netip.Addr{}, x.Principal.Subject); p != nil {
		return p
	}
	return nil
}

// observe hands the answered request to the detectors (O(1), no I/O).
func (g *Gateway) observe(s *exchangeState, status int) {
	def := g.defense
	if def == nil {
		return
	}
	ev := anomaly.Event{Time: s.x.Start, ClientIP: s.x.ClientIP, Route: s.x.Route, Status: status}
	if p := s.problem; p != nil {
		ev.Code = p.Code
	}
	if pr := s.x.Principal; pr != nil {
		ev.Subject, ev.KeyID = pr.Subject, pr.KeyID
	}
	if n := s.params.Len(); n > 0 {
		ev.ObjectID = s.params.Value(n - 1)
	}
	if status == 401 {
		ev.CredentialFingerprint = credentialFingerprint(s)
	}
	def.engine.Observe(ev)
}

// credentialFingerprint is a keyed hash of the credential a refused
// request presented (its API key header or Authorization), 0 for none.
func credentialFingerprint(s *exchangeState) uint64 {
	h := s.x.In.Header
	cred := h.Get("Authorization")
	if k := s.plan.apiKeyHeader; k != "" {
		if v := h.Get(k); v != "" {
			cred = v
		}
	}
	if cred == "" {
		return 0
	}
	return anomaly.Fingerprint(cred)
}
