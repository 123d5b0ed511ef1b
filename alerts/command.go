package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Command runs a program (no shell) for each alert, the alert as one JSON
// object on stdin and ABTOP_ALERT_{RULE,PROFILE,SEVERITY,TEXT} in its
// environment for scripts that do not parse JSON.
type Command struct {
	Argv    []string
	Timeout time.Duration // ≤ 0: DefaultTimeout; the program is killed after it
}

func (c *Command) Name() string {
	if len(c.Argv) == 0 {
		return "command"
	}
	return "command " + filepath.Base(c.Argv[0])
}

// timeout is the Dispatcher's bound for this channel.
func (c *Command) timeout() time.Duration { return c.Timeout }

func (c *Command) Send(ctx context.Context, a Alert) error {
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return errors.New("no program configured")
	}
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Stdin = bytes.NewReader(append(body, '\n'))
	out := &capped{max: 2048}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(),
		"ABTOP_ALERT_RULE="+a.Rule, "ABTOP_ALERT_PROFILE="+a.Profile,
		"ABTOP_ALERT_SEVERITY="+a.Severity, "ABTOP_ALERT_TEXT="+a.Text)
	// A hook that leaves a child holding its stdout open must not hold
	// the delivery beyond the kill.
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		if s := strings.TrimSpace(clean(out.String())); s != "" {
			return fmt.Errorf("%w: %s", err, s)
		}
		return err
	}
	return nil
}

// capped keeps the first max bytes written to it, for an error message.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
