package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/contract.golden.json")

func TestContractLoads(t *testing.T) {
	dir := contractDir(t)
	c, err := Load(filepath.Join(dir, "apiguard.yaml"))
	if err != nil {
		t.Fatalf("contract config: %v", err)
	}
	if c.Path != filepath.Join(dir, "apiguard.yaml") || c.Dir != dir {
		t.Errorf("path %q dir %q", c.Path, c.Dir)
	}
	if got := c.Server.AdminToken.Reveal(); got != adminTokenValue {
		t.Errorf("admin token = %q", got)
	}
	if got := c.Identities.Introspection.ClientSecret.Reveal(); got != introspectionValue {
		t.Errorf("client secret = %q", got)
	}
	if len(c.Routes) != 6 || c.Routes[5].Name != "health" || !c.Routes[5].Auth.Public() {
		t.Errorf("routes %+v", c.Routes)
	}
}

// TestContractGolden pins the effective configuration of the contract file
// (defaults applied, policies merged, secrets redacted). Run with -update
// after an intended change.
func TestContractGolden(t *testing.T) {
	dir := contractDir(t)
	c, err := Load(filepath.Join(dir, "apiguard.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = bytes.ReplaceAll(got, []byte(dir), []byte("$DIR"))
	got = append(got, '\n')
	const golden = "testdata/contract.golden.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestContractGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("effective contract config differs from %s (run with -update if intended):\n%s", golden, lineDiff(string(want), string(got)))
	}
	for _, secret := range []string{adminTokenValue, introspectionValue} {
		if bytes.Contains(got, []byte(secret)) {
			t.Errorf("golden output holds secret %q", secret)
		}
	}
}

// lineDiff shows the first differing lines.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, wl, gl)
		}
	}
	return ""
}
