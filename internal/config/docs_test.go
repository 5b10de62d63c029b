package config

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const docsFile = "../../docs/config.md"

// documentedPaths lists every field path of the configuration file, from
// the Config type's yaml tags: lists as [] and map keys as <name>. Every
// intermediate block is included (routes[].rate_limit as well as
// routes[].rate_limit.rate).
func documentedPaths() []string {
	var out []string
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if path != "" {
			out = append(out, path)
		}
		if reflect.PointerTo(t).Implements(interfaceUnmarshaler) {
			return
		}
		switch t.Kind() {
		case reflect.Struct:
			fields := yamlFields(t)
			for _, name := range sortedKeys(fields) {
				walk(fields[name].Type, joinPath(path, name))
			}
		case reflect.Slice:
			if e := t.Elem(); e.Kind() == reflect.Struct {
				walk(e, path+"[]")
				out = slices.DeleteFunc(out, func(p string) bool { return p == path+"[]" })
			}
		case reflect.Map:
			walk(t.Elem(), path+".<name>")
			out = slices.DeleteFunc(out, func(p string) bool { return p == path+".<name>" })
		}
	}
	walk(reflect.TypeFor[Config](), "")
	// Secrets that may be given as ${VAR} are keys without a Go field.
	blocks := map[reflect.Type]string{
		reflect.TypeFor[Server]():        "server",
		reflect.TypeFor[Introspection](): "identities.introspection",
		reflect.TypeFor[AuditShip]():     "audit.ship",
		reflect.TypeFor[AlertsHook]():    "alerts.webhook",
	}
	for t, keys := range envSecretFields {
		for k := range keys {
			out = append(out, blocks[t]+"."+k)
		}
	}
	slices.Sort(out)
	return out
}

func TestDocsCoverEveryField(t *testing.T) {
	b, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	paths := documentedPaths()
	for _, p := range paths {
		if !strings.Contains(doc, "`"+p+"`") {
			t.Errorf("%s does not document `%s`", docsFile, p)
		}
	}
	// And the reference documents no field that does not exist: the first
	// cell of every table row names fields.
	row := regexp.MustCompile("(?m)^\\| *(`[^|]*)\\|")
	tick := regexp.MustCompile("`([^`]+)`")
	for _, m := range row.FindAllStringSubmatch(doc, -1) {
		for _, f := range tick.FindAllStringSubmatch(m[1], -1) {
			if !slices.Contains(paths, f[1]) {
				t.Errorf("%s documents `%s`, which is not a field", docsFile, f[1])
			}
		}
	}
}
