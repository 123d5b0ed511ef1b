package redisbudget

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// go-redis prints connection failures to stderr through a process-wide
// logger, which would scribble over the TUI while Redis is down (and the
// store already reports that state in Status). Send them to slog at debug
// level instead. go-redis offers no per-client logger, so this is set once,
// at package initialisation, before any client exists.
func init() { redis.SetLogger(slogLogger{}) }

type slogLogger struct{}

func (slogLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.Default().DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}
