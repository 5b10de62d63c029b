package injection

import "time"

// Defaults of the inspection limits.
const (
	// DefaultBodyLimit is how much of a request body is inspected.
	DefaultBodyLimit = 64 << 10
	// DefaultMaxValues is how many values (path segments, query keys and
	// values, header and cookie values, JSON strings, form fields) one
	// request may have inspected.
	DefaultMaxValues = 10000
	// DefaultTimeBudget bounds the inspection of one request, body read
	// excluded.
	DefaultTimeBudget = 5 * time.Millisecond
	// maxFindings bounds the findings one request adds in report mode.
	maxFindings = 8
)

// Option configures a Stage.
type Option func(*options)

type options struct {
	bodyLimit  int
	maxValues  int
	timeBudget time.Duration
	strict     bool
	now        func() time.Time
}

// WithBodyLimit sets how many bytes of a JSON or form body are inspected
// (default DefaultBodyLimit; at least 1 KiB, at most 16 MiB). What lies
// beyond is forwarded uninspected.
func WithBodyLimit(n int) Option { return func(o *options) { o.bodyLimit = n } }

// WithMaxValues sets how many values of one request are inspected
// (default DefaultMaxValues; at least 64).
func WithMaxValues(n int) Option { return func(o *options) { o.maxValues = n } }

// WithTimeBudget bounds the time spent inspecting one request (default
// DefaultTimeBudget). It is checked every few values, so it may be
// overrun by the cost of one value.
func WithTimeBudget(d time.Duration) Option { return func(o *options) { o.timeBudget = d } }

// WithStrictLimits makes a request whose inspection was cut short by a
// limit (body beyond the body limit, too many values, time budget, a
// compressed body) a denial in block mode instead of a finding.
func WithStrictLimits() Option { return func(o *options) { o.strict = true } }

// WithClock sets the clock of the time budget (for tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

func buildOptions(opts []Option) options {
	o := options{bodyLimit: DefaultBodyLimit, maxValues: DefaultMaxValues, timeBudget: DefaultTimeBudget, now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	o.bodyLimit = min(max(o.bodyLimit, 1<<10), 16<<20)
	o.maxValues = max(o.maxValues, 64)
	if o.timeBudget <= 0 {
		o.timeBudget = DefaultTimeBudget
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o
}
