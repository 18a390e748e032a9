// Package config loads dingwatch's settings: the config file under the XDG
// config directory (or --config), then the environment, then flags, later
// winning. Files that hold a secret must not be readable by others.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/adrg/xdg"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// Settings are everything dingwatch can be told. Secrets never leave it
// through String, errors or logs.
type Settings struct {
	AppKey        string `toml:"app_key"`
	AppSecret     string `toml:"app_secret"`
	AppSecretFile string `toml:"app_secret_file"`
	RobotCode     string `toml:"robot_code"`
	Endpoint      string `toml:"endpoint"`
	SuiteKey      string `toml:"suite_key"`
	SuiteSecret   string `toml:"suite_secret"`
	AuthCorpID    string `toml:"auth_corp_id"`
	SuiteTicket   string `toml:"suite_ticket"`
	// Push receives reads DingTalk pushes over its Stream mode (see README
	// "Push"); --push overrides it.
	Push bool `toml:"push"`

	// Source says where the settings came from, for messages.
	Source string `toml:"-"`
}

// envNames maps environment variables to the setting they set.
var envNames = []struct {
	name string
	set  func(*Settings, string)
}{
	{"DINGTALK_APP_KEY", func(s *Settings, v string) { s.AppKey = v }},
	{"DINGTALK_APP_SECRET", func(s *Settings, v string) { s.AppSecret = v }},
	{"DINGTALK_ROBOT_CODE", func(s *Settings, v string) { s.RobotCode = v }},
	{"DINGTALK_ENDPOINT", func(s *Settings, v string) { s.Endpoint = v }},
	{"DINGTALK_SUITE_KEY", func(s *Settings, v string) { s.SuiteKey = v }},
	{"DINGTALK_SUITE_SECRET", func(s *Settings, v string) { s.SuiteSecret = v }},
	{"DINGTALK_AUTH_CORP_ID", func(s *Settings, v string) { s.AuthCorpID = v }},
	{"DINGTALK_SUITE_TICKET", func(s *Settings, v string) { s.SuiteTicket = v }},
}

// Dirs are the XDG directories dingwatch uses, read from the environment
// given to it (so tests and the SSH server need no process-wide state).
type Dirs struct{ Config, State string }

// DirsFrom returns the XDG directories for getenv, falling back to the
// platform's defaults.
func DirsFrom(getenv func(string) string) Dirs {
	pick := func(env, fallback string) string {
		if v := getenv(env); filepath.IsAbs(v) {
			return v
		}
		return fallback
	}
	return Dirs{
		Config: filepath.Join(pick("XDG_CONFIG_HOME", xdg.ConfigHome), "dingwatch"),
		State:  filepath.Join(pick("XDG_STATE_HOME", xdg.StateHome), "dingwatch"),
	}
}

// Load reads the config file at path (the default file when path is empty;
// a missing default file is no error), then the environment.
func Load(path string, getenv func(string) string) (Settings, error) {
	explicit := path != ""
	if !explicit {
		path = filepath.Join(DirsFrom(getenv).Config, "config.toml")
	}
	s, err := readFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		s = Settings{Source: "environment"}
	case err != nil:
		return Settings{}, err
	}
	for _, e := range envNames {
		if v := strings.TrimSpace(getenv(e.name)); v != "" {
			e.set(&s, v)
		}
	}
	if s.AppSecret == "" && s.AppSecretFile != "" {
		secret, err := readSecretFile(s.AppSecretFile)
		if err != nil {
			return Settings{}, err
		}
		s.AppSecret = secret
	}
	if s.Endpoint == "" {
		s.Endpoint = dingtalk.DefaultEndpoint
	}
	return s, nil
}

func readFile(path string) (Settings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Settings{}, fmt.Errorf("config file %s: %w", path, fs.ErrNotExist)
		}
		return Settings{}, fmt.Errorf("config file %s: %w", path, err)
	}
	s, err := Parse(data)
	if err != nil {
		return Settings{}, fmt.Errorf("config file %s: %w", path, err)
	}
	if s.AppSecret != "" || s.SuiteSecret != "" {
		if err := checkPrivate(path); err != nil {
			return Settings{}, err
		}
	}
	s.Source = path
	return s, nil
}

// Parse decodes a config file's text. Unknown keys are an error that names
// them with their line.
func Parse(data []byte) (Settings, error) {
	var s Settings
	md, err := toml.Decode(string(data), &s)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Settings{}, fmt.Errorf("line %d: %s", pe.Position.Line, pe.Message)
		}
		return Settings{}, errors.New(redactTOMLError(err.Error()))
	}
	if und := md.Undecoded(); len(und) > 0 {
		var msgs []string
		for _, k := range und {
			msgs = append(msgs, fmt.Sprintf("line %d: unknown setting %q", lineOf(data, k), k.String()))
		}
		return Settings{}, fmt.Errorf("%s (known: app_key, app_secret, app_secret_file, robot_code, endpoint, suite_key, suite_secret, auth_corp_id, suite_ticket)", strings.Join(msgs, "; "))
	}
	return s, nil
}

// redactTOMLError drops quoted values from a decoder error: a value of the
// wrong type might be a secret.
func redactTOMLError(msg string) string {
	return regexp.MustCompile(`"[^"]*"`).ReplaceAllString(msg, `"…"`)
}

// lineOf finds the line that defines key k (its last part), 1-based; 0 if not found.
func lineOf(data []byte, k toml.Key) int {
	name := regexp.QuoteMeta(k[len(k)-1])
	re := regexp.MustCompile(`^\s*(\[+\s*)?(["']?)` + name + `(["']?)\s*(=|\])`)
	for i, line := range strings.Split(string(data), "\n") {
		if re.MatchString(line) {
			return i + 1
		}
	}
	return 0
}

// checkPrivate refuses a file that holds a secret and that group or others
// can read, the way ssh refuses a private key.
func checkPrivate(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s holds a secret but is readable by others (mode %04o): run chmod 600 %s",
			path, fi.Mode().Perm(), path)
	}
	return nil
}

func readSecretFile(path string) (string, error) {
	if err := checkPrivate(path); err != nil {
		return "", fmt.Errorf("app_secret_file: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("app_secret_file: %w", err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", fmt.Errorf("app_secret_file %s is empty", path)
	}
	return secret, nil
}

// Credentials are the app credentials in s.
func (s Settings) Credentials() dingtalk.Credentials {
	return dingtalk.Credentials{AppKey: s.AppKey, AppSecret: s.AppSecret, SuiteKey: s.SuiteKey,
		SuiteSecret: s.SuiteSecret, AuthCorpID: s.AuthCorpID, SuiteTicket: s.SuiteTicket}
}

// Validate checks that s can reach DingTalk: credentials of one app kind,
// a robot code, an http(s) endpoint. The error names the missing variable
// or setting and never a secret.
func (s Settings) Validate() error {
	var missing []string
	need := func(v, env, key string) {
		if v == "" {
			missing = append(missing, fmt.Sprintf("%s (or %s in the config file)", env, key))
		}
	}
	if s.SuiteKey != "" || s.SuiteSecret != "" || s.AuthCorpID != "" || s.SuiteTicket != "" {
		need(s.SuiteKey, "DINGTALK_SUITE_KEY", "suite_key")
		need(s.SuiteSecret, "DINGTALK_SUITE_SECRET", "suite_secret")
		need(s.AuthCorpID, "DINGTALK_AUTH_CORP_ID", "auth_corp_id")
		need(s.SuiteTicket, "DINGTALK_SUITE_TICKET", "suite_ticket")
	} else {
		need(s.AppKey, "DINGTALK_APP_KEY", "app_key")
		need(s.AppSecret, "DINGTALK_APP_SECRET", "app_secret or app_secret_file")
	}
	need(s.RobotCode, "DINGTALK_ROBOT_CODE", "robot_code")
	if len(missing) > 0 {
		return fmt.Errorf("missing settings: %s. Try dingwatch --demo to see it without credentials", strings.Join(missing, ", "))
	}
	if _, err := dingtalk.ParseEndpoint(s.Endpoint); err != nil {
		return fmt.Errorf("DINGTALK_ENDPOINT / endpoint: %w", err)
	}
	return nil
}

// Region names the endpoint's DingTalk region for the header.
func (s Settings) Region() string {
	switch {
	case strings.Contains(s.Endpoint, "api.dingtalk.com"):
		return "China"
	case strings.Contains(s.Endpoint, "api.dingtalk.io"):
		return "international"
	}
	return s.Endpoint
}
