package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/abtop-dev/abtop/internal/confpath"
	"github.com/abtop-dev/abtop/monitor"
	"github.com/abtop-dev/abtop/session"
	"github.com/abtop-dev/abtop/statusline"
)

// refreshWait bounds the one request a stale status line may make,
// waiting for the budget included: a prompt must not hang.
const refreshWait = 2 * time.Second

func newStatuslineCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "statusline",
		Short: "Print one line for tmux, starship or an editor, without spending the budget",
		Long: `statusline prints the profile's rate limit, quota, credits and alerts in one
line from the state every abtop process saves as it reads the API's headers.
While that state is younger than --max-age it makes no request at all. When
it is older and no "abtop watch" keeps it fresh, it makes at most one
request through the budget, or prints the old values marked stale when the
budget is short.

Presets: tmux (status-right), starship (a custom module), agent (an editor
or coding agent passing its context as JSON on stdin). --format takes a
text/template with the fields remaining, limit, unit, reset, quota,
quota_remaining, quota_limit, quota_reset, credits, running, alerts, alert,
level, stale, age, profile and input, and the functions style and get.
Colours follow NO_COLOR and --no-color.

For tmux, starship and editors, run abtop-statusline instead (installed
beside abtop): it takes the same flags and prints the same line without
starting all of abtop, and hands over to this command when a refresh is due.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var r statusline.Request
			r.Format, _ = cmd.Flags().GetString("format")
			r.Preset, _ = cmd.Flags().GetString("preset")
			r.MaxAge, _ = cmd.Flags().GetDuration("max-age")
			return a.runStatusline(cmd.Context(), r)
		},
	}
	cmd.Flags().String("format", "", "a text/template line (see above)")
	cmd.Flags().String("preset", statusline.DefaultPreset, "tmux, starship or agent")
	cmd.Flags().Duration("max-age", statusline.DefaultMaxAge, "state older than this is refreshed or marked stale")
	return cmd
}

func (a *app) runStatusline(ctx context.Context, r statusline.Request) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// A config that cannot make requests still names the profile and
	// may have a fresh state to print; its error matters only for a refresh.
	cfg, cfgErr := a.loadConfig()
	r.NoColor = a.noColor(cfg.NoColor)
	tpl, err := r.Template()
	if err != nil {
		return err
	}
	dir := a.stateDir()
	profile := cfg.Profile
	if profile == "" {
		profile = unloadedProfile(a.v.GetString("config"), a.v.GetString("profile"))
	}
	path, err := statusline.Path(dir, profile)
	if err != nil || dir == "" {
		return fmt.Errorf("statusline: no state directory for profile %q", profile)
	}
	st, rerr := statusline.Read(path)
	now := time.Now()
	if statusline.Decide(st, rerr == nil, now, r.MaxAge, statusline.Watched(dir, profile)) == statusline.Refresh && cfgErr == nil {
		if sess, err := session.Open(ctx, session.Options{Config: cfg, Version: version, StateDir: dir}); err == nil {
			_ = monitor.Refresh(ctx, sess, refreshWait) // a failure prints the old line, marked stale
			_ = sess.Close()
			st, rerr = statusline.Read(path)
			now = time.Now()
		}
	}
	var input map[string]any
	if r.ReadsInput() && !isTerminal(a.in) {
		input = statusline.ReadInput(a.in)
	}
	line, err := tpl.Render(st, rerr == nil, statusline.Options{Now: now, MaxAge: r.MaxAge, Input: input})
	if err != nil {
		return err
	}
	// The line's only escapes are its style's SGR colours (Fields drops
	// control characters from every value): let them through unless
	// colour is off, as abtop-statusline does.
	a.out.SetColor(!r.NoColor)
	_, err = fmt.Fprintln(a.out, line)
	return err
}

// unloadedProfile is the profile when the config did not load: chosen as
// abtop-statusline chooses it (the flag, ABTOP_PROFILE, the file's
// default_profile when its line scan is sure of it), so the two binaries
// print the same profile's line from the same broken file.
func unloadedProfile(configFlag, profileFlag string) string {
	var fileDefault string
	if file, explicit, err := confpath.File(configFlag, os.Getenv); err == nil {
		if fs, err := confpath.ReadSettings(file, explicit); err == nil {
			fileDefault = fs.DefaultProfile
		}
	}
	return confpath.Profile(profileFlag, fileDefault, os.Getenv)
}
