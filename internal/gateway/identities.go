package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/authn/introspect"
	"github.com/apiguard/apiguard/internal/authn/jwt"
	"github.com/apiguard/apiguard/internal/authn/mtls"
	"github.com/apiguard/apiguard/internal/authz"
	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/inspect/injection"
	"github.com/apiguard/apiguard/internal/inspect/urlsecrets"
	"github.com/apiguard/apiguard/internal/mask"
	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/ratelimit"
	"github.com/apiguard/apiguard/internal/totp"
)

// identitySet holds one authenticator per configured identity method,
// shared by every route of a plan.
type identitySet map[string]pipeline.Authenticator

// IdentityBuilder builds the authenticator of one identity method.
type IdentityBuilder func(cfg *config.Config, d Deps, p *Plan) (pipeline.Authenticator, error)

// identityKinds is the one registry of identity methods: explicit, no
// init() side effects. A method without a builder fails closed.
var identityKinds = map[string]IdentityBuilder{
	"api_key":       buildAPIKey,
	"jwt":           buildJWT,
	"introspection": buildIntrospection,
	"mtls":          buildMTLS,
}

// configured reports whether cfg configures identity method m.
func configured(cfg *config.Config, m string) bool {
	id := cfg.Identities
	switch m {
	case "api_key":
		return id.APIKey != nil
	case "jwt":
		return len(id.JWT) > 0
	case "introspection":
		return id.Introspection != nil
	case "mtls":
		return id.MTLS != nil
	}
	return false
}

func buildIdentities(cfg *config.Config, d Deps, p *Plan) (identitySet, error) {
	set := identitySet{}
	for m, build := range identityKinds {
		if !configured(cfg, m) {
			continue
		}
		a, err := build(cfg, d, p)
		if err != nil {
			return nil, fmt.Errorf("identities.%s: %w", m, err)
		}
		set[m] = a
	}
	return set, nil
}

// buildChain assembles a route's stages by phase. The phase order itself
// is fixed in pipeline.Chain.Run.
func buildChain(i int, rc *config.Route, ids identitySet, d Deps) (pipeline.Chain, error) {
	var c pipeline.Chain
	limit, err := buildLimit(rc, d)
	if err != nil {
		return c, fmt.Errorf("routes[%d].rate_limit: %w", i, err)
	}
	c.Limit = limit
	if rc.BlockSecretsInURL == nil || *rc.BlockSecretsInURL {
		c.Screen = append(c.Screen, urlsecrets.NewStage())
	}
	waf, err := injection.NewStage(rc.WAF)
	if err != nil {
		return c, fmt.Errorf("routes[%d].waf: %w", i, err)
	}
	if waf != nil {
		c.Inspect = append(c.Inspect, waf)
	}
	if rc.Response != nil && len(rc.Response.Mask) > 0 {
		m, err := mask.New(rc.Response.Mask)
		if err != nil {
			return c, fmt.Errorf("routes[%d].response.mask: %w", i, err)
		}
		c.Response = append(c.Response, m)
	}
	if rc.Auth == nil || rc.Auth.None {
		return c, nil
	}
	auths := make([]pipeline.Authenticator, 0, len(rc.Auth.Methods))
	for _, m := range rc.Auth.Methods {
		a, ok := ids[m]
		if !ok {
			return c, fmt.Errorf("routes[%d].auth: identity method %q is not configured under identities", i, m)
		}
		auths = append(auths, a)
	}
	c.Identify = []pipeline.Stage{pipeline.Identify(auths)}
	if _, ok := ids["api_key"]; ok {
		kq, err := buildKeyQuota(rc, d)
		if err != nil {
			return c, fmt.Errorf("routes[%d].rate_limit: %w", i, err)
		}
		c.Limit = append(c.Limit, kq)
	}
	if d.Blocks != nil {
		c.Authorize = append(c.Authorize, identityBlock{d.Blocks})
	}
	c.Authorize = append(c.Authorize, authz.NewScopes(rc.Scopes))
	if rc.StepUp != nil {
		var v authz.TOTPVerifier
		if d.Store != nil {
			v = totp.NewVerifier(d.Store)
		}
		c.Authorize = append(c.Authorize, authz.NewStepUp(time.Duration(rc.StepUp.MaxAge), v, d.Now))
	}
	return c, nil
}

// buildAPIKey builds the API-key authenticator over the process's store.
func buildAPIKey(cfg *config.Config, d Deps, p *Plan) (pipeline.Authenticator, error) {
	if d.Store == nil {
		if d.CheckOnly {
			return failClosed(apikey.Method), nil
		}
		return nil, errors.New("no store is open for API keys")
	}
	a := apikey.New(d.Store, cfg.Identities.APIKey.Header, apikey.WithLogger(d.Logger))
	p.closers = append(p.closers, a)
	return a, nil
}

// buildJWT builds the JWT authenticator of every configured issuer. Its
// key sets are fetched by Plan.start, not here: compiling (as `check`
// does) never touches the network.
func buildJWT(cfg *config.Config, d Deps, p *Plan) (pipeline.Authenticator, error) {
	a, err := jwt.New(cfg.Identities.JWT, jwt.WithLogger(d.Logger), jwt.WithRefreshHook(func(issuer string, err error) {
		d.Metrics.JWKSRefresh(err == nil)
	}))
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, a)
	p.starters = append(p.starters, a.Start)
	p.ready = append(p.ready, a.Ready)
	return a, nil
}

// buildIntrospection builds the RFC 7662 authenticator for opaque tokens.
func buildIntrospection(cfg *config.Config, d Deps, p *Plan) (pipeline.Authenticator, error) {
	a, err := introspect.New(*cfg.Identities.Introspection, introspect.WithLogger(d.Logger))
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, a)
	return a, nil
}

// buildMTLS builds the client-certificate authenticator, pinned to the
// CAs of client_ca_file (the listener verifies against the same set).
func buildMTLS(cfg *config.Config, _ Deps, _ *Plan) (pipeline.Authenticator, error) {
	tlsCfg := cfg.Server.TLS
	if tlsCfg == nil || tlsCfg.ClientCAFile == "" {
		return nil, errors.New("mtls needs server.tls.client_ca_file")
	}
	cas, err := readCertificates(tlsCfg.ClientCAFile)
	if err != nil {
		return nil, fmt.Errorf("server.tls.client_ca_file: %w", err)
	}
	return mtls.New(*cfg.Identities.MTLS, mtls.WithTrustedCAs(cas...))
}

// buildLimit builds the route's rate limit and quota stage (limit phase).
// Budgets live in the process's limiter, so they survive reloads.
func buildLimit(rc *config.Route, d Deps) ([]pipeline.Stage, error) {
	hook := ratelimit.WithStoreErrorHook(func(err error) {
		d.Metrics.StoreError("ratelimit")
		d.Logger.Warn("rate-limit store error", "route", rc.Name, "error", err.Error())
	})
	var st *ratelimit.Stage
	var err error
	switch {
	case rc.RateLimit != nil && rc.Quota != nil:
		st, err = ratelimit.NewStage(rc.Name, *rc.RateLimit, d.Limiter, hook, ratelimit.WithQuota(*rc.Quota, d.Quotas))
	case rc.RateLimit != nil:
		st, err = ratelimit.NewStage(rc.Name, *rc.RateLimit, d.Limiter, hook)
	case rc.Quota != nil:
		st, err = ratelimit.NewQuotaStage(rc.Name, *rc.Quota, d.Quotas, hook)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []pipeline.Stage{st}, nil
}

// buildKeyQuota builds the stage that enforces an API key's own quota
// (keys create --quota) on an authenticated route, after the route's
// own limits. Store errors follow the route's rate_limit.on_store_error
// (deny without a rate limit). For a principal without a quota it does
// nothing.
func buildKeyQuota(rc *config.Route, d Deps) (pipeline.Stage, error) {
	onErr := ""
	if rc.RateLimit != nil {
		onErr = rc.RateLimit.OnStoreError
	}
	hook := ratelimit.WithStoreErrorHook(func(err error) {
		d.Metrics.StoreError("quota")
		d.Logger.Warn("rate-limit store error", "route", rc.Name, "stage", "key_quota", "error", err.Error())
	})
	return ratelimit.NewKeyQuotaStage(onErr, d.Quotas, hook)
}

// errNotBuilt marks an identity method this version cannot verify yet.
var errNotBuilt = errors.New("identity method not implemented in this version")

// notBuilt is an authenticator that denies every request that reaches it
// (500): a security setting that cannot be enforced is never ignored.
func notBuilt(method string) IdentityBuilder {
	return func(*config.Config, Deps, *Plan) (pipeline.Authenticator, error) {
		return failClosed(method), nil
	}
}

type failClosed string

func (f failClosed) Method() string { return string(f) }

func (f failClosed) Authenticate(context.Context, *pipeline.Exchange) (*pipeline.Principal, error) {
	return nil, problem.Internal(fmt.Errorf("%s: %w", string(f), errNotBuilt))
}
