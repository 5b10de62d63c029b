package cli

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/config"
)

// openAudit opens the audit writer of cfg with its sinks (stdout, an
// HTTP collector).
func openAudit(cfg *config.Config, log *slog.Logger, stdout io.Writer) (*audit.Writer, error) {
	a := &cfg.Audit
	var sinks []audit.Sink
	if a.Stdout {
		sinks = append(sinks, audit.WriterSink(stdout, audit.ShipperOptions{}))
	}
	if sh := a.Ship; sh != nil {
		client := &http.Client{Timeout: 15 * time.Second}
		sinks = append(sinks, audit.HTTPSink(client, sh.URL, sh.Token.Reveal(), audit.ShipperOptions{}))
	}
	aw, err := audit.Open(audit.Options{File: a.File, Redact: a.Redact, Logger: log, Sinks: sinks,
		Sync: audit.SyncPolicy(a.Sync), SyncInterval: time.Duration(a.SyncInterval),
		MaxSize: a.MaxSize.Bytes(), MaxAge: time.Duration(a.MaxAge),
		QueueSize: a.QueueSize, BlockTimeout: blockTimeout(a.BlockTimeout)})
	if err != nil {
		return nil, fmt.Errorf("audit.file: %w", err)
	}
	return aw, nil
}

// blockTimeout maps audit.block_timeout to audit.Options: 0 in the
// configuration means "do not wait", which the writer spells negative.
func blockTimeout(d config.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return time.Duration(d)
}
