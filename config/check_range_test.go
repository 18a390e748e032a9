package config

import (
	"strings"
	"testing"
)

// TestCheckRefusesNaNInfAndTinyQPS: a qps that is NaN, infinite or so
// small that one call waits longer than any deadline is refused by name,
// like 0 and 1e9 (F28); a sane value passes.
func TestCheckRefusesNaNInfAndTinyQPS(t *testing.T) {
	for _, v := range []string{"NaN", "nan", "Inf", "+Inf", "-Inf", "1e-300", "0.001", "0", "-1", "1e9"} {
		s := Defaults()
		if err := s.Set("qps", v, "env DINGWATCH_QPS"); err != nil {
			if !strings.Contains(err.Error(), "qps") {
				t.Errorf("qps %q: error does not name the setting: %v", v, err)
			}
			continue
		}
		err := s.Check()
		if err == nil {
			t.Errorf("qps %q accepted (value %v)", v, s.QPS)
			continue
		}
		if !strings.Contains(err.Error(), "qps") || !strings.Contains(err.Error(), "env DINGWATCH_QPS") {
			t.Errorf("qps %q: error does not name the setting and its source: %v", v, err)
		}
	}
	for _, v := range []string{"0.01", "1", "20", "1000"} {
		s := Defaults()
		if err := s.Set("qps", v, "flag --qps"); err != nil {
			t.Fatalf("qps %q: %v", v, err)
		}
		if err := s.Check(); err != nil {
			t.Errorf("qps %q refused: %v", v, err)
		}
	}
}

// TestCheckRefusesMeaninglessDurationsAndBudget: negative or zero timeout,
// an interval under a second and a negative budget are refused by name.
func TestCheckRefusesMeaninglessDurationsAndBudget(t *testing.T) {
	for _, c := range []struct{ name, v string }{
		{"timeout", "0s"}, {"timeout", "-5s"}, {"interval", "0s"}, {"interval", "-1m"}, {"interval", "500ms"}, {"budget", "-1"},
	} {
		s := Defaults()
		if err := s.Set(c.name, c.v, "flag --"+c.name); err != nil {
			continue
		}
		if err := s.Check(); err == nil || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s %q: got %v, want an error naming %s", c.name, c.v, err, c.name)
		}
	}
}
