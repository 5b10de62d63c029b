package gateway

import (
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/apiguard/apiguard/internal/anomaly"
	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/store"
)

// blockRequest is the body of POST /api/blocks.
type blockRequest struct {
	Kind   string `json:"kind"`  // ip | identity
	Value  string `json:"value"` // an IP address, or a subject ("key:<id>" for API keys)
	For    string `json:"for"`   // e.g. "1h"
	Reason string `json:"reason"`
}

// blockView is a block as the admin API shows it.
type blockView struct {
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	Detector string `json:"detector"`
	Reason   string `json:"reason"`
	Created  string `json:"created"`
	Until    string `json:"until"`
}

func newBlockView(b store.Block) blockView {
	return blockView{Kind: b.Kind, Value: b.Value, Detector: b.Detector, Reason: b.Reason,
		Created: b.Created.UTC().Format(timeFormat), Until: b.Until.UTC().Format(timeFormat)}
}

const timeFormat = "2006-01-02T15:04:05Z07:00"

// withBlocks answers 503 when the gateway has no store for blocks.
func (g *Gateway) withBlocks(fn func(w http.ResponseWriter, r *http.Request, bl *anomaly.BlockList)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if g.defense == nil || g.defense.blocks == nil || g.deps.Store == nil {
			adminProblem(w, r, problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable,
				"no store for blocks: configure store and identities.api_key or a blocking alert rule"))
			return
		}
		fn(w, r, g.defense.blocks)
	}
}

func (g *Gateway) apiBlocksList(w http.ResponseWriter, r *http.Request, _ *anomaly.BlockList) {
	blocks, err := g.deps.Store.Blocks().Active(r.Context(), g.now())
	if err != nil {
		adminProblem(w, r, err)
		return
	}
	out := make([]blockView, 0, len(blocks))
	for _, b := range blocks {
		out = append(out, newBlockView(b))
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *Gateway) apiBlocksAdd(w http.ResponseWriter, r *http.Request, bl *anomaly.BlockList) {
	var req blockRequest
	if err := decodeAdminJSON(w, r, &req); err != nil {
		adminProblem(w, r, err)
		return
	}
	b, err := req.block(g)
	if err != nil {
		adminProblem(w, r, problem.BadRequest(err.Error()))
		return
	}
	got, err := bl.Add(r.Context(), b)
	if errors.Is(err, store.ErrInvalidBlock) {
		adminProblem(w, r, problem.BadRequest(err.Error()))
		return
	}
	if err != nil {
		adminProblem(w, r, err)
		return
	}
	g.auditEvent(audit.TypeAdmin, "block added: "+got.Kind+" "+got.Value+" until "+got.Until.UTC().Format(timeFormat))
	writeJSON(w, http.StatusCreated, newBlockView(got))
}

func (req *blockRequest) block(g *Gateway) (store.Block, error) {
	d, err := apikey.ParseLifetime(req.For, false)
	switch {
	case err != nil:
		return store.Block{}, errors.New("for: " + err.Error())
	case req.For == "":
		return store.Block{}, errors.New("for: required (e.g. \"1h\")")
	}
	value := req.Value
	switch req.Kind {
	case store.BlockIP:
		ip, err := netip.ParseAddr(value)
		if err != nil {
			return store.Block{}, errors.New("value: not an IP address")
		}
		value = store.IPBlockValue(ip)
	case store.BlockIdentity:
	default:
		return store.Block{}, errors.New("kind: must be ip or identity")
	}
	now := g.now()
	return store.Block{Kind: req.Kind, Value: value, Detector: "admin", Reason: req.Reason, Created: now, Until: now.Add(d)}, nil
}

// apiBlocksLift lifts the block of /api/blocks/{kind}/{value...}; the
// value is path-escaped (an IPv6 /64 contains "/").
func (g *Gateway) apiBlocksLift(w http.ResponseWriter, r *http.Request, bl *anomaly.BlockList) {
	kind, value := r.PathValue("kind"), r.PathValue("value")
	err := bl.Lift(r.Context(), kind, value)
	if errors.Is(err, store.ErrNotFound) {
		adminProblem(w, r, problem.New(http.StatusNotFound, problem.CodeNotFound, "no such block"))
		return
	}
	if err != nil {
		adminProblem(w, r, err)
		return
	}
	g.auditEvent(audit.TypeAdmin, "block lifted: "+kind+" "+value)
	writeJSON(w, http.StatusOK, map[string]string{"status": "lifted", "kind": kind, "value": value})
}

// apiAlerts lists the most recent alerts of this replica, newest first
// (?limit=N, default and at most 200). The audit log has them all.
func (g *Gateway) apiAlerts(w http.ResponseWriter, r *http.Request) {
	n := 200
	if s := r.URL.Query().Get("limit"); s != "" {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 1 {
			adminProblem(w, r, problem.BadRequest("limit: must be a positive integer"))
			return
		}
		n = min(v, 200)
	}
	var out []anomaly.Alert
	if g.defense != nil {
		out = g.defense.recent.newest(n)
	}
	if out == nil {
		out = []anomaly.Alert{}
	}
	writeJSON(w, http.StatusOK, out)
}
