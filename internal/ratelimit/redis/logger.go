package redis

import (
	"context"
	"fmt"
	"log/slog"

	goredis "github.com/redis/go-redis/v9"
)

// SetLogger sends go-redis's own messages (reconnection attempts, dial
// failures) to l at warning level instead of its default plain-text
// lines on stderr, which would break a JSON log. go-redis has one logger
// per process, so this is process-wide; call it once at start.
func SetLogger(l *slog.Logger) { goredis.SetLogger(slogAdapter{l}) }

type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Printf(ctx context.Context, format string, v ...any) {
	a.l.WarnContext(ctx, fmt.Sprintf(format, v...), "component", "redis")
}
