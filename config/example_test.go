package config

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestExampleConfigHasEverySetting parses docs/config.example.toml with
// every commented setting uncommented: each setting is there, the file
// parses, and the defaults it shows are the real ones.
func TestExampleConfigHasEverySetting(t *testing.T) {
	data, err := os.ReadFile("../docs/config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	setting := regexp.MustCompile(`^# ([a-z_]+ = .*)$`)
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if m := setting.FindStringSubmatch(l); m != nil {
			lines = append(lines, m[1])
		}
	}
	text := strings.Join(lines, "\n")
	s, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("%v in:\n%s", err, text)
	}
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields() {
		if _, ok := raw[f.Name]; !ok {
			t.Errorf("the example lacks %s", f.Name)
		}
		if f.Env != "" && !strings.Contains(string(data), f.Env) {
			t.Errorf("the example does not name %s's variable %s", f.Name, f.Env)
		}
	}
	d := Defaults()
	if s.Timeout != d.Timeout || s.Interval != d.Interval || s.Budget != d.Budget || s.QPS != d.QPS || s.Endpoint != d.Endpoint || s.Bell || s.Debug {
		t.Fatalf("the example shows other defaults than dingwatch's: %+v", s)
	}
}

func TestMalformedValuesNeverInErrors(t *testing.T) {
	const value = "ABCdefGHIjkl"
	for _, text := range []string{
		"app_secret = " + value,
		"app_secret = \"" + value,
		"suite_ticket = '" + value,
		"app_secret = \"ab\\q" + value + "\"",
		"suite_secret = 1" + value,
		"budget = \"" + value + "\"",
		"app_secret = [\"" + value + "\"]",
	} {
		_, err := Parse([]byte(text + "\n"))
		if err == nil {
			t.Fatalf("%q parsed", text)
		}
		for i := 0; i+3 <= len(value); i++ {
			if strings.Contains(err.Error(), value[i:i+3]) {
				t.Fatalf("%q: the error shows part of the value: %v", text, err)
			}
		}
		if !strings.Contains(err.Error(), "line 1") {
			t.Fatalf("%q: the error must name the line: %v", text, err)
		}
	}
}

func TestFlagsOverEnvironmentOverFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/c.toml"
	write(t, path, "budget = 10\ninterval = \"40s\"\nqps = 4\n", 0o600)
	s, err := Load(path, envOf(map[string]string{"DINGWATCH_BUDGET": "20", "DINGWATCH_QPS": "5"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("qps", "6", "flag --qps"); err != nil {
		t.Fatal(err)
	}
	if s.Budget != 20 || s.SourceOf("budget") != "env DINGWATCH_BUDGET" || s.Interval.String() != "40s" ||
		s.SourceOf("interval") != "file "+path || s.QPS != 6 || s.SourceOf("qps") != "flag --qps" || s.SourceOf("timeout") != "default" {
		t.Fatalf("%+v %v", s, s.sources)
	}
	if _, err := Load(path, envOf(map[string]string{"DINGWATCH_BUDGET": "lots"})); err == nil || !strings.Contains(err.Error(), "env DINGWATCH_BUDGET") {
		t.Fatalf("a bad variable: %v", err)
	}
}
