package dingtalk

import (
	"strings"
	"testing"
)

func TestRefusedCredentialsHintNamesTheOtherRegion(t *testing.T) {
	for endpoint, other := range map[string]string{
		"https://api.dingtalk.io":      "https://api.dingtalk.com",
		"https://API.dingtalk.com:443": "https://api.dingtalk.io",
	} {
		c, err := New(Options{Endpoint: endpoint, Credentials: Credentials{AppKey: "k", AppSecret: "secret-value"}})
		if err != nil {
			t.Fatal(err)
		}
		e := c.finish(&Error{HTTPStatus: 400, Code: CodeInvalidClient}, "")
		host := strings.TrimPrefix(endpoint, "https://")
		if !strings.Contains(e.Hint, "DingTalk at "+host) || !strings.Contains(e.Hint, other) {
			t.Errorf("%s: hint %q does not name %s and %s", endpoint, e.Hint, host, other)
		}
	}
}
