package apikey

import (
	"context"
	"time"
)

// pollState is the background goroutine's view of the store revision.
type pollState struct {
	rev     uint64
	seen    bool // rev holds a value read from the store
	failing bool // the last poll failed (log transitions only)
}

// run polls the store revision (New did the first poll) and flushes last-used times until Close.
func (a *Authenticator) run() {
	defer close(a.done)
	poll := time.NewTicker(a.pollDur)
	defer poll.Stop()
	flush := time.NewTicker(a.flushDur)
	defer flush.Stop()
	for {
		select {
		case <-a.stop:
			a.flushUsage()
			return
		case <-poll.C:
			a.pollOnce()
		case <-flush.C:
			a.flushUsage()
		}
	}
}

// pollOnce reads the revision; a change drops the cache. On failure the
// cache ages until it is no longer trusted (WithMaxStale), after which
// requests read the store directly and fail closed with it.
func (a *Authenticator) pollOnce() {
	ps := &a.polls
	ctx, cancel := context.WithTimeout(context.Background(), a.stale)
	defer cancel()
	r, err := a.st.Revision(ctx)
	if err != nil {
		if !ps.failing {
			a.log.Warn("api key store revision unavailable: cache bypassed once stale", "error", err)
		}
		ps.failing = true
		return
	}
	if ps.failing {
		a.log.Info("api key store revision available again")
	}
	ps.failing = false
	if !ps.seen || r != ps.rev {
		a.cache.invalidate()
		ps.rev, ps.seen = r, true
	}
	a.cache.markPolled()
}

// flushUsage writes batched last-used times in one store write.
func (a *Authenticator) flushUsage() {
	used := a.cache.takeUsage()
	if len(used) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.st.Keys().TouchLastUsed(ctx, used); err != nil {
		a.log.Warn("api key last-used times not written", "keys", len(used), "error", err)
	}
}
