package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/gateway"
)

// runCheck validates a configuration file as serve would compile it, and
// lints it for insecure settings. Exit 0 valid, 1 invalid (or a warning
// with --strict), 2 the file cannot be read.
func runCheck(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", stderr)
	path := fs.String("c", "", "configuration file")
	strict := fs.Bool("strict", false, "fail on security warnings too")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *path == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "apiguard check: usage: apiguard check -c FILE [--strict]")
		return exitUsage
	}
	if _, err := os.Stat(*path); err != nil {
		fmt.Fprintf(stderr, "apiguard check: cannot read %s: %v\n", *path, errors.Unwrap(err))
		return exitUsage
	}
	cfg, err := config.Load(*path)
	if err == nil {
		var p *gateway.Plan
		if p, err = gateway.Compile(cfg, gateway.Deps{CheckOnly: true}.WithDefaults()); err == nil {
			p.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stdout, "%s: invalid\n%v\n", *path, err)
		return exitFail
	}
	findings := config.Lint(cfg, time.Now())
	for _, f := range findings {
		fmt.Fprintf(stdout, "warning: %s: %s\n", f.Path, f.Msg)
	}
	for _, u := range cfg.Unenforced() {
		fmt.Fprintf(stdout, "note: %s: accepted but not enforced by this version\n", u)
	}
	if *strict && len(findings) > 0 {
		fmt.Fprintf(stdout, "%s: %d security warning(s) (--strict)\n", *path, len(findings))
		return exitFail
	}
	fmt.Fprintf(stdout, "%s: ok (%d routes)\n", *path, len(cfg.Routes))
	return exitOK
}
