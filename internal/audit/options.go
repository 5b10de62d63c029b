package audit

import (
	"fmt"
	"log/slog"
	"time"
)

// SyncPolicy says when the writer calls fsync(2).
type SyncPolicy string

// Sync policies. In every policy each batch of records is handed to the
// kernel with one write(2) as soon as it is dequeued, so a crash of the
// process loses only records still in the queue; fsync additionally
// protects against a crash of the machine.
const (
	// SyncInterval fsyncs at most every Options.SyncInterval when
	// something was written (the default): a power loss loses at most
	// that much.
	SyncInterval SyncPolicy = "interval"
	// SyncEvery fsyncs each batch before acknowledging it (SubmitWait
	// returns after the fsync).
	SyncEvery SyncPolicy = "every"
	// SyncNever leaves flushing to the operating system (and to Close
	// and rotation, which always fsync).
	SyncNever SyncPolicy = "never"
)

// ParseSyncPolicy parses "interval", "every" or "never" ("" is interval).
func ParseSyncPolicy(s string) (SyncPolicy, error) {
	switch p := SyncPolicy(s); p {
	case "":
		return SyncInterval, nil
	case SyncInterval, SyncEvery, SyncNever:
		return p, nil
	}
	return "", fmt.Errorf("audit: unknown fsync policy %q (interval, every, never)", s)
}

// Defaults of Options.
const (
	DefaultQueueSize    = 4096
	DefaultBlockTimeout = 100 * time.Millisecond
	DefaultSyncInterval = time.Second
	DefaultMaxBatch     = 1024
)

// Options configures a Writer. Zero values take the defaults.
type Options struct {
	// File is the active audit file (audit.file). Rotated files are
	// written beside it.
	File string
	// Redact are the names whose values are redacted (audit.redact).
	// Secret-shaped values are masked whatever the names.
	Redact []string
	// QueueSize bounds the records waiting to be written (default 4096).
	QueueSize int
	// BlockTimeout is how long Submit waits for room in a full queue
	// before it fails closed with ErrQueueFull (default 100ms; negative:
	// fail at once).
	BlockTimeout time.Duration
	// Sync is the fsync policy (default SyncInterval).
	Sync SyncPolicy
	// SyncInterval is the fsync period of SyncInterval (default 1s).
	SyncInterval time.Duration
	// MaxSize rotates the file before it would grow beyond this many
	// bytes (0: no size rotation). A single record larger than MaxSize
	// still gets a file of its own.
	MaxSize int64
	// MaxAge rotates the file once its first record is older than this
	// (0: no age rotation). Checked when records are written.
	MaxAge time.Duration
	// MaxBatch bounds the records written by one write(2) (default 1024).
	MaxBatch int
	// Sinks receive a copy of every batch once it is in the file
	// (stdout, a SIEM). They never block the writer; Close closes them.
	Sinks []Sink
	// Logger receives the writer's reports (torn tail repaired, write
	// errors, rotations). Nil discards them.
	Logger *slog.Logger
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.BlockTimeout == 0 {
		o.BlockTimeout = DefaultBlockTimeout
	}
	if o.Sync == "" {
		o.Sync = SyncInterval
	}
	if o.SyncInterval <= 0 {
		o.SyncInterval = DefaultSyncInterval
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
