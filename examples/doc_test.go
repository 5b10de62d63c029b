// Package examples holds runnable examples of apiguard; this test keeps
// apiguard.yaml valid and in step with the example API's spec.
package examples

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/gateway"
)

// TestGatewayConfig loads and compiles apiguard.yaml as `apiguard check`
// does, and checks that it routes exactly the documented operations
// (login excepted) with every gateway-side fix switched on.
func TestGatewayConfig(t *testing.T) {
	cfg, err := config.Load("apiguard.yaml")
	if err != nil {
		t.Fatalf("apiguard.yaml: %v", err)
	}
	p, err := gateway.Compile(cfg, gateway.Deps{CheckOnly: true}.WithDefaults())
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	p.Close()
	for _, f := range config.Lint(cfg, time.Now()) {
		if f.Path != "server.tls.key_file" { // the throwaway key's mode after a git checkout
			t.Errorf("lint: %s", f)
		}
	}

	if cfg.Server.TLS == nil || cfg.Server.HSTSValue == "" {
		t.Error("TLS with HSTS must be on")
	}
	if cfg.Identities.APIKey == nil {
		t.Error("the gateway must authenticate clients itself")
	}

	b, err := os.ReadFile("vulnerable-api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	var documented, routed []string
	for path, item := range spec.Paths {
		for m := range item {
			if m != "parameters" && path != "/api/v1/login" {
				documented = append(documented, strings.ToUpper(m)+" "+path)
			}
		}
	}
	for _, r := range cfg.Routes {
		for _, m := range r.Methods {
			routed = append(routed, m+" "+r.Path)
		}
		pol := r.Policy
		switch {
		case r.OpenAPI == "":
			t.Errorf("%s: no openapi validation", r.Name)
		case pol.WAF != "block":
			t.Errorf("%s: waf %q", r.Name, pol.WAF)
		case pol.BlockSecretsInURL == nil || !*pol.BlockSecretsInURL:
			t.Errorf("%s: secrets in URLs allowed", r.Name)
		case pol.RateLimit == nil:
			t.Errorf("%s: no rate limit", r.Name)
		case r.ForwardToken:
			t.Errorf("%s: forwards the client's token", r.Name)
		case pol.Response == nil || len(pol.Response.Mask) != 3:
			t.Errorf("%s: response masking %+v", r.Name, pol.Response)
		}
		for _, h := range []string{"Server", "X-Powered-By", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"} {
			if pol.Response == nil || !slices.Contains(pol.Response.StripHeaders, h) {
				t.Errorf("%s: %s not stripped", r.Name, h)
			}
		}
	}
	slices.Sort(documented)
	slices.Sort(routed)
	if !slices.Equal(documented, routed) {
		t.Errorf("routed:\n  %s\ndocumented (login excepted):\n  %s", strings.Join(routed, "\n  "), strings.Join(documented, "\n  "))
	}
}
