package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

func (l *loader) validateServer() {
	s := &l.c.Server
	e := l.errs
	if err := checkHostPort(s.Listen); err != nil {
		e.add("server.listen", "%s", err.Error())
	}
	if s.Admin != "" {
		if err := checkHostPort(s.Admin); err != nil {
			e.add("server.admin", "%s", err.Error())
		} else if sameAddr(s.Admin, s.Listen) {
			e.add("server.admin", "same address as server.listen")
		}
	}
	if s.RedirectHTTP != "" {
		switch err := checkHostPort(s.RedirectHTTP); {
		case err != nil:
			e.add("server.redirect_http", "%s", err.Error())
		case s.TLS == nil:
			e.add("server.redirect_http", "requires server.tls (it redirects to https)")
		case sameAddr(s.RedirectHTTP, s.Listen) || sameAddr(s.RedirectHTTP, s.Admin):
			e.add("server.redirect_http", "same address as another listener")
		}
	}
	if t := s.TLS; t != nil {
		if t.CertFile == "" {
			e.add("server.tls.cert_file", "required")
		} else {
			l.readable("server.tls.cert_file", t.CertFile)
		}
		if t.KeyFile == "" {
			e.add("server.tls.key_file", "required")
		} else {
			l.readable("server.tls.key_file", t.KeyFile)
		}
		if t.ClientCAFile != "" {
			l.readable("server.tls.client_ca_file", t.ClientCAFile)
		}
		switch t.MinVersion {
		case "1.2", "1.3":
		case "1.0", "1.1", "1", "1.00", "1.10":
			e.add("server.tls.min_version", "TLS below 1.2 is refused")
		default:
			e.add("server.tls.min_version", `must be "1.2" or "1.3"`)
		}
	}
	if s.HSTSValue != "" && !validHSTS(s.HSTSValue) {
		e.add("server.hsts", "must contain max-age=SECONDS (e.g. %q)", DefaultHSTS)
	}
	for i, p := range s.TrustedProxies {
		if _, err := parsePrefix(strings.TrimSpace(p)); err != nil {
			e.add(indexPath("server.trusted_proxies", i), "%s", err.Error())
		}
	}
	lim := &s.Limits
	positive := func(path string, v int64) {
		if v <= 0 {
			e.add("server.limits."+path, "must be greater than 0")
		}
	}
	positive("max_body", int64(lim.MaxBody))
	positive("max_validated_body", int64(lim.MaxValidatedBody))
	positive("max_header", int64(lim.MaxHeader))
	positive("read_header_timeout", int64(lim.ReadHeaderTimeout))
	positive("read_timeout", int64(lim.ReadTimeout))
	positive("idle_timeout", int64(lim.IdleTimeout))
	positive("shutdown_timeout", int64(lim.ShutdownTimeout))
	if lim.MaxHeader > 1<<30 {
		e.add("server.limits.max_header", "must be at most 1GiB")
	}
}

// sameAddr reports two listeners on one address; port 0 (any free port)
// never collides.
func sameAddr(a, b string) bool {
	_, port, err := net.SplitHostPort(a)
	return a == b && err == nil && port != "0"
}

func validHSTS(v string) bool {
	for _, d := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(d), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "max-age") && isDigits(strings.Trim(strings.TrimSpace(val), `"`)) {
			return true
		}
	}
	return false
}

// validateStore checks store and moves a redis password given by ${ENV}
// out of the URL into StorePassword.
func (l *loader) validateStore() {
	c := l.c
	switch {
	case strings.HasPrefix(c.Store, "sqlite:"):
		p := strings.TrimPrefix(c.Store, "sqlite:")
		switch {
		case p == "":
			l.errs.add("store", "sqlite: needs a path (sqlite:data/apiguard.db)")
		case strings.HasPrefix(p, "//"):
			l.errs.add("store", "write sqlite:PATH (no //)")
		}
	case strings.HasPrefix(c.Store, "redis://"), strings.HasPrefix(c.Store, "rediss://"):
		u, err := url.Parse(c.Store)
		if err != nil {
			l.errs.add("store", "is not a valid redis:// URL")
			return
		}
		if u.Host == "" || u.Hostname() == "" {
			l.errs.add("store", "a redis URL needs a host (redis://HOST:PORT/DB)")
		}
		if db := strings.TrimPrefix(u.Path, "/"); db != "" && !isDigits(db) {
			l.errs.add("store", "the redis database (the path) must be a number")
		}
		if u.Fragment != "" {
			l.errs.add("store", "must not have a #fragment")
		}
		if u.User != nil {
			if pw, has := u.User.Password(); has {
				rawPw, _ := urlPassword(l.raw("store", c.Store))
				if _, isRef := envRefName(rawPw); !isRef {
					l.errs.add("store", "inline secrets are not allowed: write the password as ${ENV} (redis://:${REDIS_PASSWORD}@host:6379/0)")
					return
				}
				c.StorePassword = Secret(pw)
				if name := u.User.Username(); name != "" {
					u.User = url.User(name)
				} else {
					u.User = nil
				}
				c.Store = u.String()
			}
		}
	default:
		l.errs.add("store", "must be sqlite:PATH, redis://HOST:PORT/DB or rediss://HOST:PORT/DB")
	}
}

// StoreDSN returns Store with its password (StorePassword) put back. It
// reveals a secret: pass it to the store client, never log it.
func (c *Config) StoreDSN() string {
	if c.StorePassword == "" {
		return c.Store
	}
	u, err := url.Parse(c.Store)
	if err != nil {
		return c.Store
	}
	name := ""
	if u.User != nil {
		name = u.User.Username()
	}
	u.User = url.UserPassword(name, c.StorePassword.Reveal())
	return u.String()
}

func (l *loader) validateAudit() {
	a := &l.c.Audit
	if a.File == "" {
		l.errs.add("audit.file", "required")
	}
	for i, r := range a.Redact {
		if r == "" {
			l.errs.add(indexPath("audit.redact", i), "must not be empty")
		}
	}
	switch a.Sync {
	case "interval", "every", "never":
	default:
		l.errs.add("audit.sync", "must be interval, every or never")
	}
	if a.SyncInterval <= 0 {
		l.errs.add("audit.sync_interval", "must be positive")
	}
	if a.MaxSize < 0 || (a.MaxSize > 0 && a.MaxSize < 64<<10) {
		l.errs.add("audit.max_size", "must be 0 (never rotate by size) or at least 64KiB")
	}
	if a.MaxAge < 0 || (a.MaxAge > 0 && a.MaxAge < Duration(time.Minute)) {
		l.errs.add("audit.max_age", "must be 0 (never rotate by age) or at least 1m")
	}
	if a.QueueSize < 1 || a.QueueSize > 1<<20 {
		l.errs.add("audit.queue_size", "must be between 1 and 1048576")
	}
	if a.BlockTimeout < 0 || a.BlockTimeout > Duration(10*time.Second) {
		l.errs.add("audit.block_timeout", "must be between 0s and 10s")
	}
	if sh := a.Ship; sh != nil {
		l.validateCollectorURL("audit.ship.url", sh.URL)
	}
}

func (l *loader) validateTracing() {
	tr := l.c.Tracing
	if tr == nil {
		return
	}
	l.validateCollectorURL("tracing.otlp_endpoint", tr.OTLPEndpoint)
	if tr.SampleRatio < 0 || tr.SampleRatio > 1 {
		l.errs.add("tracing.sample_ratio", "must be between 0 and 1")
	}
	if strings.TrimSpace(tr.ServiceName) == "" {
		l.errs.add("tracing.service_name", "must not be empty")
	}
}

// validateAlerts checks what the configuration alone can: actions,
// signs and the webhook. The detectors' bounds are checked when the
// plan is compiled (anomaly.Config.Validate), with these field paths.
func (l *loader) validateAlerts() {
	a := &l.c.Alerts
	rule := func(name string, r *AlertRule) {
		if r == nil {
			return
		}
		p := "alerts." + name
		switch r.Action {
		case "", "alert", "block":
		default:
			l.errs.add(p+".action", "must be alert or block")
		}
		if r.Threshold < 0 {
			l.errs.add(p+".threshold", "must not be negative")
		}
	}
	rule("auth_failures", a.AuthFailures)
	rule("credential_stuffing", a.CredentialStuffing)
	rule("enumeration", a.Enumeration)
	rule("injection_repeat", a.InjectionRepeat)
	if s := a.TrafficSpike; s != nil {
		rule("traffic_spike", &s.AlertRule)
		if s.Factor < 0 {
			l.errs.add("alerts.traffic_spike.factor", "must not be negative")
		}
	}
	if a.AlertRate < 0 || a.AlertBurst < 0 {
		l.errs.add("alerts", "alert_rate and alert_burst must not be negative")
	}
	if wh := a.Webhook; wh != nil {
		l.validateCollectorURL("alerts.webhook.url", wh.URL)
		if wh.SecretFile == "" && wh.Secret == "" {
			l.errs.add("alerts.webhook.secret_file", "required: the HMAC key that signs the alerts")
		} else if n := len(wh.Secret.Reveal()); n > 0 && n < 32 {
			l.errs.add("alerts.webhook.secret_file", "the HMAC key must be at least 32 bytes")
		}
	}
}

// validateCollectorURL checks a URL the gateway sends sensitive data to
// (audit records, alerts): https://, or http:// only to a loopback
// address, with no credentials in it.
func (l *loader) validateCollectorURL(path, raw string) {
	if raw == "" {
		l.errs.add(path, "required")
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		l.errs.add(path, "must be an absolute http(s) URL")
	case u.User != nil:
		l.errs.add(path, "must not contain credentials (use a token file)")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopbackURL(u):
	case u.Scheme == "http":
		l.errs.add(path, "must be https:// (plain http:// only to a loopback address)")
	default:
		l.errs.add(path, "must be an http(s) URL")
	}
}

// jwtAlgorithms are the asymmetric algorithms a JWT issuer may use.
var jwtAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

const maxLeeway = Duration(5 * time.Minute)

func (l *loader) validateIdentities() {
	c := l.c
	id := &c.Identities
	e := l.errs
	if k := id.APIKey; k != nil {
		if !isToken(k.Header) {
			e.add("identities.api_key.header", "must be a header name")
		}
	}
	issuers := map[string]int{}
	for i := range id.JWT {
		j := &id.JWT[i]
		p := indexPath("identities.jwt", i)
		if strings.TrimSpace(j.Issuer) == "" {
			e.add(p+".issuer", "required")
		} else if first, dup := issuers[j.Issuer]; dup {
			e.add(p+".issuer", "duplicate issuer (also %s)", indexPath("identities.jwt", first))
		} else {
			issuers[j.Issuer] = i
		}
		if len(j.Audiences) == 0 {
			e.add(p+".audiences", "required: at least one audience")
		}
		for k, a := range j.Audiences {
			if strings.TrimSpace(a) == "" {
				e.add(indexPath(p+".audiences", k), "must not be empty")
			}
		}
		switch {
		case j.JWKSURL == "" && j.JWKSFile == "":
			e.add(p, "set one of jwks_url and jwks_file")
		case j.JWKSURL != "" && j.JWKSFile != "":
			e.add(p, "set only one of jwks_url and jwks_file")
		case j.JWKSURL != "":
			if _, err := checkHTTPURL(j.JWKSURL); err != nil {
				e.add(p+".jwks_url", "%s", err.Error())
			}
		default:
			l.readable(p+".jwks_file", j.JWKSFile)
		}
		if len(j.Algorithms) == 0 {
			e.add(p+".algorithms", "required: list the signing algorithms the issuer uses (e.g. [RS256])")
		}
		for k, a := range j.Algorithms {
			ap := indexPath(p+".algorithms", k)
			switch {
			case slices.Contains(jwtAlgorithms, a):
			case strings.EqualFold(a, "none"):
				e.add(ap, `"none" is refused: unsigned tokens prove nothing`)
			case strings.HasPrefix(strings.ToUpper(a), "HS"):
				e.add(ap, "%q is refused: HMAC algorithms would let anyone holding the public key forge tokens", a)
			default:
				e.add(ap, "unknown algorithm %q (use one of %s)", a, strings.Join(jwtAlgorithms, ", "))
			}
		}
		if j.MaxTTL <= 0 {
			e.add(p+".max_ttl", "must be greater than 0")
		}
		if j.Leeway > maxLeeway {
			e.add(p+".leeway", "must be at most 5m")
		}
		if strings.TrimSpace(j.ScopeClaim) == "" {
			e.add(p+".scope_claim", "must not be empty")
		}
		for k, a := range j.StepUpACR {
			if strings.TrimSpace(a) == "" {
				e.add(indexPath(p+".step_up_acr", k), "must not be empty")
			}
		}
	}
	if in := id.Introspection; in != nil {
		p := "identities.introspection"
		if _, err := checkHTTPURL(in.URL); err != nil {
			e.add(p+".url", "%s", err.Error())
		}
		if strings.TrimSpace(in.ClientID) == "" {
			e.add(p+".client_id", "required")
		}
		if in.ClientSecretFile == "" && !l.set(p+".client_secret") {
			e.add(p+".client_secret_file", "required")
		}
		if in.Timeout <= 0 {
			e.add(p+".timeout", "must be greater than 0")
		}
	}
	if m := id.MTLS; m != nil {
		switch m.SubjectFrom {
		case "cn", "san_dns", "san_email", "san_uri":
		default:
			e.add("identities.mtls.subject_from", "must be cn, san_dns, san_email or san_uri")
		}
		if c.Server.TLS == nil || c.Server.TLS.ClientCAFile == "" {
			e.add("identities.mtls", "requires server.tls.client_ca_file (the CA that signs client certificates)")
		}
	}
}

// configured reports whether identity method m has its identities block.
func (l *loader) configured(m string) bool {
	id := &l.c.Identities
	switch m {
	case AuthJWT:
		return len(id.JWT) > 0
	case AuthIntrospection:
		return id.Introspection != nil
	case AuthAPIKey:
		return id.APIKey != nil
	case AuthMTLS:
		return id.MTLS != nil
	}
	return false
}

var upstreamNameRE = routeNameRE

func (l *loader) validateUpstreams() {
	e := l.errs
	for _, name := range sortedKeys(l.c.Upstreams) {
		u := l.c.Upstreams[name]
		p := mapKeyPath("upstreams", name)
		if !upstreamNameRE.MatchString(name) {
			e.add(p, "an upstream name must match [a-z0-9][a-z0-9._-]*")
		}
		pu, err := checkHTTPURL(u.URL)
		switch {
		case err != nil:
			e.add(p+".url", "%s", err.Error())
		case pu.RawQuery != "" || pu.ForceQuery:
			e.add(p+".url", "must not have a ?query")
		}
		if u.Timeout <= 0 {
			e.add(p+".timeout", "must be greater than 0")
		}
		if u.MaxInFlight < 0 {
			e.add(p+".max_in_flight", "must not be negative (0 is unlimited)")
		}
		isHTTPS := err == nil && pu.Scheme == "https"
		for _, f := range []struct{ key, file string }{{"ca_file", u.CAFile}, {"cert_file", u.CertFile}, {"key_file", u.KeyFile}} {
			if f.file == "" {
				continue
			}
			if err == nil && !isHTTPS {
				e.add(p+"."+f.key, "requires an https:// url")
				continue
			}
			l.readable(p+"."+f.key, f.file)
		}
		if (u.CertFile == "") != (u.KeyFile == "") {
			e.add(p, "cert_file and key_file go together")
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// describe names a route for messages: routes[1] (list-orders).
func describe(i int, name string) string {
	if name == "" {
		return indexPath("routes", i)
	}
	return fmt.Sprintf("%s (%s)", indexPath("routes", i), name)
}
