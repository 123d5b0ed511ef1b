package statusline

import (
	"encoding/json"
	"io"
)

// maxInput bounds what ReadInput reads: an editor's context is a few KiB.
const maxInput = 1 << 20

// ReadInput reads the JSON object an editor or agent passes on stdin.
// Anything else (nothing, garbage, an array) is an empty input: the line
// must still print. The caller reads it only when stdin is not a terminal.
func ReadInput(r io.Reader) map[string]any {
	data, err := io.ReadAll(io.LimitReader(r, maxInput))
	in := map[string]any{}
	if err != nil || json.Unmarshal(data, &in) != nil {
		return map[string]any{}
	}
	return in
}
