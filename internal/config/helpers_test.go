package config

import (
	"os"
	"path/filepath"
	"testing"
)

// contractFiles are the files the contract configuration names.
var contractFiles = map[string]string{
	"tls/server.crt":            "dummy cert\n",
	"tls/server.key":            "dummy key\n",
	"tls/clients-ca.crt":        "dummy ca\n",
	"secrets/admin.token":       "admin-token-value-123\n",
	"secrets/introspect.secret": "introspection-secret-456\n",
	"specs/orders.yaml":         "openapi: 3.0.3\n",
}

const (
	adminTokenValue    = "admin-token-value-123"
	introspectionValue = "introspection-secret-456"
)

// contractDir returns a temporary directory holding the contract
// configuration and every file it names.
func contractDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range contractFiles {
		writeFile(t, dir, name, content, 0o600)
	}
	data, err := os.ReadFile("testdata/apiguard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "apiguard.yaml", string(data), 0o600)
	return dir
}

func writeFile(t testing.TB, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// noEnv is a lookup with no variables.
func noEnv(string) (string, bool) { return "", false }

// envMap is a lookup from a map.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
