package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dingwatch/dingwatch/internal/safetext"
)

// Field is one setting dingwatch can be told: its name in the config file,
// the environment variable and the command-line flag that also set it
// (either may be ""), and whether it is a secret (never shown, not even in
// part).
type Field struct {
	Name   string
	Env    string
	Flag   string
	Secret bool
	// Help says what the setting does, for `dingwatch config` and the docs.
	Help string

	// duration marks a setting that is a Go duration ("30s"), which the
	// file must quote (checkDurations).
	duration bool
	get      func(*Settings) string
	set      func(*Settings, string) error
}

// fields lists every setting in the order `dingwatch config` shows them.
var fields = []Field{
	{Name: "app_key", Env: "DINGTALK_APP_KEY", Help: "the internal app's AppKey (Client ID)",
		get: func(s *Settings) string { return s.AppKey }, set: func(s *Settings, v string) error { s.AppKey = v; return nil }},
	{Name: "app_secret", Env: "DINGTALK_APP_SECRET", Secret: true, Help: "the internal app's AppSecret (Client Secret)",
		get: func(s *Settings) string { return s.AppSecret }, set: func(s *Settings, v string) error { s.AppSecret = v; return nil }},
	{Name: "app_secret_file", Help: "a file holding the AppSecret (mode 600), instead of app_secret",
		get: func(s *Settings) string { return s.AppSecretFile }, set: func(s *Settings, v string) error { s.AppSecretFile = v; return nil }},
	{Name: "robot_code", Env: "DINGTALK_ROBOT_CODE", Flag: "robot", Help: "the robot that sends the notices",
		get: func(s *Settings) string { return s.RobotCode }, set: func(s *Settings, v string) error { s.RobotCode = v; return nil }},
	{Name: "endpoint", Env: "DINGTALK_ENDPOINT", Flag: "endpoint", Help: "DingTalk's base URL: https://api.dingtalk.com (China) or https://api.dingtalk.io",
		get: func(s *Settings) string { return s.Endpoint }, set: func(s *Settings, v string) error { s.Endpoint = v; return nil }},
	{Name: "suite_key", Env: "DINGTALK_SUITE_KEY", Help: "a third-party app's SuiteKey (instead of app_key)",
		get: func(s *Settings) string { return s.SuiteKey }, set: func(s *Settings, v string) error { s.SuiteKey = v; return nil }},
	{Name: "suite_secret", Env: "DINGTALK_SUITE_SECRET", Secret: true, Help: "a third-party app's SuiteSecret",
		get: func(s *Settings) string { return s.SuiteSecret }, set: func(s *Settings, v string) error { s.SuiteSecret = v; return nil }},
	{Name: "auth_corp_id", Env: "DINGTALK_AUTH_CORP_ID", Help: "the organisation that installed the third-party app",
		get: func(s *Settings) string { return s.AuthCorpID }, set: func(s *Settings, v string) error { s.AuthCorpID = v; return nil }},
	{Name: "suite_ticket", Env: "DINGTALK_SUITE_TICKET", Secret: true, Help: "the third-party app's latest suite ticket",
		get: func(s *Settings) string { return s.SuiteTicket }, set: func(s *Settings, v string) error { s.SuiteTicket = v; return nil }},
	{Name: "timeout", Env: "DINGWATCH_TIMEOUT", Flag: "timeout", Help: "bound on each request to DingTalk (e.g. 10s)", duration: true,
		get: func(s *Settings) string { return s.Timeout.String() }, set: durationSetter(func(s *Settings) *time.Duration { return &s.Timeout })},
	{Name: "interval", Env: "DINGWATCH_INTERVAL", Flag: "interval", Help: "fastest polling period of one key (1s or more)", duration: true,
		get: func(s *Settings) string { return s.Interval.String() }, set: durationSetter(func(s *Settings) *time.Duration { return &s.Interval })},
	{Name: "budget", Env: "DINGWATCH_BUDGET", Flag: "budget", Help: "most metered DingTalk calls per 24 hours (0: no limit)",
		get: func(s *Settings) string { return strconv.Itoa(s.Budget) },
		set: func(s *Settings, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			s.Budget = n
			return nil
		}},
	{Name: "qps", Env: "DINGWATCH_QPS", Flag: "qps", Help: "most DingTalk calls per second from this process (DingTalk allows about 20)",
		get: func(s *Settings) string { return strconv.FormatFloat(s.QPS, 'g', -1, 64) },
		set: func(s *Settings, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", v)
			}
			s.QPS = f
			return nil
		}},
	{Name: "bell", Env: "DINGWATCH_BELL", Flag: "bell", Help: "ring the terminal bell when someone reads (true or false)",
		get: func(s *Settings) string { return strconv.FormatBool(s.Bell) }, set: boolSetter(func(s *Settings) *bool { return &s.Bell })},
	{Name: "on_read", Env: "DINGWATCH_ON_READ", Flag: "on-read", Help: "a shell command run for each read (see README: Notify)",
		get: func(s *Settings) string { return s.OnRead }, set: func(s *Settings, v string) error { s.OnRead = v; return nil }},
	{Name: "push", Env: "DINGWATCH_PUSH", Flag: "push", Help: "receive reads as DingTalk pushes them (Stream mode), polling only to reconcile",
		get: func(s *Settings) string { return strconv.FormatBool(s.Push) }, set: boolSetter(func(s *Settings) *bool { return &s.Push })},
	{Name: "debug", Env: "DINGWATCH_DEBUG", Flag: "debug", Help: "write a detailed log to $XDG_STATE_HOME/dingwatch/dingwatch.log",
		get: func(s *Settings) string { return strconv.FormatBool(s.Debug) }, set: boolSetter(func(s *Settings) *bool { return &s.Debug })},
}

func durationSetter(at func(*Settings) *time.Duration) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 2m", v)
		}
		*at(s) = d
		return nil
	}
}

func boolSetter(at func(*Settings) *bool) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*at(s) = b
		return nil
	}
}

// Fields lists every setting, in the order `dingwatch config` shows them.
func Fields() []Field { return append([]Field(nil), fields...) }

// FieldByFlag finds the setting a command-line flag sets.
func FieldByFlag(flag string) (Field, bool) {
	for _, f := range fields {
		if f.Flag == flag && flag != "" {
			return f, true
		}
	}
	return Field{}, false
}

func fieldByName(name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// fieldNames is the list of known settings for error messages.
func fieldNames() string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// Set sets the named setting from text (as given in the environment or on
// the command line) and records source as where it came from. The error
// names the setting and source and, for a secret, never the value.
func (s *Settings) Set(name, value, source string) error {
	f, ok := fieldByName(name)
	if !ok {
		return fmt.Errorf("unknown setting %q", name)
	}
	if err := f.set(s, strings.TrimSpace(value)); err != nil {
		if f.Secret {
			return fmt.Errorf("%s (from %s): not a valid value", name, source)
		}
		return fmt.Errorf("%s (from %s): %s", name, source, safetext.Line(err.Error(), 200))
	}
	s.setSource(name, source)
	return nil
}

func (s *Settings) setSource(name, source string) {
	if s.sources == nil {
		s.sources = map[string]string{}
	}
	s.sources[name] = source
}

// SourceOf says where the named setting's value came from: "default",
// "file PATH", "env NAME" or "flag --NAME".
func (s Settings) SourceOf(name string) string {
	if src, ok := s.sources[name]; ok {
		return src
	}
	return "default"
}

// Show is the named setting's value for display: a secret shows only
// whether it is set, never any part of it; other values are cleaned with
// safetext.Line.
func (s Settings) Show(name string) string {
	f, ok := fieldByName(name)
	if !ok {
		return ""
	}
	v := f.get(&s)
	switch {
	case f.Secret && v != "":
		return "(set, hidden)"
	case v == "":
		return "(not set)"
	}
	return safetext.Line(v, 200)
}
