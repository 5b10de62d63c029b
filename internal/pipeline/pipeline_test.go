package pipeline

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiguard/apiguard/internal/problem"
)

type recordStage struct {
	name string
	log  *[]string
	err  error
}

func (s recordStage) Name() string { return s.name }
func (s recordStage) Check(context.Context, *Exchange) error {
	*s.log = append(*s.log, s.name)
	return s.err
}

func TestChainPhaseOrderIsFixed(t *testing.T) {
	var log []string
	st := func(n string) Stage { return recordStage{name: n, log: &log} }
	// Declared in a scrambled order: Run still goes identify → authorize → limit → inspect.
	c := Chain{Inspect: []Stage{st("inspect")}, Limit: []Stage{st("limit")}, Authorize: []Stage{st("authorize")}, Identify: []Stage{st("identify")}, Screen: []Stage{st("screen")}}
	if err := c.Run(context.Background(), &Exchange{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(log, ","); got != "screen,identify,authorize,limit,inspect" {
		t.Fatalf("order %s", got)
	}
	log = nil
	c.Authorize = []Stage{recordStage{name: "deny", log: &log, err: problem.Forbidden("no")}}
	if err := c.Run(context.Background(), &Exchange{}); err == nil || strings.Join(log, ",") != "screen,identify,deny" {
		t.Fatalf("a denial must stop the chain: %v %v", err, log)
	}
}

type fakeAuth struct {
	method string
	p      *Principal
	err    error
}

func (f fakeAuth) Method() string { return f.method }
func (f fakeAuth) Authenticate(context.Context, *Exchange) (*Principal, error) {
	return f.p, f.err
}

func TestIdentify(t *testing.T) {
	alice := &Principal{Subject: "alice", Method: "jwt"}
	denied := problem.Unauthenticated("bad", true)
	cases := []struct {
		name   string
		auths  []Authenticator
		status int // 0: admitted
	}{
		{"first responsible wins", []Authenticator{fakeAuth{"api_key", nil, ErrNoCredential}, fakeAuth{"jwt", alice, nil}}, 0},
		{"no credential at all", []Authenticator{fakeAuth{"api_key", nil, ErrNoCredential}}, 401},
		{"denial is final", []Authenticator{fakeAuth{"jwt", nil, denied}, fakeAuth{"api_key", &Principal{Subject: "k", Method: "api_key"}, nil}}, 401},
		{"internal error fails closed", []Authenticator{fakeAuth{"jwt", nil, errors.New("boom")}}, 500},
		{"principal without subject", []Authenticator{fakeAuth{"jwt", &Principal{Method: "jwt"}, nil}}, 500},
		{"method mismatch", []Authenticator{fakeAuth{"api_key", alice, nil}}, 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := &Exchange{In: httptest.NewRequest("GET", "/", nil)}
			err := Identify(tc.auths).Check(context.Background(), x)
			if tc.status == 0 {
				if err != nil || x.Principal != alice {
					t.Fatalf("%v %v", err, x.Principal)
				}
				return
			}
			if got := problem.As(err).Status; got != tc.status || x.Principal != nil {
				t.Fatalf("status %d principal %v", got, x.Principal)
			}
		})
	}
}
