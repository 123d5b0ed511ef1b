package main

import (
	"io"
	"log/slog"
)

// limiterLog writes a shared budget's mode changes (Redis lost,
// reconnected) to w as "abtop: limiter: …" lines, without slog's time and
// level: the reader wants the change, not a log record.
func limiterLog(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(prefixWriter{w: w, prefix: "abtop: limiter: "}, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, at slog.Attr) slog.Attr {
			if at.Key == slog.TimeKey || at.Key == slog.LevelKey {
				return slog.Attr{}
			}
			return at
		},
	}))
}

// prefixWriter prefixes each write (one slog record) with prefix.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}
