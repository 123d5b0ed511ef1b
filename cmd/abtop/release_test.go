package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// runCLI runs abtop in-process and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// buildAbtop compiles this command into dir the way .goreleaser.yaml does
// (CGO off, -s -w), plus any extra -ldflags, and returns the binary's path.
func buildAbtop(dir string, ldflags ...string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no go tool on PATH to build abtop: %v", err)
	}
	bin := filepath.Join(dir, "abtop")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	flags := strings.Join(append([]string{"-s", "-w"}, ldflags...), " ")
	cmd := exec.Command(goBin, "build", "-o", bin, "-ldflags", flags, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -ldflags %q: %v\n%s", flags, err, out)
	}
	return bin, nil
}

func runBinary(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// The release ldflags in .goreleaser.yaml must reach `abtop version`; a
// renamed variable would silently ship "dev" in every release.
func TestReleaseBinary(t *testing.T) {
	t.Parallel()          // counts, not timing: runs beside the others once the timing-sensitive tests are done
	bin := abtopBinary(t) // built with the release stamps
	dir := filepath.Dir(bin)

	t.Run("version prints the ldflags", func(t *testing.T) {
		got := runBinary(t, bin, "version")
		want := "abtop " + releaseVersion + " (commit " + releaseCommit + ", built " + releaseDate + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
		if got != want {
			t.Errorf("abtop version = %q, want %q", got, want)
		}
	})

	t.Run("man page is dated by the build date", func(t *testing.T) {
		got := runBinary(t, bin, "man")
		if want := `.TH "ABTOP" "1" "Jan 2026" "abtop 1.2.3" "abtop manual"`; !strings.Contains(got, want+"\n") {
			t.Errorf("abtop man has no line %q; it starts:\n%s", want, head(got, 3))
		}
	})

	t.Run("zsh loads the completion", func(t *testing.T) {
		zsh, err := exec.LookPath("zsh")
		if err != nil {
			t.Skip("zsh not on PATH; install zsh to check that `abtop completion zsh` loads")
		}
		// compinit writes .zcompdump into $ZDOTDIR; keep it out of the real home.
		home := t.TempDir()
		script := `autoload -U compinit; compinit; source <(abtop completion zsh) && print -r -- "${_comps[abtop]}"`
		cmd := exec.Command(zsh, "-f", "-c", script)
		cmd.Env = append(os.Environ(), "HOME="+home, "ZDOTDIR="+home, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("zsh -c %q: %v\n%s", script, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != "_abtop" {
			t.Errorf("after sourcing, zsh completes abtop with %q, want _abtop (output: %q)", got, out)
		}
	})

	t.Run("bash loads the completion", func(t *testing.T) {
		bash, err := exec.LookPath("bash")
		if err != nil {
			t.Skip("bash not on PATH")
		}
		script := `source <(abtop completion bash) && complete -p abtop`
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", script)
		cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("bash -c %q: %v\n%s", script, err, out)
		}
		if !strings.Contains(string(out), "__start_abtop abtop") {
			t.Errorf("bash registered %q, want the __start_abtop function", out)
		}
	})

	t.Run("man page renders without warnings", func(t *testing.T) {
		groff, err := exec.LookPath("groff")
		if err != nil {
			t.Skip("groff not on PATH; install groff-base to check that abtop.1 renders")
		}
		page := filepath.Join(t.TempDir(), "abtop.1")
		if err := os.WriteFile(page, []byte(runBinary(t, bin, "man")), 0o644); err != nil {
			t.Fatal(err)
		}
		// -ww turns on every warning, -z discards the output.
		out, err := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z", page).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("groff -man -ww %s: err %v, warnings:\n%s", page, err, out)
		}
	})

	t.Run("a build without the stamps says dev", func(t *testing.T) {
		// This test binary is one: go test links package main with no -X.
		code, got, errOut := runCLI(t, "version")
		if want := "abtop dev (commit none, built unknown, "; code != 0 || !strings.HasPrefix(got, want) {
			t.Errorf("abtop version without -X: exit %d, %q (stderr %q), want prefix %q", code, got, errOut, want)
		}
	})
}

func TestManPage(t *testing.T) {
	// Dev builds have no build date; cobra then honours SOURCE_DATE_EPOCH.
	t.Setenv("SOURCE_DATE_EPOCH", "1767323045") // 2026-01-02
	code, out, errOut := runCLI(t, "man")
	if code != 0 {
		t.Fatalf("abtop man: exit %d, stderr %q", code, errOut)
	}
	if want := ".nh\n.TH \"ABTOP\" \"1\" \"Jan 2026\" \"abtop dev\" \"abtop manual\"\n"; !strings.HasPrefix(out, want) {
		t.Errorf("abtop man starts:\n%s\nwant it to start with\n%s", head(out, 2), want)
	}
	for _, want := range []string{".SH NAME\n", ".SH SYNOPSIS\n", ".SH OPTIONS\n", ".SH COMMANDS\n",
		".SS abtop version\n", ".SS abtop completion\n", ".SS abtop man\n", `\fB\-\-no\-descriptions\fP=false`} {
		if !strings.Contains(out, want) {
			t.Errorf("abtop man lacks %q", want)
		}
	}
	// Homebrew installs this page alone: it must not send readers to the
	// per-command pages, nor carry today's date in a trailer.
	for _, bad := range []string{"SEE ALSO", "Auto generated"} {
		if strings.Contains(out, bad) {
			t.Errorf("abtop man contains %q", bad)
		}
	}
}

func TestManDir(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1767323045")
	dir := filepath.Join(t.TempDir(), "man1") // created by abtop man
	code, out, errOut := runCLI(t, "man", "--dir", dir)
	if code != 0 || out != "" {
		t.Fatalf("abtop man --dir: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, name := range []string{"abtop.1", "abtop-version.1", "abtop-completion.1", "abtop-man.1"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("abtop man --dir did not write %s: %v", name, err)
			continue
		}
		if !bytes.Contains(b, []byte("\n.TH ")) {
			t.Errorf("%s has no .TH header:\n%s", name, head(string(b), 3))
		}
	}
}

func TestManDirError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "man", "--dir", filepath.Join(file, "man1"))
	if code == 0 || !strings.Contains(errOut, "--dir "+filepath.Join(file, "man1")) {
		t.Errorf("abtop man --dir under a file: exit %d, stderr %q; want an error naming --dir and the path", code, errOut)
	}
}

func TestCompletion(t *testing.T) {
	// What each script must contain to be usable, from cobra's generators.
	tests := []struct {
		shell, marker string
	}{
		{"bash", "__start_abtop"},
		{"zsh", "#compdef abtop"},
		{"fish", "complete -c abtop"},
		{"powershell", "Register-ArgumentCompleter"},
	}
	for _, tt := range tests {
		for _, extra := range [][]string{nil, {"--no-descriptions"}} {
			args := append([]string{"completion", tt.shell}, extra...)
			code, out, errOut := runCLI(t, args...)
			if code != 0 {
				t.Errorf("abtop %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
				continue
			}
			if !strings.Contains(out, tt.marker) {
				t.Errorf("abtop %s lacks %q; it starts:\n%s", strings.Join(args, " "), tt.marker, head(out, 3))
			}
		}
	}
	if _, out, _ := runCLI(t, "completion", "zsh"); !strings.HasPrefix(out, "#compdef abtop\n") {
		t.Errorf("zsh completion must start with #compdef abtop to load from $fpath; starts:\n%s", head(out, 1))
	}
}

func TestCompletionBadShell(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown shell", []string{"completion", "tcsh"}, `unknown shell "tcsh": want one of bash, zsh, fish, powershell`},
		{"no shell", []string{"completion"}, "want exactly one shell (bash, zsh, fish, powershell), got 0 arguments"},
		{"two shells", []string{"completion", "bash", "zsh"}, "got 2 arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != 1 || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("abtop %s: exit %d, stdout %q, stderr %q; want exit 1 and %q", strings.Join(tt.args, " "), code, out, errOut, tt.want)
			}
		})
	}
}

// Packagers generate completions and the man page at build time, where no
// usable config exists: a broken config file must not stop them.
func TestReleaseCommandsIgnoreConfig(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(bad, []byte("profiles: [unclosed\n\t- tab"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"completion", "zsh"}, {"man"}} {
		args = append([]string{"--config", bad}, args...)
		if code, out, errOut := runCLI(t, args...); code != 0 || out == "" {
			t.Errorf("abtop %s: exit %d, %d bytes out, stderr %q", strings.Join(args, " "), code, len(out), errOut)
		}
	}
}

// head returns the first n lines of s, for readable failure messages.
func head(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
