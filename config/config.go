// Package config loads dingwatch's settings: the config file under the XDG
// config directory (or --config), then the environment, then flags, later
// winning; every setting records where its value came from. Files that
// hold a secret must not be readable by others, and no message shows any
// part of a secret.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/adrg/xdg"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/watch"
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

	Timeout  time.Duration `toml:"timeout"`  // bound on each request
	Interval time.Duration `toml:"interval"` // fastest polling period of one key
	Budget   int           `toml:"budget"`   // metered calls per 24 hours; 0: no limit
	QPS      float64       `toml:"qps"`      // calls per second
	Bell     bool          `toml:"bell"`     // ring the terminal bell on a read
	OnRead   string        `toml:"on_read"`  // shell command run for each read
	Debug    bool          `toml:"debug"`    // detailed log
	// Push receives reads DingTalk pushes over its Stream mode (README:
	// Push) instead of only polling for them.
	Push bool `toml:"push"`

	// Source says where the credentials came from, for messages: the
	// config file's path, or "environment".
	Source string `toml:"-"`
	// File is the config file that was read, or "" when there was none.
	File string `toml:"-"`

	sources map[string]string // setting → where its value came from
}

// Defaults are the settings before any file, variable or flag.
func Defaults() Settings {
	return Settings{Endpoint: dingtalk.DefaultEndpoint, Timeout: dingtalk.DefaultTimeout,
		Interval: watch.DefaultInterval, Budget: watch.DefaultBudget, QPS: dingtalk.DefaultRate}
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

// Load starts from Defaults, reads the config file at path (the default
// file when path is empty; a missing default file is no error), then the
// environment. Range checks are left to Check, once flags are applied.
func Load(path string, getenv func(string) string) (Settings, error) {
	explicit := path != ""
	if !explicit {
		path = filepath.Join(DirsFrom(getenv).Config, "config.toml")
	}
	s, err := readFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		s = Defaults()
		s.Source = "environment"
	case err != nil:
		return Settings{}, err
	}
	for _, f := range fields {
		if f.Env == "" {
			continue
		}
		if v := strings.TrimSpace(getenv(f.Env)); v != "" {
			if err := s.Set(f.Name, v, "env "+f.Env); err != nil {
				return Settings{}, err
			}
		}
	}
	if s.AppSecret == "" && s.AppSecretFile != "" {
		secret, err := readSecretFile(s.AppSecretFile)
		if err != nil {
			return Settings{}, err
		}
		s.AppSecret = secret
		s.setSource("app_secret", "file "+s.AppSecretFile)
	}
	if s.Endpoint == "" {
		s.Endpoint = dingtalk.DefaultEndpoint
	}
	return s, nil
}

// MinQPS is the lowest qps accepted, in calls per second: below it one
// call would wait longer than any sensible timeout for its turn.
const MinQPS = 0.01

// Check reports a setting out of its range, naming the setting and where
// its value came from.
func (s Settings) Check() error {
	bad := func(name, want string) error {
		return fmt.Errorf("%s %s (from %s): %s", name, s.Show(name), s.SourceOf(name), want)
	}
	switch {
	case s.Timeout <= 0:
		return bad("timeout", "must be positive, e.g. 10s")
	case s.Interval < time.Second:
		return bad("interval", "must be 1s or more")
	case !(s.QPS >= MinQPS && s.QPS <= 1000): // also refuses NaN, which compares false
		return bad("qps", "must be a number from 0.01 to 1000 (DingTalk allows about 20)")
	case s.Budget < 0:
		return bad("budget", "must be 0 (no limit) or more")
	}
	return nil
}

func readFile(path string) (Settings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Settings{}, fmt.Errorf("config file %s: %w", path, fs.ErrNotExist)
		}
		return Settings{}, fmt.Errorf("config file %s: %w", path, err)
	}
	s, err := parse(data, "file "+path)
	if err != nil {
		return Settings{}, fmt.Errorf("config file %s: %w", path, err)
	}
	if s.AppSecret != "" || s.SuiteSecret != "" || s.SuiteTicket != "" {
		if err := checkPrivate(path); err != nil {
			return Settings{}, err
		}
	}
	s.Source, s.File = path, path
	return s, nil
}

// Parse decodes a config file's text over Defaults. Unknown keys are an
// error that names them with their line. No error holds any part of a
// value: a malformed line may be a secret.
func Parse(data []byte) (Settings, error) { return parse(data, "file") }

func parse(data []byte, source string) (Settings, error) {
	s := Defaults()
	var raw map[string]any
	_, err := toml.Decode(string(data), &raw)
	if err == nil {
		// The durations first: the decoder takes a bare number as
		// nanoseconds and calls a quoted non-duration bad TOML.
		err = checkDurations(data, raw)
		if err != nil {
			return Settings{}, err
		}
	}
	var md toml.MetaData
	if err == nil {
		md, err = toml.Decode(string(data), &s)
	}
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			near := ""
			if k := safetext.Line(pe.LastKey, 64); k != "" {
				near = fmt.Sprintf(" (setting %q)", k)
			}
			return Settings{}, fmt.Errorf("line %d%s: not valid TOML; the value is not shown in case it is a secret. Check its quotes: name = \"value\", numbers and true/false bare, durations quoted (\"30s\")", pe.Position.Line, near)
		}
		return Settings{}, errors.New(redactTOMLError(err.Error()))
	}
	if und := md.Undecoded(); len(und) > 0 {
		var msgs []string
		for _, k := range und {
			msgs = append(msgs, fmt.Sprintf("line %d: unknown setting %q", lineOf(data, k), safetext.Line(k.String(), 64)))
		}
		return Settings{}, fmt.Errorf("%s (known: %s)", strings.Join(msgs, "; "), fieldNames())
	}
	for _, f := range fields {
		if md.IsDefined(f.Name) {
			s.setSource(f.Name, source)
		}
	}
	return s, nil
}

// checkDurations refuses a duration setting of the file (Field.duration)
// that is not a quoted Go duration, naming its line and setting: a bare
// number (timeout = 10) would otherwise be read as nanoseconds, and the
// environment refuses "10" alike. raw is the file decoded as a table.
func checkDurations(data []byte, raw map[string]any) error {
	for _, f := range fields {
		v, ok := raw[f.Name]
		if !ok || !f.duration {
			continue
		}
		line := lineOf(data, toml.Key{f.Name})
		text, quoted := v.(string)
		if !quoted {
			return fmt.Errorf("line %d: %s = %s is not a duration: write it quoted with its unit, such as %s = \"30s\" or \"2m\"", line, f.Name, safetext.Line(fmt.Sprint(v), 40), f.Name)
		}
		if _, err := time.ParseDuration(text); err != nil {
			return fmt.Errorf("line %d: %s = %q is not a duration such as \"30s\" or \"2m\"", line, f.Name, safetext.Line(text, 40))
		}
	}
	return nil
}

// redactTOMLError keeps only the line and the key of a decoder error (a
// value of the wrong type): the value might be a secret.
func redactTOMLError(msg string) string {
	m := regexp.MustCompile(`line (\d+) \(last key "([A-Za-z0-9_.-]*)"\)`).FindStringSubmatch(msg)
	if m == nil {
		return "a value has the wrong type (numbers and true/false bare, text and durations quoted)"
	}
	return fmt.Sprintf("line %s: %s has the wrong type (numbers and true/false bare, text and durations quoted)", m[1], m[2])
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
