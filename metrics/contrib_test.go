package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The examples in contrib/ must use names abtop really exports, or a
// rename here would leave users with empty panels and silent rules.
func TestContribUsesRealNames(t *testing.T) {
	now := t0
	reg := fixture(&now).Registry()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, f := range families {
		n := f.GetName()
		exported[n] = true
		for _, s := range []string{"_bucket", "_sum", "_count"} {
			exported[n+s] = true
		}
	}
	name := regexp.MustCompile(`abtop_[a-z_]+`)
	files, _ := filepath.Glob("../contrib/*/*")
	if len(files) < 3 {
		t.Fatalf("contrib files: %v", files)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(file, ".json") {
			var v map[string]any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		}
		used := 0
		for _, n := range name.FindAllString(string(data), -1) {
			if n == "abtop_alerts" { // a file name, not a metric
				continue
			}
			used++
			if !exported[n] {
				t.Errorf("%s uses %s, which abtop does not export", file, n)
			}
		}
		if strings.Contains(file, "grafana") && used < 10 {
			t.Errorf("%s: only %d metric references", file, used)
		}
	}
}
