package introspect

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestSingleFlight: concurrent requests with one token make one call; a
// request that gives up does not cancel it for the others.
func TestSingleFlight(t *testing.T) {
	e := newEnv(t, nil)
	e.idp.set("tok", e.active(""))
	gate := make(chan struct{})
	e.idp.setGate(gate)

	quitter, quit := context.WithCancel(context.Background())
	quitErr := make(chan error, 1)
	go func() {
		_, err := e.a.Authenticate(quitter, exchange("Bearer tok"))
		quitErr <- err
	}()
	for e.idp.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			p, err := e.auth("tok")
			if err == nil && p.Subject != "alice" {
				t.Errorf("subject %q", p.Subject)
			}
			errs <- err
		})
	}
	for e.a.Stats().Shared < n {
		time.Sleep(time.Millisecond)
	}
	quit()
	wantProblem(t, <-quitErr, 503, ErrUnavailable)
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if h := e.idp.hits.Load(); h != 1 {
		t.Fatalf("%d calls for one token", h)
	}
}

// TestMaxInFlight: calls beyond the slots wait, and fail closed at the
// timeout.
func TestMaxInFlight(t *testing.T) {
	e := newEnv(t, nil, WithMaxInFlight(1))
	gate := make(chan struct{})
	e.idp.setGate(gate)
	first := make(chan error, 1)
	go func() { _, err := e.auth("one"); first <- err }()
	for e.idp.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.a.Authenticate(ctx, exchange("Bearer two"))
	wantProblem(t, err, 503, ErrUnavailable)
	if e.idp.hits.Load() != 1 {
		t.Fatal("a second call went out beyond the limit")
	}
	close(gate)
	wantProblem(t, <-first, 401, ErrInactive)
	_, err = e.auth("three")
	wantProblem(t, err, 401, ErrInactive)
}

// TestPendingBound: distinct tokens beyond the pending bound fail fast
// instead of queueing.
func TestPendingBound(t *testing.T) {
	e := newEnv(t, nil, WithMaxInFlight(1))
	gate := make(chan struct{})
	e.idp.setGate(gate)
	var wg sync.WaitGroup
	for i := range pendingFactor {
		wg.Go(func() { e.auth("pending-" + itoa(int64(i))) })
	}
	for {
		e.a.mu.Lock()
		n := len(e.a.flights)
		e.a.mu.Unlock()
		if n == pendingFactor {
			break
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	_, err := e.auth("one-too-many")
	wantProblem(t, err, 503, ErrUnavailable)
	if time.Since(start) > 100*time.Millisecond {
		t.Fatal("did not fail fast")
	}
	if st := e.a.Stats(); st.Shed != 1 || st.Calls > pendingFactor {
		t.Fatalf("stats %+v", st)
	}
	close(gate)
	wg.Wait()
	if _, err := e.auth("one-too-many"); !errors.Is(err, ErrInactive) {
		t.Fatalf("after the flood: %v", err)
	}
}
