package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// redacted is what a Secret shows instead of its value.
const redacted = "[REDACTED]"

// String returns "[REDACTED]" (or "" for an empty secret, which reveals
// only that none is configured).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// MarshalText returns the redacted form, never the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON returns the redacted form as a JSON string, never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue keeps log/slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Reveal returns the secret itself. Call it only where the value is used
// (comparing a token, authenticating to a server); never log the result.
func (s Secret) Reveal() string { return string(s) }

// envSecretFields are the secrets that may be given in the file as a
// ${VAR} reference instead of a *_file: struct type → key → its file field.
var envSecretFields = map[reflect.Type]map[string]string{
	reflect.TypeFor[Server]():        {"admin_token": "admin_token_file"},
	reflect.TypeFor[Introspection](): {"client_secret": "client_secret_file"},
	reflect.TypeFor[AuditShip]():     {"token": "token_file"},
	reflect.TypeFor[AlertsHook]():    {"secret": "secret_file"},
}

// envSecret handles key in a mapping of type t when it is one of the
// envSecretFields: it accepts exactly "${VAR}" (the value goes to
// d.envSecrets) and refuses anything else as an inline secret. It reports
// whether key was such a field.
func (d *decoder) envSecret(t reflect.Type, key string, v ast.Node, path string) bool {
	fileField, ok := envSecretFields[t][key]
	if !ok {
		return false
	}
	d.present[path] = true
	s, isStr := v.(*ast.StringNode)
	name, isRef := "", false
	if isStr {
		name, isRef = envRefName(s.Value)
	}
	if !isRef {
		d.errs.add(path, "inline secrets are not allowed; use %s or ${ENV}", fileField)
		return true
	}
	val, set := d.lookup(name)
	switch {
	case !set:
		d.errs.add(path, "environment variable %s is not set", name)
	case val == "":
		d.errs.add(path, "environment variable %s is empty", name)
	default:
		d.envSecrets[path] = val
	}
	return true
}

// isSecretName reports whether an (unknown) key looks like an inline
// secret, to say so instead of "unknown field".
func isSecretName(key string) bool {
	k := strings.ToLower(key)
	switch k {
	case "password", "passwd", "pass", "secret", "token", "client_secret", "admin_token",
		"access_token", "refresh_token", "bearer_token", "api_token", "auth_token",
		"private_key", "api_secret", "credentials", "apikey":
		return true
	}
	if strings.HasSuffix(k, "_file") {
		return false
	}
	return strings.HasSuffix(k, "_password") || strings.HasSuffix(k, "_secret") || strings.HasSuffix(k, "_token")
}

// maxSecretFile bounds a secret file: a token is short, a large file is
// the wrong file.
const maxSecretFile = 64 << 10

// readSecretFile reads a secret from path: a trailing newline (\n or \r\n,
// repeated) is trimmed; an empty file is an error.
func readSecretFile(path string) (Secret, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s is larger than %d bytes", path, maxSecretFile)
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) == 0 {
		return "", fmt.Errorf("%s is empty", path)
	}
	return Secret(b), nil
}

// fileProblem describes why a named file cannot be used, without echoing
// the OS error's wording twice.
func fileProblem(path string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("file not found: %s", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("cannot read %s: permission denied", path)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot read %s: %v", path, pe.Err)
	}
	return err.Error()
}

// checkReadable verifies that path names a regular file this process can
// open; it does not parse it.
func checkReadable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	return nil
}

// urlPassword returns the password of a URL's userinfo as written, found
// without url.Parse so that "${VAR}" is seen as written.
func urlPassword(raw string) (string, bool) {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return "", false
	}
	_, pw, ok := strings.Cut(rest[:at], ":")
	return pw, ok
}
