package injection

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// Modes of the waf policy.
const (
	ModeBlock  = "block"
	ModeReport = "report"
	ModeOff    = "off"
)

// Stage is the injection filter: a pipeline.Stage of the inspect phase.
// It is safe for concurrent use.
type Stage struct {
	block bool
	o     options
	pool  sync.Pool
}

// NewStage returns the stage for a route's waf mode: in ModeBlock the
// first detection denies the request (403 blocked), in ModeReport every
// detection (up to 8) is appended to the exchange's Findings and the
// request goes on, and ModeOff (or "") returns a nil Stage and no error:
// the route has no injection filter. Any other mode is an error.
func NewStage(mode string, opts ...Option) (pipeline.Stage, error) {
	var block bool
	switch mode {
	case ModeBlock:
		block = true
	case ModeReport:
	case ModeOff, "":
		return nil, nil
	default:
		return nil, fmt.Errorf("injection: unknown waf mode %q (want block, report or off)", mode)
	}
	s := &Stage{block: block, o: buildOptions(opts)}
	s.pool.New = func() any { return new(scanner) }
	return s, nil
}

// Name identifies the stage in logs, metrics and audit records.
func (*Stage) Name() string { return "waf" }

// Check inspects the request: path segments, query names and values, the
// User-Agent, Referer and Cookie headers (and every header for JNDI
// lookups), then a JSON or form body. See the package documentation for
// what is detected and the limits.
func (s *Stage) Check(_ context.Context, x *pipeline.Exchange) error {
	sc := s.pool.Get().(*scanner)
	defer s.put(sc)
	sc.reset(s)
	r := x.In
	stopped := sc.path(r.URL.EscapedPath()) || sc.pairs(r.URL.RawQuery, locQuery) || sc.headers(r.Header)
	if !stopped {
		if err := sc.body(r); err != nil {
			return err
		}
	}
	return s.verdict(sc, x)
}

// verdict turns the scanner's hits and limits into a denial or findings.
func (s *Stage) verdict(sc *scanner, x *pipeline.Exchange) error {
	if s.block && len(sc.hits) > 0 {
		h := sc.hits[0]
		return problem.New(http.StatusForbidden, problem.CodeBlocked, "the request was blocked by the injection filter").
			WithCause(errors.New(h.rule.String() + " in " + h.loc))
	}
	if s.block && s.o.strict && sc.partial != "" {
		return problem.New(http.StatusForbidden, problem.CodeBlocked, "the request was blocked by the injection filter").
			WithCause(errors.New("inspection incomplete: " + sc.partial))
	}
	for _, h := range sc.hits {
		x.Findings = append(x.Findings, "waf: "+h.rule.String()+" in "+h.loc)
	}
	if sc.partial != "" {
		x.Findings = append(x.Findings, "waf: inspection incomplete: "+sc.partial)
	}
	return nil
}

// put returns a scanner to the pool, dropping buffers that a large
// request grew beyond what is worth keeping.
func (s *Stage) put(sc *scanner) {
	const keep = 64 << 10
	for i := range sc.dec {
		if cap(sc.dec[i]) > keep {
			sc.dec[i] = nil
		}
	}
	if cap(sc.str) > keep {
		sc.str = nil
	}
	if cap(sc.jndi) > keep {
		sc.jndi = nil
	}
	if cap(sc.json.stack) > maxJSONDepth {
		sc.json.stack = nil
	}
	sc.json.data = nil
	sc.hits = sc.hits[:0]
	s.pool.Put(sc)
}
