package config

import "time"

// Config is the typed form of an apiguard configuration file
// (../shared/contract/apiguard.yaml). After Load returns it without error,
// every field is validated, defaults are applied, relative paths are
// resolved against Dir, secrets are read (Secret fields) and every route's
// Policy is the effective one (route overrides merged over Defaults).
type Config struct {
	Server     Server              `yaml:"server" json:"server"`
	Store      string              `yaml:"store" json:"store"` // "sqlite:PATH" (default sqlite:data/apiguard.db) or "redis://..."
	Audit      Audit               `yaml:"audit" json:"audit"`
	Identities Identities          `yaml:"identities" json:"identities"`
	Upstreams  map[string]Upstream `yaml:"upstreams" json:"upstreams"`
	Defaults   Policy              `yaml:"defaults" json:"defaults"`
	Routes     []Route             `yaml:"routes" json:"routes"`
	Tracing    *Tracing            `yaml:"tracing" json:"tracing"` // extension; nil: off
	Alerts     Alerts              `yaml:"alerts" json:"alerts"`   // extension: anomaly detection

	// Dir is the directory of the configuration file; relative paths are
	// resolved against it at load.
	Dir string `yaml:"-" json:"-"`
	// Path is the configuration file itself.
	Path string `yaml:"-" json:"-"`

	// StorePassword is the password of a redis:// store URL. It may only
	// come from ${ENV} (redis://:${REDIS_PASSWORD}@host:6379/0); at load it
	// is moved out of Store, so Store never holds it. StoreDSN puts it back.
	StorePassword Secret `yaml:"-" json:"store_password,omitempty"`
}

// Server holds the listeners and connection limits.
type Server struct {
	Listen         string   `yaml:"listen" json:"listen"`               // default "127.0.0.1:8443"
	RedirectHTTP   string   `yaml:"redirect_http" json:"redirect_http"` // optional plain-HTTP listener that only answers 308
	TLS            *TLS     `yaml:"tls" json:"tls"`                     // nil: plain HTTP (a lint warning off loopback)
	HSTS           *string  `yaml:"hsts" json:"hsts"`                   // nil: default when TLS is set; "" disables
	Admin          string   `yaml:"admin" json:"admin"`                 // default "127.0.0.1:9090"; "" disables the admin listener
	AdminTokenFile string   `yaml:"admin_token_file" json:"admin_token_file"`
	TrustedProxies []string `yaml:"trusted_proxies" json:"trusted_proxies"` // CIDRs or single addresses
	Limits         Limits   `yaml:"limits" json:"limits"`

	// AdminToken is read from AdminTokenFile at load, or taken from the
	// environment when the file says admin_token: ${VAR} (never inline).
	AdminToken Secret `yaml:"-" json:"admin_token"`
	// HSTSValue is the effective Strict-Transport-Security value ("" = none).
	HSTSValue string `yaml:"-" json:"hsts_value"`
}

// TLS configures the API listener's certificate and client verification.
type TLS struct {
	CertFile     string `yaml:"cert_file" json:"cert_file"`
	KeyFile      string `yaml:"key_file" json:"key_file"`
	MinVersion   string `yaml:"min_version" json:"min_version"`       // "1.2" (default) or "1.3"; "1.0"/"1.1" refused
	ClientCAFile string `yaml:"client_ca_file" json:"client_ca_file"` // optional: enables the mtls identity
}

// Limits bound what one client can make the gateway hold.
type Limits struct {
	MaxBody           Size     `yaml:"max_body" json:"max_body"`                       // default 1MiB
	MaxHeader         Size     `yaml:"max_header" json:"max_header"`                   // default 16KiB
	ReadHeaderTimeout Duration `yaml:"read_header_timeout" json:"read_header_timeout"` // default 5s
	ReadTimeout       Duration `yaml:"read_timeout" json:"read_timeout"`               // extension; default 30s: whole request incl. body
	WriteTimeout      Duration `yaml:"write_timeout" json:"write_timeout"`             // extension; default 0 = per-upstream timeout governs
	IdleTimeout       Duration `yaml:"idle_timeout" json:"idle_timeout"`               // default 60s
	ShutdownTimeout   Duration `yaml:"shutdown_timeout" json:"shutdown_timeout"`       // extension; default 15s: bound of the SIGTERM drain
	MaxValidatedBody  Size     `yaml:"max_validated_body" json:"max_validated_body"`   // extension; default 256KiB: largest body an OpenAPI route validates
}

// Audit configures the audit log.
type Audit struct {
	File   string   `yaml:"file" json:"file"`     // default data/audit.jsonl
	Redact []string `yaml:"redact" json:"redact"` // names redacted in headers, query and JSON bodies
	// Extensions: durability, rotation and back-pressure.
	Sync         string   `yaml:"sync" json:"sync"`                   // interval (default) | every | never
	SyncInterval Duration `yaml:"sync_interval" json:"sync_interval"` // default 1s
	MaxSize      Size     `yaml:"max_size" json:"max_size"`           // rotate before the file exceeds it; default 100MiB; 0 never
	MaxAge       Duration `yaml:"max_age" json:"max_age"`             // rotate a file older than this; default 24h; 0 never
	QueueSize    int      `yaml:"queue_size" json:"queue_size"`       // records waiting to be written; default 4096
	BlockTimeout Duration `yaml:"block_timeout" json:"block_timeout"` // wait for room in a full queue before 503; default 100ms
	// Extensions: copies of every record for shipping (the file stays the
	// record of truth).
	Stdout bool       `yaml:"stdout" json:"stdout"` // also write each record to stdout
	Ship   *AuditShip `yaml:"ship" json:"ship"`     // also POST batches to a collector
}

// Alerts configures anomaly detection (extension; docs/anomaly.md).
// Every detector is on with its default thresholds unless configured;
// a zero field takes the detector's default.
type Alerts struct {
	AuthFailures       *AlertRule  `yaml:"auth_failures" json:"auth_failures"`
	CredentialStuffing *AlertRule  `yaml:"credential_stuffing" json:"credential_stuffing"`
	Enumeration        *AlertRule  `yaml:"enumeration" json:"enumeration"`
	TrafficSpike       *SpikeRule  `yaml:"traffic_spike" json:"traffic_spike"`
	InjectionRepeat    *AlertRule  `yaml:"injection_repeat" json:"injection_repeat"`
	AlertRate          int         `yaml:"alert_rate" json:"alert_rate"`   // alerts per second past the global limit; default 10
	AlertBurst         int         `yaml:"alert_burst" json:"alert_burst"` // default 20
	Webhook            *AlertsHook `yaml:"webhook" json:"webhook"`
}

// Blocks reports whether an enabled rule has action block.
func (a *Alerts) Blocks() bool {
	for _, r := range []*AlertRule{a.AuthFailures, a.CredentialStuffing, a.Enumeration, a.InjectionRepeat, spikeRule(a.TrafficSpike)} {
		if r != nil && r.Action == "block" && (r.Enabled == nil || *r.Enabled) {
			return true
		}
	}
	return false
}

func spikeRule(s *SpikeRule) *AlertRule {
	if s == nil {
		return nil
	}
	return &s.AlertRule
}

// AlertRule configures one detector.
type AlertRule struct {
	Enabled   *bool    `yaml:"enabled" json:"enabled"` // default true
	Threshold int      `yaml:"threshold" json:"threshold"`
	Window    Duration `yaml:"window" json:"window"`
	Cooldown  Duration `yaml:"cooldown" json:"cooldown"`
	Action    string   `yaml:"action" json:"action"` // alert (default) | block
	BlockFor  Duration `yaml:"block_for" json:"block_for"`
}

// SpikeRule configures traffic_spike: an AlertRule plus its baseline.
type SpikeRule struct {
	AlertRule `yaml:",inline" json:",inline"`
	Factor    float64  `yaml:"factor" json:"factor"`
	Baseline  Duration `yaml:"baseline" json:"baseline"`
	WarmUp    Duration `yaml:"warm_up" json:"warm_up"`
}

// AlertsHook posts alerts, HMAC-SHA256 signed, to a receiver.
type AlertsHook struct {
	URL        string `yaml:"url" json:"url"`                 // https://, or http:// to a loopback address
	SecretFile string `yaml:"secret_file" json:"secret_file"` // HMAC key, at least 32 bytes
	// Secret is read from SecretFile, or from ${ENV} (secret: ${VAR}).
	Secret Secret `yaml:"-" json:"secret"`
}

// Tracing exports one OpenTelemetry span per request over OTLP/HTTP
// (extension).
type Tracing struct {
	OTLPEndpoint string  `yaml:"otlp_endpoint" json:"otlp_endpoint"` // e.g. http://127.0.0.1:4318
	SampleRatio  float64 `yaml:"sample_ratio" json:"sample_ratio"`   // default 0.1; traces the client sampled are followed
	ServiceName  string  `yaml:"service_name" json:"service_name"`   // default apiguard
}

// AuditShip sends copies of audit records to an HTTP collector (a SIEM)
// as application/x-ndjson batches.
type AuditShip struct {
	URL       string `yaml:"url" json:"url"`               // https://, or http:// to a loopback address
	TokenFile string `yaml:"token_file" json:"token_file"` // optional bearer token
	// Token is read from TokenFile at load, or from ${ENV} (token: ${VAR}).
	Token Secret `yaml:"-" json:"token"`
}

// Identities configures how requests prove who they are.
type Identities struct {
	APIKey        *APIKeyIdentity `yaml:"api_key" json:"api_key"`
	JWT           []JWTIssuer     `yaml:"jwt" json:"jwt"`
	Introspection *Introspection  `yaml:"introspection" json:"introspection"`
	MTLS          *MTLSIdentity   `yaml:"mtls" json:"mtls"`
}

// APIKeyIdentity configures API-key authentication.
type APIKeyIdentity struct {
	Header string `yaml:"header" json:"header"` // default X-API-Key
}

// JWTIssuer is one trusted JWT issuer.
type JWTIssuer struct {
	Issuer     string   `yaml:"issuer" json:"issuer"`
	Audiences  []string `yaml:"audiences" json:"audiences"`
	JWKSURL    string   `yaml:"jwks_url" json:"jwks_url"`
	JWKSFile   string   `yaml:"jwks_file" json:"jwks_file"`
	Algorithms []string `yaml:"algorithms" json:"algorithms"` // required; none and HS* refused
	MaxTTL     Duration `yaml:"max_ttl" json:"max_ttl"`       // default 1h
	Leeway     Duration `yaml:"leeway" json:"leeway"`         // default 30s; at most 5m
	ScopeClaim string   `yaml:"scope_claim" json:"scope_claim"`
	// StepUpACR lists acr values that count as multi-factor (extension).
	StepUpACR []string `yaml:"step_up_acr" json:"step_up_acr"`
}

// Introspection configures RFC 7662 token introspection.
type Introspection struct {
	URL              string   `yaml:"url" json:"url"`
	ClientID         string   `yaml:"client_id" json:"client_id"`
	ClientSecretFile string   `yaml:"client_secret_file" json:"client_secret_file"`
	CacheTTL         Duration `yaml:"cache_ttl" json:"cache_ttl"` // default 30s
	Timeout          Duration `yaml:"timeout" json:"timeout"`     // extension; default 2s

	// ClientSecret is read from ClientSecretFile at load, or taken from the
	// environment when the file says client_secret: ${VAR} (never inline).
	ClientSecret Secret `yaml:"-" json:"client_secret"`
}

// MTLSIdentity configures identity from client certificates.
type MTLSIdentity struct {
	SubjectFrom string `yaml:"subject_from" json:"subject_from"` // cn (default) | san_dns | san_email | san_uri
}

// Upstream is a backend the gateway proxies to.
type Upstream struct {
	URL         string   `yaml:"url" json:"url"`                     // http:// or https://, no userinfo, no query
	Timeout     Duration `yaml:"timeout" json:"timeout"`             // default 30s: whole exchange with the upstream
	CAFile      string   `yaml:"ca_file" json:"ca_file"`             // extension: verify an https upstream against this CA
	CertFile    string   `yaml:"cert_file" json:"cert_file"`         // extension: client certificate for mTLS to the upstream
	KeyFile     string   `yaml:"key_file" json:"key_file"`           // extension
	MaxInFlight int      `yaml:"max_in_flight" json:"max_in_flight"` // extension (traffic issue); 0 = unlimited
}

// Policy is what a route inherits from defaults and may override. Nil
// pointers mean "not set here"; after Load every Route.Policy is complete.
type Policy struct {
	Auth              *AuthMethods    `yaml:"auth" json:"auth"`
	RateLimit         *RateLimit      `yaml:"rate_limit" json:"rate_limit"`
	Quota             *Quota          `yaml:"quota" json:"quota"`
	BlockSecretsInURL *bool           `yaml:"block_secrets_in_url" json:"block_secrets_in_url"`
	WAF               string          `yaml:"waf" json:"waf"` // block (default) | report | off
	Response          *ResponsePolicy `yaml:"response" json:"response"`
}

// AuthMethods lists the identity methods a route accepts; any one
// authenticates. None is true for `auth: none` (a public route).
type AuthMethods struct {
	Methods []string // jwt | introspection | api_key | mtls
	None    bool
}

// RateLimit is a GCRA limit: Rate requests per Per, with Burst.
type RateLimit struct {
	Rate         int      `yaml:"rate" json:"rate"`
	Per          Duration `yaml:"per" json:"per"`
	Burst        int      `yaml:"burst" json:"burst"`
	Key          string   `yaml:"key" json:"key"`                       // identity (default) | ip | route
	OnStoreError string   `yaml:"on_store_error" json:"on_store_error"` // deny (default) | allow
}

// Quota is a calendar-aligned (UTC) budget per identity.
type Quota struct {
	Limit int    `yaml:"limit" json:"limit"`
	Per   string `yaml:"per" json:"per"` // day | month
}

// ResponsePolicy filters upstream responses.
type ResponsePolicy struct {
	Mask         []string `yaml:"mask" json:"mask"`                   // pan | ssn | secrets
	StripHeaders []string `yaml:"strip_headers" json:"strip_headers"` // canonicalised at load
}

// Route maps method + path template to an upstream with a policy.
type Route struct {
	Name               string       `yaml:"name" json:"name"`
	Methods            []string     `yaml:"methods" json:"methods"` // upper-cased at load
	Path               string       `yaml:"path" json:"path"`       // template: /v1/orders/{id}
	Upstream           string       `yaml:"upstream" json:"upstream"`
	Scopes             []string     `yaml:"scopes" json:"scopes"`
	OpenAPI            string       `yaml:"openapi" json:"openapi"`
	ResponseValidation string       `yaml:"response_validation" json:"response_validation"` // report (default) | block | off
	StepUp             *StepUp      `yaml:"step_up" json:"step_up"`
	Deprecation        *Deprecation `yaml:"deprecation" json:"deprecation"`
	ForwardToken       bool         `yaml:"forward_token" json:"forward_token"`
	StripPrefix        string       `yaml:"strip_prefix" json:"strip_prefix"` // extension: removed from the path sent upstream
	Policy             `yaml:",inline"`
}

// StepUp requires fresh multi-factor authentication.
type StepUp struct {
	MaxAge Duration `yaml:"max_age" json:"max_age"`
}

// Deprecation marks a route as deprecated and, after Sunset, gone.
type Deprecation struct {
	Since  Date   `yaml:"since" json:"since"`
	Sunset Date   `yaml:"sunset" json:"sunset"`
	Link   string `yaml:"link" json:"link"`
}

// Date is a calendar date (YYYY-MM-DD, or an RFC 3339 time), UTC.
type Date struct{ time.Time }

// Duration is a time.Duration written as "30s", "5m", "1h", "30d".
type Duration time.Duration

// Size is a byte count written as "1MiB", "16KiB", "512", "10MB".
type Size int64

// Secret is a value read from a *_file field or ${ENV}. Its String and
// MarshalJSON/MarshalText never reveal it, so logging a Config is safe.
type Secret string
