package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func write(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, mode)
}

func TestPrecedenceFileThenEnv(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "dingwatch", "config.toml"), "app_key = \"filekey\"\nrobot_code = \"filerobot\"\napp_secret = \"s\"\n", 0o600)
	s, err := Load("", envOf(map[string]string{"XDG_CONFIG_HOME": dir, "DINGTALK_ROBOT_CODE": "envrobot"}))
	if err != nil {
		t.Fatal(err)
	}
	if s.AppKey != "filekey" || s.RobotCode != "envrobot" || s.Endpoint != "https://api.dingtalk.io" {
		t.Fatalf("%+v", s)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestMissingDefaultFileIsFine(t *testing.T) {
	s, err := Load("", envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate()
	if err == nil || !strings.Contains(err.Error(), "DINGTALK_APP_KEY") || !strings.Contains(err.Error(), "DINGTALK_ROBOT_CODE") {
		t.Fatalf("want the missing variables named, got %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope.toml"), envOf(nil)); err == nil {
		t.Fatal("an explicit missing file must be an error")
	}
}

func TestUnknownKeyHasItsLine(t *testing.T) {
	_, err := Parse([]byte("app_key = \"k\"\n\nrobot = \"x\"\n"))
	if err == nil || !strings.Contains(err.Error(), `line 3: unknown setting "robot"`) {
		t.Fatalf("got %v", err)
	}
	_, err = Parse([]byte("app_key = \n"))
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("syntax error: %v", err)
	}
}

func TestSecretFilesMustBePrivate(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.toml")
	write(t, cfg, "app_secret = \"topsecret\"\n", 0o644)
	_, err := Load(cfg, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "chmod 600 "+cfg) || strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("got %v", err)
	}
	// No secret: world-readable is fine.
	write(t, cfg, "robot_code = \"r\"\n", 0o644)
	if _, err := Load(cfg, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret")
	write(t, secret, "fromfile\n", 0o640)
	write(t, cfg, "app_secret_file = \""+secret+"\"\n", 0o644)
	if _, err := Load(cfg, envOf(nil)); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("got %v", err)
	}
	os.Chmod(secret, 0o600)
	s, err := Load(cfg, envOf(nil))
	if err != nil || s.AppSecret != "fromfile" {
		t.Fatalf("%v", err)
	}
}

func TestSuiteValidation(t *testing.T) {
	s := Settings{SuiteKey: "k", RobotCode: "r", Endpoint: "https://api.dingtalk.com"}
	err := s.Validate()
	if err == nil || !strings.Contains(err.Error(), "DINGTALK_SUITE_SECRET") || strings.Contains(err.Error(), "DINGTALK_APP_KEY") {
		t.Fatalf("got %v", err)
	}
	s = Settings{AppKey: "k", AppSecret: "s", RobotCode: "r", Endpoint: "ftp://x"}
	if err := s.Validate(); err == nil {
		t.Fatal("ftp endpoint accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("app_key = \"k\"\napp_secret = \"s\"\n"))
	f.Add([]byte("[x]\ny = 1\n"))
	f.Add([]byte("endpoint = 3"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil && s.AppSecret != "" {
			t.Fatal("settings returned with an error")
		}
	})
}

func TestPushSetting(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{"XDG_CONFIG_HOME": dir})
	if s, err := Load("", env); err != nil || s.Push {
		t.Fatalf("push without a setting: %v, %v", s.Push, err)
	}
	write(t, filepath.Join(dir, "dingwatch", "config.toml"), "push = true\n", 0o600)
	if s, err := Load("", env); err != nil || !s.Push {
		t.Fatalf("push = true read as %v, %v", s.Push, err)
	}
	write(t, filepath.Join(dir, "dingwatch", "config.toml"), "push = \"yes\"\n", 0o600)
	if _, err := Load("", env); err == nil {
		t.Error("push = \"yes\" accepted")
	}
}

// TestDurationsMustBeQuotedDurations: a bare number for a duration in the
// file (timeout = 10) is refused with its line and setting, as the
// environment refuses DINGWATCH_TIMEOUT=10, not read as 10 nanoseconds;
// a quoted word that is no duration is called that, not bad TOML (G9).
func TestDurationsMustBeQuotedDurations(t *testing.T) {
	for text, want := range map[string]string{
		"app_key = \"k\"\ntimeout = 10\n":   `line 2: timeout = 10 is not a duration: write it quoted with its unit, such as timeout = "30s"`,
		"interval = 30\n":                   `line 1: interval = 30 is not a duration`,
		"interval = 1.5\n":                  `line 1: interval = 1.5 is not a duration`,
		"\n\ntimeout = \"abc\"\n":           `line 3: timeout = "abc" is not a duration such as "30s" or "2m"`,
		"timeout = true\n":                  `line 1: timeout = true is not a duration`,
		"timeout = \"10\"\n":                `line 1: timeout = "10" is not a duration`,
		"interval = \"5s\"\ntimeout = 10\n": `line 2: timeout = 10`,
	} {
		_, err := Parse([]byte(text))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "TOML") {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
	s, err := Parse([]byte("timeout = \"10s\"\ninterval = \"2m\"\n"))
	if err != nil || s.Timeout.String() != "10s" || s.Interval.String() != "2m0s" {
		t.Fatalf("quoted durations: %v %v %v", s.Timeout, s.Interval, err)
	}
	envErr := (&Settings{}).Set("timeout", "10", "env DINGWATCH_TIMEOUT")
	if envErr == nil || !strings.Contains(envErr.Error(), "is not a duration") {
		t.Fatalf("env: %v", envErr)
	}
}
