package session

import (
	"log/slog"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/statusline"
	"github.com/abtop-dev/abtop/statusline/record"
)

// FanOut is the one place several observers share the client's single
// Observer: each gets every observation, in the order given. nil entries
// are skipped; no observers at all is nil (the client then skips the call).
func FanOut(obs ...func(apiclient.Observation)) func(apiclient.Observation) {
	var live []func(apiclient.Observation)
	for _, o := range obs {
		if o != nil {
			live = append(live, o)
		}
	}
	switch len(live) {
	case 0:
		return nil
	case 1:
		return live[0]
	}
	return func(o apiclient.Observation) {
		for _, f := range live {
			f(o)
		}
	}
}

// Recorder is the status line's recorder of the session's profile, or
// nil when no state directory is given (tests, the embedded sandbox,
// whose numbers must not show up in the user's tmux). A profile name the
// state file cannot carry is logged and skipped: monitoring goes on.
func Recorder(stateDir, profile string, log *slog.Logger) *record.Recorder {
	if stateDir == "" {
		return nil
	}
	if profile == "" {
		profile = "default"
	}
	path, err := statusline.Path(stateDir, profile)
	if err != nil {
		if log != nil {
			log.Warn("statusline: not recording", "err", err)
		}
		return nil
	}
	return record.NewRecorder(path, profile, log)
}
