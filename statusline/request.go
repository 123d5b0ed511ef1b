package statusline

import (
	"fmt"
	"time"
)

// Defaults of the command-line flags, the same in "abtop statusline" and
// abtop-statusline.
const (
	DefaultPreset = "starship"
	DefaultMaxAge = time.Minute
)

// Request is one status line as a command line asks for it.
type Request struct {
	Preset  string        // --preset
	Format  string        // --format: replaces the preset's template
	MaxAge  time.Duration // --max-age
	NoColor bool          // NO_COLOR, --no-color or the config's no_color
}

// Template checks r and parses its template.
func (r Request) Template() (*Template, error) {
	if r.MaxAge <= 0 {
		return nil, fmt.Errorf("statusline: --max-age %s must be positive", r.MaxAge)
	}
	p, err := LookupPreset(r.Preset)
	if err != nil {
		return nil, err
	}
	if r.Format != "" {
		p.Template = r.Format
	}
	return Parse(p.Template, p.Style, r.NoColor)
}

// ReadsInput reports whether the line takes an editor's or agent's JSON
// on stdin (the caller reads it only when stdin is not a terminal).
func (r Request) ReadsInput() bool { return r.Preset == "agent" }
