package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// WriteToken sets the token of profile in the config file at path, creating
// the file (mode 0600) and its directory (0700) when needed. Every other
// key, profile and comment is kept. Profile "" or "default" writes the
// top-level token unless the file has a profiles.default section. The file
// is replaced atomically (temp file + rename), so a crash never leaves a
// half-written config.
func WriteToken(path, profile, token string) error {
	if msg := ValidateToken(token); msg != "" {
		return fmt.Errorf("token: %s", msg)
	}
	profile = strings.ToLower(profile)
	if profile != "" && !profileNameRE.MatchString(profile) {
		return fmt.Errorf("profile %q: names use only a-z, 0-9, _ and -", profile)
	}
	// Write through a symlink (dotfile managers) rather than replacing it.
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	out, err := setTokenYAML(old, profile, token)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("config directory: %w", err)
	}
	return writeAtomic(path, out)
}

func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".config-*.yaml.tmp")
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// setTokenYAML edits the document as a node tree so comments and key order
// survive.
func setTokenYAML(src []byte, profile, token string) ([]byte, error) {
	var doc yaml.Node
	if len(bytes.TrimSpace(src)) > 0 {
		if err := yaml.Unmarshal(src, &doc); err != nil {
			return nil, fmt.Errorf("not valid YAML, not touching it: %s", scrub(err.Error()))
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		*root = yaml.Node{Kind: yaml.MappingNode}
	}
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("top level is not a map of settings")
	}
	target := root
	if profile != "" && (profile != DefaultProfile || hasProfile(root, profile)) {
		profiles, err := child(root, "profiles")
		if err != nil {
			return nil, err
		}
		if target, err = child(profiles, profile); err != nil {
			return nil, fmt.Errorf("profiles.%s: %w", profile, err)
		}
	}
	setScalar(target, "token", token)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func hasProfile(root *yaml.Node, name string) bool {
	ps := lookupKey(root, "profiles")
	return ps != nil && ps.Kind == yaml.MappingNode && lookupKey(ps, name) != nil
}

// lookupKey finds key case-insensitively, as Load (through viper) does.
func lookupKey(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if strings.EqualFold(m.Content[i].Value, key) {
			return m.Content[i+1]
		}
	}
	return nil
}

// child returns the mapping under key, creating it (or filling an empty
// "key:") as needed.
func child(m *yaml.Node, key string) (*yaml.Node, error) {
	n := lookupKey(m, key)
	switch {
	case n == nil:
		n = &yaml.Node{Kind: yaml.MappingNode}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, n)
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		*n = yaml.Node{Kind: yaml.MappingNode}
	case n.Kind != yaml.MappingNode:
		return nil, fmt.Errorf("%s is not a map", key)
	}
	if n.Style == yaml.FlowStyle && len(n.Content) == 0 {
		n.Style = 0
	}
	return n, nil
}

func setScalar(m *yaml.Node, key, value string) {
	if n := lookupKey(m, key); n != nil {
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, LineComment: n.LineComment}
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}
