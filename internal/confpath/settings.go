package confpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// FileSettings are the config file's values that choose and colour a
// status line: its default_profile and no_color (top level, or a
// profile's own, which wins). Package config reads the same keys through
// viper, with every other key and full validation.
type FileSettings struct {
	DefaultProfile string
	noColor        map[string]bool // by profile; "" is the top level
}

// NoColor is the file's no_color for profile, false when unset.
func (s FileSettings) NoColor(profile string) bool {
	if v, ok := s.noColor[profile]; ok {
		return v
	}
	return s.noColor[""]
}

// ErrUnsure says the file holds something this small reader does not
// judge: the caller should leave it to package config, which reads it in
// full and reports what is wrong.
var ErrUnsure = errors.New("config file needs the full reader")

// ReadSettings reads path's FileSettings. A missing default file is empty
// settings; a missing explicit one (--config) is an error.
//
// It is not a YAML parser: linking one (yaml.v3's package init and pages)
// cost abtop-statusline about 2 ms of its ~9. It reads the block style
// config files are written in, line by line: top-level "key: value",
// "profiles:" with a "name:" block each, and skips the indented values of
// every other key. Anything else (flow style, anchors, tags, multi-line
// or escaped scalars, a value YAML would not read as the right type,
// duplicate keys) is ErrUnsure: a status line then costs a full start,
// never a wrong answer. FuzzReadSettings holds it to yaml.v3's reading.
// It does not validate the values it skips: from a file YAML rejects
// (which every other abtop command refuses, and "abtop statusline" ignores
// for its defaults) it may still take default_profile and no_color.
func ReadSettings(path string, explicit bool) (FileSettings, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return FileSettings{}, nil
	}
	if err != nil {
		return FileSettings{}, err
	}
	s, err := scanSettings(string(data))
	if err != nil {
		return FileSettings{}, fmt.Errorf("%w: %s: %v", ErrUnsure, path, err)
	}
	return s, nil
}

// scanner is the state of the line walk: which block the line is in.
type scanner struct {
	s       FileSettings
	seen    map[string]bool // "key", "profiles.name", "profiles.name.key"
	top     string          // the current top-level key
	profile string          // the current profile, under profiles
	profIdx int             // indentation of profile names (0: none yet)
	keyIdx  int             // indentation of the current profile's keys (0: none yet)
	readIdx int             // indentation of the key whose value was just read
	inRead  bool            // the last key line was one of ours: nothing may continue it
}

func scanSettings(text string) (FileSettings, error) {
	if strings.HasPrefix(text, "\ufeff") {
		return FileSettings{}, errors.New("byte order mark")
	}
	sc := scanner{s: FileSettings{noColor: map[string]bool{}}, seen: map[string]bool{}}
	for i, line := range strings.Split(text, "\n") {
		if err := sc.line(strings.TrimSuffix(line, "\r")); err != nil {
			return FileSettings{}, fmt.Errorf("line %d: %v", i+1, err)
		}
	}
	return sc.s, nil
}

func (sc *scanner) line(line string) error {
	content := strings.TrimLeft(line, " ")
	indent := len(line) - len(content)
	if content == "" || content[0] == '#' {
		return nil
	}
	if content[0] == '\t' {
		return errors.New("tab indentation")
	}
	if sc.inRead && indent > sc.readIdx {
		return errors.New("a value continued on the next line")
	}
	sc.inRead = false
	switch {
	case indent == 0:
		return sc.topKey(content)
	case sc.top == "":
		return errors.New("indented before any key")
	case sc.top != "profiles":
		return nil // inside another key's value
	case sc.profIdx == 0 || indent == sc.profIdx:
		sc.profIdx = indent
		return sc.profileName(content)
	case indent < sc.profIdx:
		return errors.New("indentation")
	case sc.keyIdx == 0 || indent == sc.keyIdx:
		sc.keyIdx = indent
		return sc.profileKey(content, indent)
	case indent < sc.keyIdx:
		return errors.New("indentation")
	}
	return nil // inside another key's value in the profile
}

func (sc *scanner) topKey(content string) error {
	key, rest, err := splitKey(content)
	if err != nil {
		return err
	}
	if err := sc.once(key); err != nil {
		return err
	}
	sc.top, sc.profIdx = key, 0
	switch key {
	case "default_profile":
		sc.inRead, sc.readIdx = true, 0
		v, set, err := profileValue(rest)
		if set {
			sc.s.DefaultProfile = v
		}
		return err
	case "no_color":
		sc.inRead, sc.readIdx = true, 0
		return sc.noColorValue("", rest)
	case "profiles":
		if stripComment(rest) != "" {
			return errors.New("profiles: not a block of profiles")
		}
		return nil
	}
	return oneLine(rest)
}

func (sc *scanner) profileName(content string) error {
	name, rest, err := splitKey(content)
	if err != nil {
		return err
	}
	if stripComment(rest) != "" {
		return errors.New("profiles." + name + ": not a block of settings")
	}
	sc.profile, sc.keyIdx = name, 0
	return sc.once("profiles." + name)
}

func (sc *scanner) profileKey(content string, indent int) error {
	key, rest, err := splitKey(content)
	if err != nil {
		return err
	}
	if err := sc.once("profiles." + sc.profile + "." + key); err != nil {
		return err
	}
	if key == "no_color" {
		sc.inRead, sc.readIdx = true, indent
		return sc.noColorValue(sc.profile, rest)
	}
	return oneLine(rest)
}

// oneLine checks that a value this reader skips cannot swallow the lines
// after it: a quoted or flow value must close on its line (the indented
// lines of a block or plain value are skipped as such).
func oneLine(rest string) error {
	v := stripComment(rest)
	switch {
	case v == "":
	case v[0] == '"' || v[0] == '\'':
		_, _, err := scalar(rest)
		return err
	case v[0] == '[' && !strings.HasSuffix(v, "]"), v[0] == '{' && !strings.HasSuffix(v, "}"):
		return errors.New("a flow value over several lines")
	}
	return nil
}

// once refuses a key seen before: YAML rejects duplicates, and keys that
// differ only in case would leave viper's choice to chance.
func (sc *scanner) once(key string) error {
	if sc.seen[key] {
		return errors.New(key + ": set twice")
	}
	sc.seen[key] = true
	return nil
}

// splitKey splits "key: rest" with a plain name as key, lower-cased as
// viper does.
func splitKey(content string) (key, rest string, err error) {
	k, rest, ok := strings.Cut(content, ":")
	if !ok || k == "" || rest != "" && rest[0] != ' ' {
		return "", "", errors.New("not a plain key")
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return "", "", errors.New("not a plain key")
		}
	}
	// A key YAML reads as a number, boolean or null is not a name.
	if c := k[0]; c >= '0' && c <= '9' || c == '-' || isBoolWord(k) || strings.EqualFold(k, "null") {
		return "", "", errors.New("not a plain key")
	}
	return strings.ToLower(k), rest, nil
}

// stripComment trims a plain value and drops its " # comment".
func stripComment(rest string) string {
	if i := strings.Index(rest, " #"); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimSpace(rest)
}

// scalar reads a one-line value: quoted (single, or double without
// escapes) or plain. Anything YAML could read as more than one line of
// text, or as a collection, alias or tagged value, is an error.
func scalar(rest string) (v string, quoted bool, err error) {
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return "", false, nil
	}
	switch q := rest[0]; q {
	case '\'', '"':
		end := strings.IndexByte(rest[1:], q)
		if end < 0 || q == '"' && strings.ContainsRune(rest[:end+1], '\\') {
			return "", false, errors.New("quoted value")
		}
		v, after := rest[1:end+1], rest[end+2:]
		if q == '\'' && strings.HasPrefix(after, "'") {
			return "", false, errors.New("quoted value") // an escaped quote
		}
		if a := strings.TrimSpace(after); a != "" && a[0] != '#' {
			return "", false, errors.New("quoted value")
		}
		return v, true, nil
	}
	v = stripComment(rest)
	if strings.ContainsAny(v[:1], "&*!|>{}[]%@`,?:-#") || strings.Contains(v, ": ") || strings.Contains(v, "#") {
		return "", false, errors.New("not a plain value")
	}
	return v, false, nil
}

// nulls are the plain values YAML reads as null: the key is unset.
func isNull(v string) bool { return v == "" || v == "~" || v == "null" || v == "Null" || v == "NULL" }

// profileValue reads default_profile. set is false when it is null.
func profileValue(rest string) (v string, set bool, err error) {
	v, quoted, err := scalar(rest)
	if err != nil || !quoted && isNull(v) {
		return "", false, err
	}
	if !quoted {
		// A plain word YAML reads as text, not a number or a boolean.
		for _, r := range v {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
				return "", false, errors.New("default_profile: not a plain name")
			}
		}
		if c := v[0]; c >= '0' && c <= '9' || isBoolWord(v) {
			return "", false, errors.New("default_profile: not a string")
		}
	}
	return v, true, nil
}

func isBoolWord(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "y", "n":
		return true
	}
	return false
}

// noColorValue reads no_color as config does: a YAML boolean, or a string
// strconv.ParseBool takes.
func (sc *scanner) noColorValue(profile, rest string) error {
	v, quoted, err := scalar(rest)
	switch {
	case err != nil:
		return err
	case quoted:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return errors.New("no_color: not a boolean")
		}
		sc.s.noColor[profile] = b
	case isNull(v):
	case v == "true" || v == "True" || v == "TRUE":
		sc.s.noColor[profile] = true
	case v == "false" || v == "False" || v == "FALSE":
		sc.s.noColor[profile] = false
	default:
		return errors.New("no_color: not a boolean")
	}
	return nil
}
