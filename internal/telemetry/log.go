package telemetry

import (
	"io"
	"log/slog"
)

// NewLogger returns the gateway's structured JSON logger. Callers log
// causes and identifiers, never credentials: secrets are typed
// (config.Secret) so that they render as "[REDACTED]" if logged by mistake.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
