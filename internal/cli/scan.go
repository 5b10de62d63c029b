package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/scan"
	"github.com/apiguard/apiguard/internal/scan/checks"
	"github.com/apiguard/apiguard/internal/scan/policy"
	"github.com/apiguard/apiguard/internal/scan/report"
)

// headerList is a repeatable "Name: value" flag.
type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

// scanFlags are apiguard scan's flags.
type scanFlags struct {
	target, openapi, gateway, format, out, failOn, auth, authB, only string
	maxRequests, retries                                             int
	rate                                                             float64
	timeout                                                          time.Duration
	allowDestructive, insecure, dryRun, quiet, upstreamDirect        bool
	headers                                                          headerList
}

// runScan scans a running API. Exit 0: nothing at or above --fail-on; 1:
// findings at or above it; 2: bad usage, unreadable files, an unreachable
// target, or a scan interrupted before finding anything at or above it.
func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("scan", stderr)
	var f scanFlags
	fs.StringVar(&f.target, "target", "", "base URL of the API to scan (required)")
	fs.StringVar(&f.openapi, "openapi", "", "OpenAPI 3.0/3.1 document (JSON or YAML file, or http(s) URL)")
	fs.StringVar(&f.gateway, "c", "", "apiguard configuration: also test the gateway against its policy")
	fs.StringVar(&f.format, "format", "text", "report format: text, json, sarif or html")
	fs.StringVar(&f.out, "out", "", "write the report to this file instead of stdout")
	fs.StringVar(&f.failOn, "fail-on", "low", "exit 1 on findings at or above: low, medium or high")
	fs.StringVar(&f.auth, "auth", "", `credential of a normal user: "Header: value"`)
	fs.StringVar(&f.authB, "auth-b", "", `credential of a second user (object-level checks): "Header: value"`)
	fs.StringVar(&f.only, "checks", "", "comma-separated check ids to run (default: all)")
	fs.IntVar(&f.maxRequests, "max-requests", 2000, "never send more requests than this")
	fs.Float64Var(&f.rate, "rate", 50, "never send more requests per second than this")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "timeout of each request")
	fs.IntVar(&f.retries, "retries", 1, "retries of a request after a transport error")
	fs.BoolVar(&f.allowDestructive, "allow-destructive", false, "allow DELETE, and PUT/PATCH on objects the scan did not create")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify the target's TLS certificate")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the plan and send nothing")
	fs.BoolVar(&f.quiet, "quiet", false, "no banner or progress on stderr")
	fs.BoolVar(&f.upstreamDirect, "upstream-direct", false, "with -c: probe the upstreams around the gateway")
	fs.Var(&f.headers, "header", `extra header on every request: "Name: value" (repeatable)`)
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "apiguard scan: "+format+"\n", a...)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := f.config(ctx)
	if err != nil {
		return usageErr("%v", err)
	}
	s, err := scan.New(cfg)
	if err != nil {
		return usageErr("%v", err)
	}
	failOn, _ := scan.ParseSeverity(f.failOn)
	if !f.quiet || f.dryRun {
		w := stderr
		if f.dryRun {
			w = stdout
		}
		banner(w, &f, s, cfg)
	}
	if f.dryRun {
		plan(stdout, s, cfg)
		return exitOK
	}
	if !f.quiet && isTerminal(stderr) {
		s.SetProgress(stderr)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := s.Run(ctx)
	if err != nil {
		return usageErr("%v", err)
	}
	if err := f.write(res, stdout); err != nil {
		return usageErr("%v", err)
	}
	switch {
	case res.AtOrAbove(failOn):
		return exitFail
	case res.Interrupted:
		fmt.Fprintln(stderr, "apiguard scan: interrupted; the report holds the findings so far")
		return exitUsage
	}
	return exitOK
}

// config validates the flags and reads the files they name.
func (f *scanFlags) config(ctx context.Context) (scan.Config, error) {
	var cfg scan.Config
	if f.target == "" {
		return cfg, errors.New("--target URL is required (usage: apiguard scan --target URL [--openapi SPEC] [-c CONFIG] [--format text|json|sarif|html] [--out FILE] [--fail-on low|medium|high])")
	}
	if !contains(report.Formats, f.format) {
		return cfg, fmt.Errorf("--format %q: want text, json, sarif or html", f.format)
	}
	if _, ok := scan.ParseSeverity(f.failOn); !ok {
		return cfg, fmt.Errorf("--fail-on %q: want low, medium or high", f.failOn)
	}
	if f.maxRequests < 1 {
		return cfg, fmt.Errorf("--max-requests %d: want at least 1", f.maxRequests)
	}
	if f.rate <= 0 {
		return cfg, fmt.Errorf("--rate %v: want more than 0 requests per second", f.rate)
	}
	if f.timeout <= 0 || f.retries < 0 {
		return cfg, errors.New("--timeout must be positive and --retries not negative")
	}
	if f.upstreamDirect && f.gateway == "" {
		return cfg, errors.New("--upstream-direct needs -c GATEWAY_CONFIG")
	}
	cfg.Target = f.target
	cfg.Client = scan.ClientOptions{MaxRequests: f.maxRequests, Rate: f.rate, Timeout: f.timeout, Retries: f.retries,
		Insecure: f.insecure, AllowDestructive: f.allowDestructive, Header: http.Header{}}
	for _, h := range f.headers {
		c, err := scan.ParseCredential(h)
		if err != nil {
			return cfg, fmt.Errorf("--header %q: %w", h, err)
		}
		cfg.Client.Header.Add(c.Header, c.Value)
	}
	var err error
	if f.auth != "" {
		if cfg.Auth, err = scan.ParseCredential(f.auth); err != nil {
			return cfg, fmt.Errorf("--auth: %w", err)
		}
	}
	if f.authB != "" {
		if cfg.AuthB, err = scan.ParseCredential(f.authB); err != nil {
			return cfg, fmt.Errorf("--auth-b: %w", err)
		}
	}
	if f.openapi != "" {
		if cfg.Spec, err = readSpec(ctx, f.openapi, f.timeout, f.insecure); err != nil {
			return cfg, err
		}
		if strings.HasPrefix(f.openapi, "http") {
			cfg.Client.MaxRequests-- // the spec's fetch counts against the budget
		}
	}
	cfg.Checks = checks.All()
	if f.gateway != "" {
		if _, err := os.Stat(f.gateway); err != nil {
			return cfg, fmt.Errorf("-c: cannot read %s: %w", f.gateway, errors.Unwrap(err))
		}
		gc, err := config.Load(f.gateway)
		if err != nil {
			return cfg, fmt.Errorf("-c %s: %s", f.gateway, scanOneLine(err.Error()))
		}
		cfg.Ops = policy.Operations(gc)
		cfg.Checks = append(cfg.Checks, policy.Checks(gc, policy.Options{UpstreamDirect: f.upstreamDirect})...)
	}
	if f.only != "" {
		var keep []scan.Check
		for _, id := range strings.Split(f.only, ",") {
			id = strings.TrimSpace(id)
			found := false
			for _, c := range cfg.Checks {
				if c.Info().ID == id || strings.HasSuffix(id, ".*") && strings.HasPrefix(c.Info().ID, strings.TrimSuffix(id, "*")) {
					keep, found = append(keep, c), true
				}
			}
			if !found {
				return cfg, fmt.Errorf("--checks: unknown check %q", id)
			}
		}
		cfg.Checks = keep
	}
	return cfg, nil
}

// readSpec reads an OpenAPI document from a file or an http(s) URL.
func readSpec(ctx context.Context, src string, timeout time.Duration, insecure bool) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, fmt.Errorf("--openapi: cannot read %s: %w", src, errors.Unwrap(err))
		}
		return b, nil
	}
	c := scan.NewClient(scan.ClientOptions{Target: nil, MaxRequests: 1, Timeout: timeout, Insecure: insecure})
	x, err := c.Do(ctx, scan.Request{Method: http.MethodGet, URL: src})
	if err != nil {
		return nil, fmt.Errorf("--openapi: %w", err)
	}
	if !x.OK() {
		return nil, fmt.Errorf("--openapi: %s answered %d", src, x.Status)
	}
	return x.Body, nil
}

func (f *scanFlags) write(res *scan.Result, stdout io.Writer) error {
	w := stdout
	if f.out != "" {
		file, err := os.Create(f.out)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer file.Close()
		w = file
	}
	return report.Write(w, f.format, res)
}

// banner says what is being tested, before anything is sent.
func banner(w io.Writer, f *scanFlags, s *scan.Scanner, cfg scan.Config) {
	t := s.Env.Target
	src := "discovery (root, common spec locations, links)"
	if t.Source != "" {
		src = fmt.Sprintf("%s, %d operations", t.Source, len(t.Ops))
	}
	destructive := "off (no DELETE; PUT/PATCH only on objects the scan creates)"
	if f.allowDestructive {
		destructive = "ON (DELETE, PUT and PATCH allowed)"
	}
	fmt.Fprintf(w, "apiguard scan: target %s\n  operations: %s\n  checks: %d · budget %d requests at most %g/s · destructive: %s\n  credentials: --auth %s, --auth-b %s\n",
		cfg.Target, src, len(cfg.Checks), cfg.Client.MaxRequests, cfg.Client.Rate, destructive, yesNo(cfg.Auth.Set()), yesNo(cfg.AuthB.Set()))
}

// plan prints, for --dry-run, the operations and what each check may send.
func plan(w io.Writer, s *scan.Scanner, cfg scan.Config) {
	for _, op := range s.Env.Target.Ops {
		fmt.Fprintf(w, "  op %s\n", op.Key())
	}
	total := len(s.Env.Target.Ops)
	if s.Env.Target.Source == "" {
		total = 1 + len(scan.SpecLocations) + 25
	}
	fmt.Fprintf(w, "  discovery+baseline: at most %d requests\n", total)
	for _, c := range cfg.Checks {
		if e, ok := c.(scan.Estimator); ok {
			n := e.Estimate(s.Env)
			total += n
			fmt.Fprintf(w, "  check %-28s at most %d requests\n", c.Info().ID, n)
		} else {
			fmt.Fprintf(w, "  check %s\n", c.Info().ID)
		}
	}
	fmt.Fprintf(w, "plan: about %d requests (never more than %d), at most %g/s; nothing was sent (--dry-run)\n",
		total, cfg.Client.MaxRequests, cfg.Client.Rate)
}

func yesNo(b bool) string {
	if b {
		return "given"
	}
	return "none"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func scanOneLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
