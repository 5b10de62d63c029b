package openapi

// Modes of response_validation.
const (
	ModeReport = "report"
	ModeBlock  = "block"
	ModeOff    = "off"
)

// DefaultMaxResponseBody is how much of a JSON response body the filter
// reads to validate it, unless WithMaxResponseBody says otherwise.
const DefaultMaxResponseBody = 1 << 20

// Option configures a response filter.
type Option func(*filterOptions)

type filterOptions struct {
	maxBody int64
	count   func(route string)
}

// WithMaxResponseBody bounds the bytes of a JSON response body read (and
// held in memory) to validate it; n <= 0 keeps the default (1 MiB). A
// longer body is not validated: a finding in report mode, a 502 in block
// mode.
func WithMaxResponseBody(n int64) Option {
	return func(o *filterOptions) {
		if n > 0 {
			o.maxBody = n
		}
	}
}

// WithCounter sets a function called once per response that has findings
// (in report and block mode alike), with the exchange's route name: a
// metrics counter. It must be safe for concurrent use.
func WithCounter(f func(route string)) Option {
	return func(o *filterOptions) { o.count = f }
}
