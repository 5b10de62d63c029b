package scan

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Env is what a check runs against: the client, the target, the
// credentials, and what earlier phases learned.
type Env struct {
	Client *Client
	Target *Target
	Auth   Credential // --auth: a normal user (or a token the scan captured)
	AuthB  Credential // --auth-b: a second user
	// AllowDestructive mirrors --allow-destructive.
	AllowDestructive bool
	// JWT is shared by the jwt.* checks, which run in order.
	JWT JWTState
	// Notes are remarks for the report (skipped checks and why).
	notes []string

	mu       sync.Mutex
	baseline map[*Operation]*Exchange
	unauth   map[*Operation]*Exchange
}

// JWTState is what the jwt.* checks learn and pass on.
type JWTState struct {
	Token    string     // a compact JWT (from --auth or captured)
	Cred     Credential // where it goes (header and scheme)
	Probe    *Operation // an operation that accepts the token and refuses no token
	Secret   string     // an HMAC secret found offline (jwt.weak-secret)
	Accepts  string     // a forgery the API is known to accept: "none", "unverified" or ""
	Captured bool       // taken from a response, not from --auth
}

// NewEnv returns an Env over client and target.
func NewEnv(c *Client, t *Target) *Env {
	return &Env{Client: c, Target: t, baseline: map[*Operation]*Exchange{}, unauth: map[*Operation]*Exchange{}}
}

// Note records a remark for the report.
func (e *Env) Note(s string) {
	e.mu.Lock()
	e.notes = append(e.notes, s)
	e.mu.Unlock()
}

// Notes returns the remarks so far.
func (e *Env) Notes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.notes...)
}

// Baseline is op's baseline exchange (nil when none was sent).
func (e *Env) Baseline(op *Operation) *Exchange {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.baseline[op]
}

// SetBaseline records op's baseline exchange.
func (e *Env) SetBaseline(op *Operation, x *Exchange) {
	e.mu.Lock()
	e.baseline[op] = x
	e.mu.Unlock()
}

// Request builds a valid request for op with cred: path parameters filled
// (with the scan's own objects first when owned), required and exemplified
// query and header parameters, and a sample body.
func (e *Env) Request(op *Operation, cred Credential, owned bool) Request {
	r := Request{Method: op.Method, Header: http.Header{}, Retry429: true}
	p := e.Target.Fill(op, owned || Destructive(op.Method))
	q := url.Values{}
	for _, prm := range op.Params {
		if !prm.Required && prm.Example == nil && len(prm.Examples) == 0 {
			continue
		}
		switch prm.In {
		case "query":
			q.Set(prm.Name, ParamSample(prm))
		case "header":
			if !strings.EqualFold(prm.Name, cred.Header) {
				r.Header.Set(prm.Name, ParamSample(prm))
			}
		}
	}
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	r.Path = p
	if op.Body != nil {
		r.Body, r.Header = encodeBody(op.ContentType, BodySample(op.Body), r.Header)
	}
	cred.Apply(r.Header)
	return r
}

func encodeBody(ct string, v any, h http.Header) ([]byte, http.Header) {
	if strings.Contains(ct, "x-www-form-urlencoded") {
		f := url.Values{}
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				if s := scalar(x); s != "" {
					f.Set(k, s)
				}
			}
		}
		h.Set("Content-Type", ct)
		return []byte(f.Encode()), h
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("{}")
	}
	if ct == "" || !strings.Contains(ct, "json") {
		ct = "application/json"
	}
	h.Set("Content-Type", ct)
	return b, h
}

// Send sends op's request with cred after mod (may be nil) edits it.
func (e *Env) Send(ctx context.Context, op *Operation, cred Credential, mod func(*Request)) (*Exchange, error) {
	r := e.Request(op, cred, false)
	if mod != nil {
		mod(&r)
	}
	return e.Client.Do(ctx, r)
}

// Unauth is op's exchange without credentials, sent once and shared by the
// checks that need it.
func (e *Env) Unauth(ctx context.Context, op *Operation) (*Exchange, error) {
	e.mu.Lock()
	x, ok := e.unauth[op]
	e.mu.Unlock()
	if ok {
		return x, nil
	}
	x, err := e.Send(ctx, op, Credential{}, nil)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.unauth[op] = x
	e.mu.Unlock()
	return x, nil
}

// Probeable lists the operations checks may send to freely: safe methods
// and POST (which creates), in the target's order; PUT/PATCH only on
// objects the scan created or with --allow-destructive; never DELETE.
func (e *Env) Probeable() []*Operation {
	var out []*Operation
	for _, op := range e.Target.Ops {
		switch {
		case op.Method == http.MethodDelete:
		case Destructive(op.Method):
			if e.AllowDestructive || e.Target.OwnedID(Collection(op.Path)) != "" {
				out = append(out, op)
			}
		default:
			out = append(out, op)
		}
	}
	return out
}

// AuthedOK returns the operations whose baseline (with --auth) was 2xx.
func (e *Env) AuthedOK(safeOnly bool) []*Operation {
	var out []*Operation
	for _, op := range e.Target.Ops {
		if safeOnly && !op.Safe() {
			continue
		}
		if x := e.Baseline(op); x.OK() {
			out = append(out, op)
		}
	}
	return out
}
