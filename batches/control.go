package batches

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/localstate"
)

// Commands a watcher may send to a batch's owner.
const (
	OpPause  = "pause"
	OpResume = "resume"
	OpCancel = "cancel"
)

// Command is one request to a batch's owner.
type Command struct {
	Op  string `json:"op"`
	Key string `json:"key,omitempty"` // the job, for cancel
	PID int    `json:"pid"`           // who asks, for the owner's log
}

// ErrEnded is what Send returns for a batch whose owner has gone.
var ErrEnded = errors.New("the batch is no longer running")

// Send hands c to the owner of batch id in dir. It returns once the
// command is on disk; the owner acts on it within its poll interval and
// the batch's published state then shows the effect.
func Send(dir, id string, c Command) error {
	switch c.Op {
	case OpPause, OpResume, OpCancel:
	default:
		return fmt.Errorf("unknown batch command %q", c.Op)
	}
	if c.PID == 0 {
		c.PID = os.Getpid()
	}
	cd := commandDir(dir, id)
	if _, err := os.Stat(cd); err != nil {
		return ErrEnded // the owner removed it on exit; never recreate it
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	// One file per command, named so the owner applies them in order.
	name := fmt.Sprintf("%020d-%d.json", time.Now().UnixNano(), c.PID)
	return localstate.Replace(filepath.Join(cd, name), data, 0o600)
}

// Take reads and removes the commands waiting for the owner of batch id,
// oldest first. A file that does not parse is removed and skipped: a
// watcher's mistake must not stop the owner.
func (p *Publisher) Take() []Command {
	cd := commandDir(p.dir, p.id)
	ents, err := os.ReadDir(cd)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []Command
	for _, n := range names {
		path := filepath.Join(cd, n)
		data, err := os.ReadFile(path)
		os.Remove(path)
		var c Command
		if err != nil || json.Unmarshal(data, &c) != nil {
			continue
		}
		out = append(out, c)
	}
	return out
}

// Describe is the owner's one line about a command, e.g. "paused by the
// dashboard (pid 4242)".
func (c Command) Describe() string {
	who := "by the dashboard (pid " + strconv.Itoa(c.PID) + ")"
	switch c.Op {
	case OpPause:
		return "paused " + who
	case OpResume:
		return "resumed " + who
	case OpCancel:
		return "job " + c.Key + " canceled " + who
	}
	return c.Op + " " + who
}
