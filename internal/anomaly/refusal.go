package anomaly

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/store"
)

// Refusal is the answer to a request refused by b at now: 403 with code
// CodeClientBlocked and Retry-After (whole seconds until the block ends,
// at least 1). The client learns neither the detector nor the reason;
// they are in the error's Cause, for the log and the audit record.
func Refusal(b store.Block, now time.Time) *problem.Error {
	secs := max(int64((b.Until.Sub(now)+time.Second-1)/time.Second), 1)
	return problem.New(http.StatusForbidden, CodeClientBlocked, "this client is temporarily blocked").
		WithHeader("Retry-After", strconv.FormatInt(secs, 10)).
		WithCause(fmt.Errorf("%s %s blocked by %s until %s: %s", b.Kind, b.Value, b.Detector,
			b.Until.UTC().Format(time.RFC3339), b.Reason))
}

// Deny returns the Refusal of a request from ip with identity subject, or
// nil when no block is in force against them. It allocates only to
// refuse.
func (l *BlockList) Deny(ip netip.Addr, subject string) *problem.Error {
	b, ok := l.Blocked(ip, subject)
	if !ok {
		return nil
	}
	return Refusal(b, l.now())
}
