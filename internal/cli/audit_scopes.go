package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/apiguard/apiguard/internal/audit"
)

// scopes prints, per API key or subject, the scopes granted and the
// scopes its requests actually needed, and suggests the narrower set:
//
//	audit scopes -c CONFIG [--since 30d] [--json] [FILE...]
//
// The routes' required scopes come from CONFIG; the records from FILE...
// or, without files, from CONFIG's audit file and its rotated files.
func (a *auditCmd) scopes(args []string) int {
	fs := newFlags("audit scopes", a.stderr)
	cfgPath := fs.String("c", "", "the gateway configuration (routes and their scopes; required)")
	since := fs.String("since", "30d", "records at or after: a duration back from now (30d) or an RFC 3339 time")
	asJSON := fs.Bool("json", false, "print a JSON array")
	const usage = "audit scopes -c CONFIG [--since 30d] [--json] [FILE...]"
	files, code, ok := a.parse(fs, args, 0, -1, usage)
	if !ok {
		return code
	}
	if *cfgPath == "" {
		fmt.Fprintln(a.stderr, "apiguard audit scopes: -c CONFIG is required (it says which scopes each route needs); "+usage)
		return exitUsage
	}
	from, err := a.when(*since)
	if err != nil {
		fmt.Fprintf(a.stderr, "apiguard audit scopes: --since: %v\n", err)
		return exitUsage
	}
	cfg, err := loadConfigLine(*cfgPath)
	if err != nil {
		fmt.Fprintf(a.stderr, "apiguard audit scopes: %v\n", err)
		return exitUsage
	}
	if len(files) == 0 {
		if files, err = audit.Files(cfg.Audit.File); err != nil {
			fmt.Fprintf(a.stderr, "apiguard audit scopes: %v\n", err)
			return exitUsage
		}
	}
	if !a.readable("scopes", files) {
		return exitUsage
	}
	routeScopes := make(map[string][]string, len(cfg.Routes))
	for _, r := range cfg.Routes {
		routeScopes[r.Name] = r.Scopes
	}
	tally := audit.NewScopeTally(routeScopes, from)
	for _, file := range files {
		err := audit.Scan(file, func(_ int, _ []byte, rec *audit.Record, err error) error {
			if err == nil {
				tally.Add(rec)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(a.stderr, "apiguard audit scopes: %v\n", unwrapPath(err))
			return exitUsage
		}
	}
	report := tally.Report()
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return exitFail
		}
		return exitOK
	}
	printScopeReport(a, report)
	return exitOK
}

func printScopeReport(a *auditCmd, report []audit.ScopeUsage) {
	if len(report) == 0 {
		fmt.Fprintln(a.stdout, "no authenticated requests in the period")
		return
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "IDENTITY\tAUTH\tREQUESTS\tGRANTED\tUSED\tSUGGESTION")
	for _, u := range report {
		suggestion := "keep"
		if len(u.Unused) > 0 {
			suggestion = "narrow to [" + strings.Join(u.Used, ",") + "] (unused: " + strings.Join(u.Unused, ",") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", u.Identity, u.Auth, u.Requests,
			orDash(strings.Join(u.Granted, ",")), orDash(strings.Join(u.Used, ",")), suggestion)
	}
	tw.Flush()
}
