package config

import "testing"

func TestDefaultHistory(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
		err  bool
	}{
		{map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/h"}, "/s/abtop/history.db", false},
		{map[string]string{"XDG_STATE_HOME": "rel", "HOME": "/h"}, "/h/.local/state/abtop/history.db", false},
		{map[string]string{"HOME": "/h"}, "/h/.local/state/abtop/history.db", false},
		{map[string]string{}, "", true},
	} {
		got, err := DefaultHistory(func(k string) string { return tt.env[k] })
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("DefaultHistory(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}
