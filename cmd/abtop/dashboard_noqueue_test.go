package main

import (
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Issue 11 item 6: the dashboard's reason for running without a queue
// names the cause and what to do, for a journal held by a running submit
// and for a state directory that cannot be written.
func TestQueueUnavailableSaysCauseAndRemedy(t *testing.T) {
	const path = "/state/abtop/queue.db"
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"held by submit", fmt.Errorf("queue journal %s is %w", path, queue.ErrJournalInUse),
			[]string{path, "in use by another abtop", "abtop submit", "--journal FILE"}},
		{"permission", fmt.Errorf("queue journal %s: %w", path, &fs.PathError{Op: "open", Path: path, Err: fs.ErrPermission}),
			[]string{"cannot write " + path, "writable", "--journal FILE"}},
		{"read-only fs", fmt.Errorf("queue journal %s: %w", path, &fs.PathError{Op: "open", Path: path, Err: syscall.EROFS}),
			[]string{"cannot write " + path, "read-only", "--journal FILE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := queueUnavailable(path, tc.err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			if strings.Contains(got, "in this build") {
				t.Errorf("%q blames the build", got)
			}
		})
	}
}
