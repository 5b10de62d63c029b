package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/store"
	"github.com/apiguard/apiguard/internal/store/backend"
)

// runKeys manages API keys in the store of a configuration file:
//
//	keys create -c FILE --name N [--scopes a,b] [--expires 30d] [--quota N/day|N/month] [--totp] [--json]
//	keys list   -c FILE [--json]
//	keys revoke -c FILE ID
//	keys rotate -c FILE ID [--grace 24h] [--json]
//	keys rekey  -c FILE
//
// A new key is printed once, as the last line of stdout. Exit 0 ok, 1 a
// failure (unknown id, store error), 2 bad usage or an unreadable
// configuration.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	k := &keysCmd{ctx: ctx, stdout: stdout, stderr: stderr, open: openConfigStore, now: time.Now}
	return k.run(args)
}

// keysCmd is one invocation of `apiguard keys`.
type keysCmd struct {
	ctx            context.Context
	stdout, stderr io.Writer
	// open opens the store of a configuration file (tests open a DSN).
	open func(configPath string) (store.Store, error)
	now  func() time.Time
}

// errBadConfig marks a configuration that cannot be read or loaded.
var errBadConfig = errors.New("bad configuration")

func openConfigStore(path string) (store.Store, error) {
	cfg, err := loadConfigLine(path)
	if err != nil {
		return nil, err
	}
	return backend.Open(cfg.StoreDSN())
}

// loadConfigLine loads a configuration for a command that needs it
// valid; its error (wrapping errBadConfig) is one line.
func loadConfigLine(path string) (*config.Config, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: cannot read %s: %v", errBadConfig, path, errors.Unwrap(err))
	}
	cfg, err := config.Load(path)
	var invalid *config.Error
	switch {
	case errors.As(err, &invalid) && len(invalid.Errors) > 0: // one line: the first problem
		return nil, fmt.Errorf("%w: %s: %v (%d problem(s); see apiguard check -c %s)",
			errBadConfig, path, invalid.Errors[0], len(invalid.Errors), path)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", errBadConfig, err)
	}
	return cfg, nil
}

const keysUsage = "usage: apiguard keys create|list|revoke|rotate|rekey -c FILE ..."

func (k *keysCmd) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(k.stderr, "apiguard keys: "+keysUsage)
		return exitUsage
	}
	sub := map[string]func([]string) int{
		"create": k.create, "list": k.list, "revoke": k.revoke, "rotate": k.rotate, "rekey": k.rekey,
	}[args[0]]
	if sub == nil {
		fmt.Fprintf(k.stderr, "apiguard keys: unknown subcommand %q (%s)\n", args[0], keysUsage)
		return exitUsage
	}
	return sub(args[1:])
}

// keysFlags is a subcommand's FlagSet with the -c flag every one takes.
type keysFlags struct {
	*flag.FlagSet
	config *string
}

func (k *keysCmd) flags(name string) keysFlags {
	fs := newFlags("keys "+name, k.stderr)
	return keysFlags{FlagSet: fs, config: fs.String("c", "", "configuration file")}
}

// parse parses flags placed before or after the positional arguments and
// checks their count and -c. ok is false when the caller must return code.
func (k *keysCmd) parse(fs keysFlags, args []string, nPos int, usage string) (pos []string, code int, ok bool) {
	for {
		if code, ok := parseFlags(fs.FlagSet, args, k.stderr); !ok {
			return nil, code, false
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != nPos || *fs.config == "" {
		fmt.Fprintf(k.stderr, "%s: usage: apiguard %s\n", fs.Name(), usage)
		return nil, exitUsage, false
	}
	return pos, exitOK, true
}

// withStore opens the store of -c, runs fn and closes the store.
func (k *keysCmd) withStore(fs keysFlags, fn func(store.Store) int) int {
	st, err := k.open(*fs.config)
	if err != nil {
		fmt.Fprintf(k.stderr, "%s: %v\n", fs.Name(), err)
		if errors.Is(err, errBadConfig) {
			return exitUsage
		}
		return exitFail
	}
	defer st.Close()
	return fn(st)
}

// fail prints one line for err and returns its exit code.
func (k *keysCmd) fail(fs keysFlags, err error) int {
	fmt.Fprintf(k.stderr, "%s: %v\n", fs.Name(), err)
	if errors.Is(err, apikey.ErrInvalidSpec) {
		return exitUsage
	}
	return exitFail
}

func (k *keysCmd) create(args []string) int {
	fs := k.flags("create")
	name := fs.String("name", "", "a label for the key (required)")
	scopes := fs.String("scopes", "", "comma-separated scopes to grant")
	expires := fs.String("expires", "", "lifetime, e.g. 1h, 30d, 1d12h (default: never expires)")
	quota := fs.String("quota", "", "the key's own quota on every route, N/day or N/month (default: none)")
	withTOTP := fs.Bool("totp", false, "enrol the key for TOTP step-up (prints an otpauth:// URI once)")
	asJSON := fs.Bool("json", false, `print {"id","key","totp_uri"}`)
	const usage = "keys create -c FILE --name N [--scopes a,b] [--expires 30d] [--quota N/day|N/month] [--totp] [--json]"
	if _, code, ok := k.parse(fs, args, 0, usage); !ok {
		return code
	}
	spec := apikey.Spec{Name: *name, Scopes: splitScopes(*scopes), TOTP: *withTOTP}
	var err error
	if spec.TTL, err = apikey.ParseLifetime(*expires, false); err != nil {
		err = fmt.Errorf("--expires: %w", err)
	} else if spec.Quota, err = parseQuotaFlag(*quota); err != nil {
		err = fmt.Errorf("--quota: %w", err)
	} else {
		err = spec.Validate()
	}
	if err != nil {
		fmt.Fprintf(k.stderr, "%s: %v\n", fs.Name(), err)
		return exitUsage
	}
	return k.withStore(fs, func(st store.Store) int {
		iss, err := apikey.Issue(k.ctx, st, spec, k.now())
		if err != nil {
			return k.fail(fs, err)
		}
		if *asJSON {
			return k.printJSON(issuedJSON(iss))
		}
		fmt.Fprintf(k.stdout, "created key %s (%s), scopes: %s, expires: %s, quota: %s\n", iss.Record.ID, iss.Record.Name,
			orDash(strings.Join(iss.Record.Scopes, ",")), timeOr(iss.Record.Expires, "never"), apikey.QuotaString(iss.Record.Quota))
		k.printSecrets(iss)
		return exitOK
	})
}

// printSecrets prints the TOTP URI, if any, and the key as the last line.
func (k *keysCmd) printSecrets(iss apikey.Issued) {
	if iss.TOTPURI != "" {
		fmt.Fprintf(k.stdout, "TOTP enrolment (add it to an authenticator app now; shown once):\n%s\n", iss.TOTPURI)
	}
	fmt.Fprintf(k.stdout, "The key is shown only once; store it now:\n%s\n", iss.Key.Plaintext())
}

func issuedJSON(iss apikey.Issued) any {
	return struct {
		ID      string `json:"id"`
		Key     string `json:"key"`
		TOTPURI string `json:"totp_uri"`
	}{iss.Record.ID, iss.Key.Plaintext(), iss.TOTPURI}
}

func (k *keysCmd) printJSON(v any) int {
	enc := json.NewEncoder(k.stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(k.stderr, "apiguard keys: %v\n", err)
		return exitFail
	}
	return exitOK
}

func (k *keysCmd) list(args []string) int {
	fs := k.flags("list")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if _, code, ok := k.parse(fs, args, 0, "keys list -c FILE [--json]"); !ok {
		return code
	}
	return k.withStore(fs, func(st store.Store) int {
		keys, err := st.Keys().List(k.ctx)
		if err != nil {
			return k.fail(fs, err)
		}
		now := k.now()
		if *asJSON {
			out := make([]apikey.View, 0, len(keys))
			for i := range keys {
				out = append(out, apikey.NewView(&keys[i], now))
			}
			return k.printJSON(out)
		}
		k.printTable(keys, now)
		return exitOK
	})
}

func (k *keysCmd) printTable(keys []store.Key, now time.Time) {
	tw := tabwriter.NewWriter(k.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tCREATED\tEXPIRES\tLAST USED\tQUOTA\tSTATUS")
	for i := range keys {
		key := &keys[i]
		status := string(key.Status(now))
		if key.RotatedTo != "" {
			status += " (to " + key.RotatedTo + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", key.ID, key.Name, orDash(strings.Join(key.Scopes, ",")),
			timeOr(key.Created, "-"), timeOr(key.Expires, "never"), timeOr(key.LastUsed, "never"), apikey.QuotaString(key.Quota), status)
	}
	tw.Flush()
}

func (k *keysCmd) revoke(args []string) int {
	fs := k.flags("revoke")
	pos, code, ok := k.parse(fs, args, 1, "keys revoke -c FILE ID")
	if !ok {
		return code
	}
	return k.withStore(fs, func(st store.Store) int {
		if err := st.Keys().Revoke(k.ctx, pos[0], k.now()); err != nil {
			return k.fail(fs, keyErr(pos[0], err))
		}
		fmt.Fprintf(k.stdout, "revoked key %s\n", pos[0])
		return exitOK
	})
}

func (k *keysCmd) rotate(args []string) int {
	fs := k.flags("rotate")
	grace := fs.String("grace", "0", "how long the old key stays valid, e.g. 24h (default 0: invalid at once)")
	asJSON := fs.Bool("json", false, `print {"id","key","totp_uri"}`)
	pos, code, ok := k.parse(fs, args, 1, "keys rotate -c FILE ID [--grace 24h] [--json]")
	if !ok {
		return code
	}
	g, err := apikey.ParseLifetime(*grace, true)
	if err != nil {
		fmt.Fprintf(k.stderr, "%s: --grace: %v\n", fs.Name(), err)
		return exitUsage
	}
	return k.withStore(fs, func(st store.Store) int {
		iss, err := apikey.Rotate(k.ctx, st, pos[0], g, k.now())
		if err != nil {
			return k.fail(fs, keyErr(pos[0], err))
		}
		if *asJSON {
			return k.printJSON(issuedJSON(iss))
		}
		until := "is no longer valid"
		if g > 0 {
			until = "stays valid until " + timeOr(k.now().Add(g), "")
		}
		fmt.Fprintf(k.stdout, "rotated key %s to %s; %s %s\n", pos[0], iss.Record.ID, pos[0], until)
		k.printSecrets(iss)
		return exitOK
	})
}

func (k *keysCmd) rekey(args []string) int {
	fs := k.flags("rekey")
	if _, code, ok := k.parse(fs, args, 0, "keys rekey -c FILE"); !ok {
		return code
	}
	return k.withStore(fs, func(st store.Store) int {
		res, err := st.Rekey(k.ctx)
		if err != nil {
			return k.fail(fs, err)
		}
		fmt.Fprintf(k.stdout, "master key rotated: %s -> %s; %d TOTP seed(s) re-encrypted; old key kept in %s\n",
			res.OldKeyID, res.NewKeyID, res.Resealed, res.Backup)
		return exitOK
	})
}

// keyErr words store errors about key id for the operator.
func keyErr(id string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no key with id %q", id)
	}
	return err
}

// parseQuotaFlag reads --quota: "" is no quota, else N/day or N/month.
func parseQuotaFlag(s string) (store.Quota, error) {
	if s == "" {
		return store.Quota{}, nil
	}
	return apikey.ParseQuota(s)
}

func splitScopes(s string) []string {
	var out []string
	for _, sc := range strings.Split(s, ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			out = append(out, sc)
		}
	}
	return out
}

func timeOr(t time.Time, zero string) string {
	if t.IsZero() {
		return zero
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
