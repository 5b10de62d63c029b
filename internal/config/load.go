package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Load reads, decodes, defaults, resolves and validates the configuration
// file at path. A content problem gives an *Error listing every problem
// found (field path and reason); a file that cannot be read gives another
// error (wrapping the os error), so a caller can tell "invalid" from
// "unreadable".
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("config: %s is a directory", abs)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", abs, err)
	}
	c, err := parse(data, filepath.Dir(abs), os.LookupEnv)
	if err != nil {
		return nil, err
	}
	c.Path = abs
	return c, nil
}

// Parse is Load for a configuration held in memory: relative paths and
// *_file fields are resolved against dir ("" is the working directory).
// ${VAR} references are looked up in the process environment.
func Parse(data []byte, dir string) (*Config, error) {
	return parse(data, dir, os.LookupEnv)
}

func parse(data []byte, dir string, lookup func(string) (string, bool)) (*Config, error) {
	if dir == "" {
		dir = "."
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var errs errList
	c := &Config{Dir: absDir}
	d := newDecoder(&errs, lookup)
	d.decode(data, c)
	if d.fatal {
		return nil, errs.err()
	}
	// Values that failed to decode are zero now: checks of them would only
	// repeat the problem.
	errs.shadow = d.failed
	l := &loader{c: c, errs: &errs, d: d}
	l.run()
	if err := errs.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// loader carries a decoded Config through defaults, resolution, secrets,
// validation and policy merging.
type loader struct {
	c    *Config
	errs *errList
	d    *decoder
}

// set reports whether the file set the field at path (to a non-null value).
func (l *loader) set(path string) bool { return l.d.present[path] }

// raw returns the value at path as written, before ${ENV} expansion.
func (l *loader) raw(path, expanded string) string {
	if r, ok := l.d.raw[path]; ok {
		return r
	}
	return expanded
}

func (l *loader) run() {
	c := l.c
	l.normalise()
	applyDefaults(c, l.set)
	l.resolvePaths()
	l.readSecrets()
	l.validateServer()
	l.validateStore()
	l.validateAudit()
	l.validateTracing()
	l.validateAlerts()
	l.validateIdentities()
	l.validateUpstreams()
	l.validatePolicy(&c.Defaults, "defaults")
	l.validateRoutes()
}

// normalise upper-cases methods, lower-cases names compared
// case-insensitively and canonicalises header names.
func (l *loader) normalise() {
	c := l.c
	for i := range c.Routes {
		r := &c.Routes[i]
		for j, m := range r.Methods {
			r.Methods[j] = strings.ToUpper(strings.TrimSpace(m))
		}
		if r.Response != nil && r.Response.StripHeaders != nil {
			r.Response.StripHeaders = canonicalHeaders(r.Response.StripHeaders)
		}
	}
	if c.Defaults.Response != nil && c.Defaults.Response.StripHeaders != nil {
		c.Defaults.Response.StripHeaders = canonicalHeaders(c.Defaults.Response.StripHeaders)
	}
	for i, r := range c.Audit.Redact {
		c.Audit.Redact[i] = strings.ToLower(strings.TrimSpace(r))
	}
}

// resolvePaths makes every file path absolute, relative to c.Dir.
func (l *loader) resolvePaths() {
	c := l.c
	res := func(p *string) {
		if *p != "" {
			*p = resolve(c.Dir, *p)
		}
	}
	if t := c.Server.TLS; t != nil {
		res(&t.CertFile)
		res(&t.KeyFile)
		res(&t.ClientCAFile)
	}
	res(&c.Server.AdminTokenFile)
	res(&c.Audit.File)
	if sh := c.Audit.Ship; sh != nil {
		res(&sh.TokenFile)
	}
	if wh := c.Alerts.Webhook; wh != nil {
		res(&wh.SecretFile)
	}
	for i := range c.Identities.JWT {
		res(&c.Identities.JWT[i].JWKSFile)
	}
	if in := c.Identities.Introspection; in != nil {
		res(&in.ClientSecretFile)
	}
	for name, u := range c.Upstreams {
		res(&u.CAFile)
		res(&u.CertFile)
		res(&u.KeyFile)
		c.Upstreams[name] = u
	}
	for i := range c.Routes {
		res(&c.Routes[i].OpenAPI)
	}
	if p, ok := strings.CutPrefix(c.Store, "sqlite:"); ok && p != "" && p != ":memory:" && !strings.HasPrefix(p, "//") {
		c.Store = "sqlite:" + resolve(c.Dir, p)
	}
}

func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// readSecrets fills the Secret fields from their files or from ${ENV}.
func (l *loader) readSecrets() {
	c := l.c
	env := l.d.envSecrets
	c.Server.AdminToken = l.secretFrom(env, "server.admin_token", c.Server.AdminTokenFile)
	if in := c.Identities.Introspection; in != nil {
		in.ClientSecret = l.secretFrom(env, "identities.introspection.client_secret", in.ClientSecretFile)
	}
	if sh := c.Audit.Ship; sh != nil {
		sh.Token = l.secretFrom(env, "audit.ship.token", sh.TokenFile)
	}
	if wh := c.Alerts.Webhook; wh != nil {
		wh.Secret = l.secretFrom(env, "alerts.webhook.secret", wh.SecretFile)
	}
}

// secretFrom reads the secret at path ("x.token") from ${ENV} (x.token:
// ${VAR}) or from its file (x.token_file), refusing both at once.
func (l *loader) secretFrom(env map[string]string, path, file string) Secret {
	if v, ok := env[path]; ok {
		if file != "" {
			l.errs.add(path, "set only one of %s and %s_file", lastSegment(path), lastSegment(path))
		}
		return Secret(v)
	}
	if file != "" {
		return l.secretFile(path+"_file", file)
	}
	return ""
}

func lastSegment(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

func (l *loader) secretFile(path, file string) Secret {
	s, err := readSecretFile(file)
	if err != nil {
		l.errs.addErr(path, err, "%s", fileProblem(file, err))
	}
	return s
}

// readable reports a problem when file (a resolved path) cannot be read.
func (l *loader) readable(path, file string) {
	if err := checkReadable(file); err != nil {
		l.errs.addErr(path, err, "%s", fileProblem(file, err))
	}
}
