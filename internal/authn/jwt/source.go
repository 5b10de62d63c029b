package jwt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	maxJWKSSize         = 1 << 20
	defaultFetchTimeout = 2 * time.Second
	maxFetchTimeout     = 10 * time.Second
	// refetchInterval rate-limits the refreshes that unknown kids (or
	// an issuer without keys) trigger: at most one per issuer per interval.
	refetchInterval = 10 * time.Second
	// defaultRefresh is the background refresh period; a Cache-Control
	// max-age shortens it down to minRefresh.
	defaultRefresh = 5 * time.Minute
	minRefresh     = 30 * time.Second
	// Retries after a failed fetch: 1 s, 2 s, 4 s... up to the period.
	minRetry = time.Second
)

// source loads and keeps one issuer's JWKS.
type source struct {
	issuer  string
	url     string
	file    string
	client  *http.Client
	timeout time.Duration
	period  time.Duration // background refresh period (upper bound)
	now     func() time.Time
	log     *slog.Logger
	stats   *counters
	hook    func(issuer string, err error)
	life    context.Context // cancelled by Close

	keys atomic.Pointer[keySet]

	mu       sync.Mutex
	inflight *flight
	// lastOnDemand is when a request last started a refresh (by now());
	// scheduled ones (Start, background) do not count.
	lastOnDemand time.Time
	maxAge       time.Duration
	failures     int // consecutive
	lastErr      error
}

// flight is one fetch in progress; err is set before done is closed.
type flight struct {
	done chan struct{}
	err  error
}

func (s *source) current() *keySet { return s.keys.Load() }

// refresh starts a fetch, or joins the one in flight. When limited (an
// on-demand refresh for a request), it starts none if another on-demand
// one was started less than refetchInterval ago, and returns nil. The fetch runs detached from any request, bounded by the
// fetch timeout and the authenticator's life, so that a client that goes
// away cannot waste the rate-limited refresh of others.
func (s *source) refresh(limited bool) *flight {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight != nil {
		return s.inflight
	}
	if limited {
		now := s.now()
		if since := now.Sub(s.lastOnDemand); !s.lastOnDemand.IsZero() && since < refetchInterval && since > -refetchInterval {
			return nil
		}
		s.lastOnDemand = now
	}
	f := &flight{done: make(chan struct{})}
	s.inflight = f
	go func() {
		err := s.load()
		s.mu.Lock()
		f.err = err
		s.inflight = nil
		s.mu.Unlock()
		close(f.done)
	}()
	return f
}

// wait waits for f, no longer than ctx allows nor the fetch timeout.
func (s *source) wait(ctx context.Context, f *flight) error {
	t := time.NewTimer(s.timeout + 100*time.Millisecond)
	defer t.Stop()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("%w: timed out", ErrJWKSFetch)
	}
}

// load fetches and parses the JWKS and publishes it if it changed. On
// failure the previous keys stay (stale if error).
func (s *source) load() error {
	ctx, cancel := context.WithTimeout(s.life, s.timeout)
	defer cancel()
	doc, maxAge, err := s.fetch(ctx)
	var ks *keySet
	var skipped []error
	if err == nil {
		ks, skipped, err = parseJWKS(doc)
	}
	s.mu.Lock()
	if err != nil {
		s.failures++
		s.lastErr = err
	} else {
		s.failures = 0
		s.lastErr = nil
		s.maxAge = maxAge
	}
	s.mu.Unlock()
	if err != nil {
		s.stats.failures.Add(1)
		s.log.Warn("jwks refresh failed; keeping the last good keys",
			"issuer", s.issuer, "have_keys", s.current() != nil, "error", err)
	} else {
		s.stats.refreshes.Add(1)
		if cur := s.current(); cur == nil || cur.digest != ks.digest {
			ks.loaded = s.now()
			s.keys.Store(ks)
			s.log.Info("jwks loaded", "issuer", s.issuer, "keys", len(ks.all))
			for _, e := range skipped {
				s.log.Warn("jwks key skipped", "issuer", s.issuer, "reason", e)
			}
		}
	}
	if s.hook != nil {
		s.hook(s.issuer, err)
	}
	return err
}

// fetch reads the JWKS document and its Cache-Control max-age (0: none).
func (s *source) fetch(ctx context.Context) ([]byte, time.Duration, error) {
	if s.file != "" {
		doc, err := readFile(s.file)
		return doc, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrJWKSFetch, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrJWKSFetch, err)
	}
	defer func() {
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10) // let the connection be reused
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("%w: HTTP status %d", ErrJWKSFetch, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !jsonMediaType(ct) {
		return nil, 0, fmt.Errorf("%w: content type %.64q is not JSON", ErrJWKSFetch, ct)
	}
	if resp.ContentLength > maxJWKSSize {
		return nil, 0, fmt.Errorf("%w: document over %d bytes", ErrJWKSFetch, maxJWKSSize)
	}
	doc, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrJWKSFetch, err)
	}
	if len(doc) > maxJWKSSize {
		return nil, 0, fmt.Errorf("%w: document over %d bytes", ErrJWKSFetch, maxJWKSSize)
	}
	return doc, maxAge(resp.Header.Get("Cache-Control")), nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrJWKSFetch, err)
	}
	defer f.Close()
	doc, err := io.ReadAll(io.LimitReader(f, maxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrJWKSFetch, err)
	}
	if len(doc) > maxJWKSSize {
		return nil, fmt.Errorf("%w: file over %d bytes", ErrJWKSFetch, maxJWKSSize)
	}
	return doc, nil
}

// jsonMediaType accepts application/json, application/jwk-set+json and
// other application/*+json types.
func jsonMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// maxAge returns the max-age of a Cache-Control value; no-store and
// no-cache count as 0 seconds (then the shortest period applies), an
// absent or invalid one as -1 (the default period).
func maxAge(cc string) time.Duration {
	for d := range strings.SplitSeq(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
			if err != nil || n < 0 {
				return -1
			}
			return time.Duration(min(n, int64(24*time.Hour/time.Second))) * time.Second
		}
	}
	return -1
}

// nextDelay is how long the background loop sleeps before refreshing.
func (s *source) nextDelay() time.Duration {
	s.mu.Lock()
	failures, age := s.failures, s.maxAge
	s.mu.Unlock()
	if failures > 0 || s.current() == nil {
		return min(minRetry<<min(max(failures-1, 0), 8), s.period)
	}
	d := s.period
	if age >= 0 {
		d = min(max(age, min(minRefresh, s.period)), s.period)
	}
	// Up to 10% earlier, so that replicas do not refresh in step.
	return d - rand.N(d/10+1)
}

// run refreshes in the background until ctx is done.
func (s *source) run(ctx context.Context) {
	for {
		t := time.NewTimer(s.nextDelay())
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		f := s.refresh(false)
		select {
		case <-ctx.Done():
			return
		case <-f.done:
		}
	}
}

// keysFor returns the keys that may verify a token with this alg and kid,
// and the set they come from. An unknown kid, or an issuer without keys
// yet, triggers one rate-limited refresh, waited for within ctx.
func (s *source) keysFor(ctx context.Context, alg, kid string, hasKid bool) ([]*key, *keySet, error) {
	ks := s.current()
	keys, known := []*key(nil), false
	if ks != nil {
		keys, known = ks.find(alg, kid, hasKid)
	}
	if !known {
		var waitErr error
		if f := s.refresh(true); f != nil {
			waitErr = s.wait(ctx, f)
		}
		if ks = s.current(); ks == nil {
			s.mu.Lock()
			last := s.lastErr
			s.mu.Unlock()
			if cause := errors.Join(waitErr, last); cause != nil {
				return nil, nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, cause)
			}
			return nil, nil, ErrKeysUnavailable
		}
		keys, known = ks.find(alg, kid, hasKid)
	}
	switch {
	case !known:
		return nil, nil, fmt.Errorf("%w (kid %.64q, alg %s)", ErrUnknownKey, kid, alg)
	case len(keys) == 0:
		return nil, nil, fmt.Errorf("%w (kid %.64q, alg %s)", ErrKeyMismatch, kid, alg)
	case !hasKid && len(keys) > maxKidless:
		return nil, nil, fmt.Errorf("%w: no kid, and %d keys fit %s", ErrUnknownKey, len(keys), alg)
	}
	return keys, ks, nil
}

// counters are the authenticator's metrics.
type counters struct {
	refreshes, failures, hits, misses atomic.Uint64
}
