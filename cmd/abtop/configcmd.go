package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/tui/keys"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
)

func newConfigCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Show, check and edit the configuration",
		Long: `abtop reads its settings from flags, then ABTOP_* environment variables, then
the config file ($XDG_CONFIG_HOME/abtop/config.yaml, else
~/.config/abtop/config.yaml), then built-in defaults. The file holds
top-level defaults and named profiles (one per organisation/token); profile
values override top-level ones.`,
		Args: cobra.NoArgs,
	}
	c.PersistentFlags().String("token-file", "", "read the token from this file (tokens never go on the command line)")
	c.AddCommand(newConfigPathCmd(a), newConfigShowCmd(a), newConfigValidateCmd(a), newConfigSetTokenCmd(a))
	return c
}

func newConfigPathCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "path",
		Short: "Print the config file in use and whether it exists",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, explicit, err := config.ResolveFile(a.v.GetString("config"), nil)
			if err != nil {
				return err
			}
			state := "does not exist; `abtop config set-token` creates it"
			if st, err := os.Stat(path); err == nil {
				state = fmt.Sprintf("exists, mode %04o", st.Mode().Perm())
			} else if !errors.Is(err, os.ErrNotExist) {
				state = err.Error()
			}
			from := ""
			if explicit {
				from = ", from --config"
			}
			fmt.Fprintf(a.out, "%s (%s%s)\n", path, state, from)
			return nil
		},
	}
}

// shownValue is one row of `config show`.
type shownValue struct {
	Value   any           `json:"value"`
	Source  config.Source `json:"source"`
	Where   string        `json:"where,omitempty"`
	Invalid bool          `json:"invalid,omitempty"`
}

type showJSON struct {
	File       string                `json:"file"`
	FileExists bool                  `json:"file_exists"`
	Profile    string                `json:"profile"`
	Values     map[string]shownValue `json:"values"`
	Warnings   []config.Problem      `json:"warnings"`
	Problems   []config.Problem      `json:"problems"`
}

// displayValues renders each key of cfg for people and JSON, with secrets
// masked: the token, and a password in the limiter URL.
func displayValues(cfg config.Config, rep config.Report) map[string]shownValue {
	vals := map[string]any{
		"profile":             cfg.Profile,
		"token":               config.MaskToken(cfg.Token),
		"base_url":            config.RedactURL(cfg.BaseURL), // an invalid one is shown as written
		"allow_insecure_http": cfg.AllowInsecureHTTP,
		"poll_interval":       cfg.PollInterval.String(),
		"timeout":             cfg.Timeout.String(),
		"limiter":             config.RedactURL(cfg.Limiter),
		"journal":             cfg.JournalPath,
		"out":                 cfg.Out,
		"no_color":            cfg.NoColor,
		"keys":                cfg.Keys,
	}
	out := map[string]shownValue{}
	for k, v := range vals {
		o := rep.Origins[k]
		if o.Source == "" {
			o.Source = config.SourceDefault
		}
		if o.Invalid {
			switch v.(type) {
			case string:
				if k != "poll_interval" && k != "timeout" {
					v = fmt.Sprint(v, " (invalid)")
					break
				}
				v = "(invalid)" // the Config holds the default, not what was written
			default:
				v = "(invalid)"
			}
		}
		out[k] = shownValue{Value: v, Source: o.Source, Where: o.Where, Invalid: o.Invalid}
	}
	return out
}

func splitProblems(err error) ([]config.Problem, error) {
	if err == nil {
		return nil, nil
	}
	var ve *config.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems, nil
	}
	return nil, err
}

func newConfigShowCmd(a *app) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "show",
		Short: "Print every effective setting and where it came from (token masked)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, rep, err := a.loadWithReport(a.loadOptions())
			problems, err := splitProblems(err)
			if err != nil {
				return err
			}
			vals := displayValues(cfg, rep)
			if asJSON {
				out := showJSON{File: rep.File, FileExists: rep.FileExists, Profile: cfg.Profile, Values: vals,
					Warnings: nonNil(rep.Warnings), Problems: nonNil(problems)}
				if err := writeJSON(a.out, out); err != nil {
					return err
				}
			} else {
				exists := "not found"
				if rep.FileExists {
					exists = "exists"
				}
				fmt.Fprintf(a.out, "file: %s (%s)\n", rep.File, exists)
				tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
				for _, k := range append([]string{"profile"}, append(config.Keys(), "keys")...) {
					v := vals[k]
					fmt.Fprintf(tw, "%s\t%s\t%s\n", k, formatValue(v.Value), sourceText(v))
				}
				tw.Flush()
				a.printWarnings(rep.Warnings)
			}
			if len(problems) > 0 {
				for _, p := range problems {
					fmt.Fprintln(a.errOut, "abtop: error:", p.String())
				}
				return exitError{code: 1}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// sourceText is "default", "flag --base-url", "env ABTOP_TOKEN" or
// "file /path/config.yaml: profiles.acme.token".
func sourceText(v shownValue) string {
	switch {
	case v.Where == "":
		return string(v.Source)
	case strings.HasPrefix(v.Where, string(v.Source)+" "):
		return v.Where
	default:
		return string(v.Source) + " " + v.Where
	}
}

func formatValue(v any) string {
	switch v := v.(type) {
	case map[string][]string:
		if len(v) == 0 {
			return "(defaults)"
		}
		names := make([]string, 0, len(v))
		for k := range v {
			names = append(names, k)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = n + "=" + strings.Join(v[n], ",")
		}
		return strings.Join(parts, " ")
	case string:
		if v == "" {
			return "(none)"
		}
		return v
	default:
		return fmt.Sprint(v)
	}
}

func nonNil(ps []config.Problem) []config.Problem {
	if ps == nil {
		return []config.Problem{}
	}
	return ps
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newConfigValidateCmd(a *app) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "validate",
		Short: "Check the configuration and list every problem (exit 1 on errors; warnings alone exit 0)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := a.loadOptions()
			opts.AllProfiles = true
			cfg, rep, err := a.loadWithReport(opts)
			problems, err := splitProblems(err)
			if err != nil {
				return err
			}
			problems = append(problems, keyProblems(rep.File, cfg.Keys)...)
			if asJSON {
				if err := writeJSON(a.out, struct {
					File     string           `json:"file"`
					Profile  string           `json:"profile"`
					OK       bool             `json:"ok"`
					Errors   []config.Problem `json:"errors"`
					Warnings []config.Problem `json:"warnings"`
				}{rep.File, cfg.Profile, len(problems) == 0, nonNil(problems), nonNil(rep.Warnings)}); err != nil {
					return err
				}
			} else {
				for _, p := range problems {
					fmt.Fprintln(a.out, "error:", p.String())
				}
				for _, w := range rep.Warnings {
					fmt.Fprintln(a.out, "warning:", w.String())
				}
				file := rep.File
				if !rep.FileExists {
					file += " (not found)"
				}
				fmt.Fprintf(a.out, "%s, profile %s: %d error(s), %d warning(s)\n", file, cfg.Profile, len(problems), len(rep.Warnings))
			}
			if len(problems) > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func newConfigSetTokenCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "set-token",
		Short: "Save a token in the config file (read from stdin or a hidden prompt, never from argv)",
		Long: `Reads the token from standard input when it is not a terminal
(e.g. pass show abstrakt | abtop config set-token --profile acme), else
prompts for it without echo. The token is checked before anything is written;
the file is written with mode 0600. --profile picks the profile (created if
missing); without it, the selected profile is used.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, _, err := config.ResolveFile(a.v.GetString("config"), nil)
			if err != nil {
				return err
			}
			profile, err := a.setTokenProfile(path)
			if err != nil {
				return err
			}
			token, err := a.readToken(profile, a.v.GetString("token-file"))
			if err != nil {
				return err
			}
			if msg := config.ValidateToken(token); msg != "" {
				return fmt.Errorf("token: %s; nothing written", msg)
			}
			if err := config.WriteToken(path, profile, token); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "saved token %s for profile %s in %s (mode 0600)\n", config.MaskToken(token), profile, path)
			if os.Getenv("ABTOP_TOKEN") != "" {
				fmt.Fprintln(a.errOut, "abtop: warning: ABTOP_TOKEN is set and overrides the file's token")
			}
			return nil
		},
	}
}

// setTokenProfile is the profile set-token writes: --profile, else
// ABTOP_PROFILE, else the file's default_profile, else "default". A config
// that does not validate yet (say, because it has no token) is fine here;
// an unreadable or malformed file is not.
func (a *app) setTokenProfile(path string) (string, error) {
	opts := a.loadOptions()
	if _, err := os.Stat(path); err != nil {
		return config.ChosenProfile(opts)
	}
	opts.ConfigFile = path
	cfg, _, err := config.Load(opts)
	if _, err := splitProblems(err); err != nil {
		return "", err
	}
	return cfg.Profile, nil
}

// readToken reads the token from --token-file, a pipe, or a prompt with
// echo off on a terminal.
func (a *app) readToken(profile, tokenFile string) (string, error) {
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if f, ok := a.in.(*os.File); ok && term.IsTerminal(f.Fd()) {
		fmt.Fprintf(a.errOut, "abstrakt token for profile %s (input hidden): ", profile)
		b, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(a.errOut)
		if err != nil {
			return "", fmt.Errorf("reading the token: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	// A token is 51 bytes; anything much longer is not a token.
	b, err := io.ReadAll(io.LimitReader(a.in, 4096))
	if err != nil {
		return "", fmt.Errorf("reading the token from stdin: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", errors.New("no token on stdin; pipe it in, e.g. `pass show abstrakt | abtop config set-token`, or run in a terminal to be prompted")
	}
	if strings.ContainsAny(t, "\r\n") {
		return "", errors.New("stdin holds more than one line; give only the token")
	}
	return t, nil
}

// keyProblems checks the keys section the way the dashboard applies it, so
// a remap the dashboard would refuse (an unknown action, a key another
// action holds) fails validation instead of surprising the user later.
func keyProblems(file string, remap map[string][]string) []config.Problem {
	_, errs := keys.New(remap)
	out := make([]config.Problem, 0, len(errs))
	for _, err := range errs {
		var re *keys.RemapError
		if errors.As(err, &re) {
			out = append(out, config.Problem{Where: file, Key: "keys." + re.Action, Msg: re.Msg})
			continue
		}
		out = append(out, config.Problem{Where: file, Key: "keys", Msg: err.Error()})
	}
	return out
}
