package results_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/abtop-dev/abtop/results"
)

func TestSafePart(t *testing.T) {
	cases := map[string]string{
		"flux-schnell":          "flux-schnell",
		"kling-2.6":             "kling-2.6",
		"":                      "unnamed",
		".":                     "_",
		"..":                    "_",
		"../../etc/passwd":      "_._._etc_passwd",
		"/abs":                  "_abs",
		`a\b:c`:                 "a_b_c",
		"x\x1b[31mred\n":        "x__31mred_",
		"vendor/model":          "vendor_model",
		"trailing.":             "trailing",
		"ünïcode":               "_n_code",
		strings.Repeat("a", 99): strings.Repeat("a", 64),
	}
	for in, want := range cases {
		if got := results.SafePart(in); got != want {
			t.Errorf("SafePart(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseNameRefuses(t *testing.T) {
	for _, tmpl := range []string{
		"../{{.Line}}.{{.Ext}}",
		"a/../../{{.N}}",
		"/tmp/{{.Line}}.{{.Ext}}",
		"{{.Line}}/",
		"a//{{.N}}",
		"./{{.N}}",
		".hidden-{{.N}}",
		`sub\{{.N}}`,
		"C:{{.N}}",
		"manifest.jsonl",
		"{{.Nope}}",
		"{{.Line",
		"{{range 100000000}}x{{end}}",
		"",  // fine: the default (checked below)
		" ", // fine: a space is a name
	} {
		_, err := results.ParseName(tmpl)
		if (err == nil) != (tmpl == "" || tmpl == " ") {
			t.Errorf("ParseName(%q) err = %v", tmpl, err)
		}
	}
}

func TestNameFields(t *testing.T) {
	n, err := results.ParseName("{{.Model}}/{{printf \"%04d\" .Line}}-{{.N}}-{{.JobID}}-{{.Key}}.{{.Ext}}")
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.Name(results.NameFields{Line: 7, Model: "m", N: 2, Ext: "png", JobID: "job_1", Key: "k"})
	if err != nil || filepath.ToSlash(got) != "m/0007-2-job_1-k.png" {
		t.Errorf("%q %v", got, err)
	}
	// Fields are checked again when the name is made: a template that only
	// leaves the directory for some values is caught then.
	n, _ = results.ParseName("{{if eq .Line 3}}..{{else}}x{{end}}/{{.N}}")
	if _, err := n.Name(results.NameFields{Line: 3, N: 1}); err == nil {
		t.Error("a name climbing out for line 3 was accepted")
	}
}

func FuzzName(f *testing.F) {
	f.Add("{{.Line}}-{{.Model}}-{{.N}}.{{.Ext}}", "flux")
	f.Add("{{.Model}}/{{.N}}", "../../x")
	f.Add("a/{{.Model}}", "..")
	f.Fuzz(func(t *testing.T, tmpl, model string) {
		n, err := results.ParseName(tmpl)
		if err != nil {
			return
		}
		name, err := n.Name(results.NameFields{Line: 1, Model: results.SafePart(model), N: 1, Ext: "png", JobID: results.SafePart(model), Key: "k"})
		if err != nil {
			return
		}
		dir := "/out"
		full := filepath.Join(dir, name)
		if !strings.HasPrefix(full, dir+string(filepath.Separator)) || !filepath.IsLocal(name) || filepath.Base(name) == results.ManifestName && filepath.Dir(name) == "." {
			t.Fatalf("template %q, model %q gave %q", tmpl, model, name)
		}
		for _, part := range strings.Split(filepath.ToSlash(name), "/") {
			if part == ".." || strings.HasPrefix(part, ".") {
				t.Fatalf("template %q, model %q gave %q", tmpl, model, name)
			}
		}
	})
}

// Model names are user text and job ids server text: whatever they hold,
// files land inside DIR. Two files a template cannot tell apart are
// refused, not overwritten.
func TestNamesStayInDir(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		fs := e.run(t, mixed[0], mixed[2])
		fs[0].Model = "../../escape"
		fs[1].Model = "/etc/passwd"
		fs[1].JobID = "../" + fs[1].JobID // a hostile server (links still work)
		root := t.TempDir()
		dir := filepath.Join(root, "out")
		s := batch(t, e.options(dir), fs...)
		if s.Files != 4 {
			t.Fatalf("summary %+v", s)
		}
		outside, _ := os.ReadDir(root)
		if len(outside) != 1 {
			t.Errorf("%d entries beside the output directory", len(outside))
		}
		got := names(t, dir)
		want := []string{"1-_._._escape-1.png", "1-_._._escape-2.png", "1-_._._escape-3.png", "2-_etc_passwd-1.png", results.ManifestName}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("files %v, want %v", got, want)
		}

		// A layout by model alone: the second file of line 1 collides.
		dir2 := filepath.Join(root, "flat")
		opts := e.options(dir2)
		opts.Name, _ = results.ParseName("{{.JobID}}/{{.Model}}.{{.Ext}}")
		s = batch(t, opts, fs...)
		if s.Files != 2 || s.FilesFailed != 2 || results.ExitCode(s.Outcome()) != results.ExitFilesFailed {
			t.Errorf("summary %+v", s)
		}
		outs := readManifest(t, dir2)[0].Outputs
		if outs[0].Path == "" || !outs[0].Verified || outs[1].Path != "" || !strings.Contains(outs[1].Error, "already another file's") {
			t.Errorf("outputs %+v", outs)
		}
		for _, n := range names(t, dir2) {
			if strings.Contains(n, "..") {
				t.Errorf("%s", n)
			}
		}
	})
}
