package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Config is one scan's whole configuration.
type Config struct {
	Target string
	// Spec is an OpenAPI document's content (nil: discover).
	Spec []byte
	// Ops are documented operations from elsewhere (a gateway
	// configuration's routes), used when there is no spec.
	Ops    []*Operation
	Client ClientOptions // Target is filled from Target
	Auth   Credential
	AuthB  Credential
	Checks []Check
	// Progress receives progress lines (nil: none).
	Progress io.Writer
	Now      func() time.Time
}

// Scanner runs one scan.
type Scanner struct {
	cfg    Config
	Env    *Env
	Result *Result
}

// New validates cfg and prepares a scan without sending anything: the
// target URL, the spec and the operations are checked here.
func New(cfg Config) (*Scanner, error) {
	u, err := url.Parse(cfg.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--target %q: want an http:// or https:// URL", cfg.Target)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Client.Target = u
	t := NewTarget(u)
	if cfg.Spec != nil {
		spec, ops, err := ParseSpec(cfg.Spec)
		if err != nil {
			return nil, fmt.Errorf("--openapi: %w", err)
		}
		t.Spec, t.Ops, t.Source = spec, ops, "openapi"
		if u.Path == "" || u.Path == "/" {
			t.Prefix = spec.BasePath()
		}
	} else if len(cfg.Ops) > 0 {
		t.Ops, t.Source = cfg.Ops, "config"
	}
	env := NewEnv(NewClient(cfg.Client), t)
	env.Auth, env.AuthB = cfg.Auth, cfg.AuthB
	env.AllowDestructive = cfg.Client.AllowDestructive
	if tok := jwtRE.FindString(cfg.Auth.Value); tok != "" {
		env.JWT.Token, env.JWT.Cred = tok, cfg.Auth
	}
	return &Scanner{cfg: cfg, Env: env}, nil
}

var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)

// Run discovers the target (unless the spec or config listed it), sends
// one baseline request per operation, then runs every check in order.
// On cancellation it returns the findings so far with Interrupted set; it
// returns an error only when the target could not be scanned at all.
func (s *Scanner) Run(ctx context.Context) (*Result, error) {
	env, c := s.Env, s.Env.Client
	res := &Result{Target: s.cfg.Target, Started: s.cfg.Now().UTC().Truncate(time.Second)}
	s.Result = res
	start := time.Now()
	stat := func(name string, t0 time.Time, n0 int, found int, skipped string) {
		res.Stats = append(res.Stats, CheckStat{Check: name, Requests: c.Sent() - n0, Duration: time.Since(t0), Findings: found, Skipped: skipped})
	}
	total := len(s.cfg.Checks) + 1
	s.progress(0, total, "discovery")
	t0, n0 := time.Now(), c.Sent()
	c.SetPhase("discovery")
	if env.Target.Source == "" {
		if err := Discover(ctx, c, env.Target); err != nil && !errors.Is(err, ErrBudget) && ctx.Err() == nil {
			return nil, fmt.Errorf("target %s cannot be reached: %w", s.cfg.Target, err)
		}
	}
	reached, err := s.baseline(ctx)
	stat("discovery+baseline", t0, n0, 0, "")
	if err != nil && ctx.Err() == nil && !errors.Is(err, ErrBudget) {
		return nil, err
	}
	if !reached && ctx.Err() == nil && c.Remaining() > 0 {
		return nil, fmt.Errorf("target %s cannot be reached: no operation answered", s.cfg.Target)
	}
	res.Operations = len(env.Target.Ops)
	for i, chk := range s.cfg.Checks {
		m := chk.Info()
		res.Rules = append(res.Rules, m)
		if ctx.Err() != nil {
			break
		}
		s.progress(i+1, total, m.ID)
		if c.Remaining() == 0 {
			stat(m.ID, time.Now(), c.Sent(), 0, "request budget exhausted")
			continue
		}
		c.SetPhase(m.ID)
		t0, n0 := time.Now(), c.Sent()
		found := chk.Run(ctx, env)
		for j := range found {
			found[j].Evidence = Mask(found[j].Evidence)
		}
		res.Findings = append(res.Findings, found...)
		stat(m.ID, t0, n0, len(found), "")
	}
	s.progress(total, total, "done")
	if s.cfg.Progress != nil {
		fmt.Fprintln(s.cfg.Progress)
	}
	res.Interrupted = ctx.Err() != nil
	res.Exhausted = c.Remaining() == 0
	res.Requests = c.Sent()
	res.Notes = env.Notes()
	res.Source = env.Target.Source
	res.Duration = time.Since(start)
	res.Finish()
	return res, nil
}

func (s *Scanner) progress(done, total int, what string) {
	if s.cfg.Progress == nil {
		return
	}
	fmt.Fprintf(s.cfg.Progress, "\r\033[Kscan: %d/%d checks · %d requests · %s", done, total, s.Env.Client.Sent(), what)
}

// baseline sends one valid request per operation (with --auth), in an
// order that lets later requests use what earlier ones returned: login
// operations first (to capture a token), collections, creations, then
// object paths. PUT/PATCH go only to objects the scan created; DELETE is
// never part of the baseline. It reports whether anything answered.
func (s *Scanner) baseline(ctx context.Context) (bool, error) {
	env, t := s.Env, s.Env.Target
	var stages [4][]*Operation
	for _, op := range t.Ops {
		switch {
		case op.Method == http.MethodDelete:
		case isLogin(op):
			stages[0] = append(stages[0], op)
		case op.Method == http.MethodGet && !op.HasPathParams():
			stages[1] = append(stages[1], op)
		case op.Method == http.MethodPost:
			stages[2] = append(stages[2], op)
		default:
			stages[3] = append(stages[3], op)
		}
	}
	reached := false
	for _, stage := range stages {
		for _, op := range stage {
			if ctx.Err() != nil {
				return reached, ctx.Err()
			}
			cred := env.Auth
			if isLogin(op) {
				cred = Credential{}
			}
			r := env.Request(op, cred, true)
			if Destructive(op.Method) && !env.AllowDestructive && !env.Client.Owned(strings.SplitN(r.Path, "?", 2)[0]) {
				continue
			}
			x, err := env.Client.Do(ctx, r)
			if err != nil {
				if errors.Is(err, ErrBudget) || ctx.Err() != nil {
					return reached, err
				}
				if errors.Is(err, ErrDestructive) {
					continue
				}
				env.Note(fmt.Sprintf("baseline %s: %v", op.Key(), err))
				continue
			}
			reached = true
			env.SetBaseline(op, x)
			if !x.OK() {
				continue
			}
			s.capture(op, x)
			if p := t.Learn(op, x.Body, op.Method == http.MethodPost); p != "" {
				env.Client.MarkOwned(p)
			}
			if loc := x.Header.Get("Location"); op.Method == http.MethodPost && loc != "" {
				if u, err := x.URL.Parse(loc); err == nil && u.Host == x.URL.Host {
					env.Client.MarkOwned(u.Path)
				}
			}
		}
	}
	if len(t.Ops) == 0 {
		reached = len(env.Client.Exchanges()) > 0
	}
	return reached, nil
}

// capture takes a JWT from a login response, for the jwt.* checks and, when
// no --auth was given, as the scan's credential.
func (s *Scanner) capture(op *Operation, x *Exchange) {
	env := s.Env
	if env.JWT.Token != "" || !isLogin(op) {
		return
	}
	tok := jwtRE.FindString(string(x.Body))
	if tok == "" {
		return
	}
	cred := Credential{Header: "Authorization", Value: "Bearer " + tok}
	if env.Auth.Set() {
		cred = env.Auth.WithSecret(tok)
	} else {
		env.Auth = cred
	}
	env.JWT.Token, env.JWT.Cred, env.JWT.Captured = tok, cred, true
}

var loginRE = regexp.MustCompile(`(?i)(login|signin|sign-in|token|session|auth)`)

func isLogin(op *Operation) bool {
	return op.Method == http.MethodPost && loginRE.MatchString(op.Path) && !op.HasPathParams()
}

// SetProgress sends progress lines to w (nil: none).
func (s *Scanner) SetProgress(w io.Writer) { s.cfg.Progress = w }
