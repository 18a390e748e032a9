package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// configDir is the XDG_CONFIG_HOME of env, joined with dingwatch.
func configDir(env []string) string {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "XDG_CONFIG_HOME="); ok {
			return filepath.Join(v, "dingwatch")
		}
	}
	return ""
}

func putConfig(t *testing.T, env []string, text string) {
	t.Helper()
	dir := configDir(env)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// settingRow finds the row of setting name in dingwatch config's output.
func settingRow(t *testing.T, out, name string) []string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if f := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(l), -1); len(f) == 3 && f[0] == name {
			return f
		}
	}
	t.Fatalf("no row for %s in:\n%s", name, out)
	return nil
}

func TestConfigShowsValuesAndSources(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s) // app key, secret, robot and endpoint from the environment
	putConfig(t, env, "budget = 500\ninterval = \"45s\"\nqps = 3\nbell = true\non_read = \"notify-send read\"\ntimeout = \"7s\"\n")
	env = append(env, "DINGWATCH_BUDGET=700")
	out, errOut, code := runBinary(t, env, "", "--qps", "2.5", "config")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	file := filepath.Join(configDir(env), "config.toml")
	want := map[string][2]string{
		"app_key":    {"app", "env DINGTALK_APP_KEY"},
		"app_secret": {"(set, hidden)", "env DINGTALK_APP_SECRET"},
		"budget":     {"700", "env DINGWATCH_BUDGET"},
		"interval":   {"45s", "file " + file},
		"qps":        {"2.5", "flag --qps"},
		"bell":       {"true", "file " + file},
		"on_read":    {"notify-send read", "file " + file},
		"timeout":    {"7s", "file " + file},
		"debug":      {"false", "default"},
		"suite_key":  {"(not set)", "default"},
	}
	for name, w := range want {
		row := settingRow(t, out, name)
		if row[1] != w[0] || row[2] != w[1] {
			t.Errorf("%s: got %q, want %q", name, row[1:], w)
		}
	}
	for i := 0; i+5 <= len(secret); i++ { // 5 runes: "cret" is in the name app_secret
		if strings.Contains(out, secret[i:i+5]) {
			t.Fatalf("part of the secret (%q) is shown:\n%s", secret[i:i+5], out)
		}
	}
	// The settings are used: the file's interval, the flag's qps.
	_, errOut, code = runBinary(t, env, "", "--interval", "500ms", "config")
	if code != 2 || !strings.Contains(errOut, "interval 500ms (from flag --interval): must be 1s or more") {
		t.Fatalf("exit %d %q", code, errOut)
	}
	putConfig(t, env, "budget = -3\n")
	_, errOut, code = runBinary(t, env[:len(env)-1], "", "config")
	if code != 2 || !strings.Contains(errOut, "budget -3 (from file "+file+"): must be 0") {
		t.Fatalf("exit %d %q", code, errOut)
	}
}

func TestMalformedSecretLineNeverPrinted(t *testing.T) {
	const value = "ABCdefGHIjklMNO"
	for _, line := range []string{
		"app_secret = " + value,
		"app_secret = \"" + value,
		"app_secret = '" + value,
		"app_secret = \"\"\"" + value,
		"app_secret = \"" + value[:5] + "\\q" + value[5:] + "\"",
		"app_secret = 1" + strings.Repeat("9", 30),
		"suite_secret = [\"" + value + "\"",
		"budget = \"" + value + "\"",
	} {
		s := startSim(t)
		env := simEnv(t, s)
		putConfig(t, env, "app_key = \"k\"\n"+line+"\n")
		out, errOut, code := runBinary(t, env, "", "config")
		if code != 2 || !strings.Contains(errOut, "line 2") {
			t.Fatalf("%s: exit %d %q", line, code, errOut)
		}
		shown := strings.ReplaceAll(out+errOut, configDir(env), "")
		for i := 0; i+3 <= len(value); i++ {
			if strings.Contains(shown, value[i:i+3]) {
				t.Fatalf("%s: part of the value (%q) printed: %q", line, value[i:i+3], errOut)
			}
		}
		if strings.Contains(strings.ReplaceAll(errOut, configDir(env), ""), "999") { // the temporary path may hold 999
			t.Fatalf("%s: part of the value printed: %q", line, errOut)
		}
	}
}

// TestBellAndOnReadGoAnywhere: --bell and --on-read are global flags like
// the others (F12): before or after a command, config shows them with
// their source, and serve takes them.
func TestBellAndOnReadGoAnywhere(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	for _, args := range [][]string{
		{"config", "--bell", "--on-read", "notify-send read"},
		{"--bell", "--on-read", "notify-send read", "config"},
	} {
		out, errOut, code := runBinary(t, env, "", args...)
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, errOut)
		}
		if r := settingRow(t, out, "bell"); r[1] != "true" || r[2] != "flag --bell" {
			t.Errorf("%q: bell row %q", args, r)
		}
		if r := settingRow(t, out, "on_read"); r[1] != "notify-send read" || r[2] != "flag --on-read" {
			t.Errorf("%q: on_read row %q", args, r)
		}
	}
	out, errOut, code := runBinary(t, env, "", "serve", "--on-read", "notify-send read", "--bell", "--help")
	if code != 0 || !strings.Contains(out, "--on-read") || !strings.Contains(out, "--bell") {
		t.Fatalf("serve --on-read … --bell --help: exit %d\n%s%s", code, out, errOut)
	}
}
