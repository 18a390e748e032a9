package dingtalk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

const (
	testSecret = "S3cr3t-app-secret-0123456789abcdef"
	testToken  = "tok-9f8e7d6c5b4a39281706"
)

// counting is a server that must never be reached; it counts attempts.
func counting(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.Copy(io.Discard, r.Body) //nolint:errcheck
		w.WriteHeader(200)
		w.Write([]byte(`{"accessToken":"stolen","sendStatus":"SUCCESS","messageReadInfoList":[]}`)) //nolint:errcheck
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// fakeDingTalk answers the token call with testToken and the others with h.
func fakeDingTalk(t *testing.T, token, other http.HandlerFunc) *httptest.Server {
	t.Helper()
	if token == nil {
		token = func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(`{"accessToken":"` + testToken + `","expireIn":7200}`)) //nolint:errcheck
		}
	}
	if other == nil {
		other = func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1.0/oauth2/accessToken", token)
	mux.HandleFunc("/", other)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, endpoint string, tweak func(*dingtalk.Options)) *dingtalk.Client {
	t.Helper()
	o := dingtalk.Options{Endpoint: endpoint, Retries: -1, Rate: 1000, Timeout: 10 * time.Second,
		Credentials: dingtalk.Credentials{AppKey: "app", AppSecret: testSecret}}
	if tweak != nil {
		tweak(&o)
	}
	c, err := dingtalk.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	text := err.Error()
	var e *dingtalk.Error
	if errors.As(err, &e) {
		j, _ := json.Marshal(e)
		text += string(j) + e.Message + e.Hint
	}
	for _, secret := range []string{testSecret, testToken} {
		for i := 0; i+8 <= len(secret); i++ {
			if strings.Contains(text, secret[i:i+8]) {
				t.Fatalf("error shows part of a secret (%q): %s", secret[i:i+8], text)
			}
		}
	}
}

func TestRedirectOnTokenSendsNothingElsewhere(t *testing.T) {
	other, reached := counting(t)
	for _, status := range []int{301, 302, 303, 307, 308} {
		srv := fakeDingTalk(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/v1.0/oauth2/accessToken", status)
		}, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })
		// A caller's own client that would follow redirects changes nothing.
		c := newClient(t, srv.URL, func(o *dingtalk.Options) { o.HTTPClient = &http.Client{} })
		_, err := c.ReadStatus(context.Background(), robot, "key")
		if !dingtalk.HasCode(err, dingtalk.CodeRedirect) || !dingtalk.IsSettings(err) || !dingtalk.IsFatal(err) {
			t.Fatalf("%d: want a redirect error, got %v", status, err)
		}
		host := strings.TrimPrefix(other.URL, "http://")
		if !strings.Contains(err.Error(), host) {
			t.Fatalf("%d: the error does not name %s: %v", status, host, err)
		}
		assertNoSecret(t, err)
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("the other host got %d requests", n)
	}
}

func TestRedirectOnReadStatusSendsNothingElsewhere(t *testing.T) {
	other, reached := counting(t)
	var tried atomic.Int64
	srv := fakeDingTalk(t, nil, func(w http.ResponseWriter, r *http.Request) {
		tried.Add(1)
		// The Location carries the token, as a hostile proxy might.
		http.Redirect(w, r, other.URL+"/steal?t="+url.QueryEscape(r.Header.Get("x-acs-dingtalk-access-token")), http.StatusFound)
	})
	c := newClient(t, srv.URL, func(o *dingtalk.Options) { o.Retries = 3 })
	_, err := c.ReadStatus(context.Background(), robot, "key")
	if !dingtalk.HasCode(err, dingtalk.CodeRedirect) {
		t.Fatalf("want a redirect error, got %v", err)
	}
	assertNoSecret(t, err)
	if n := reached.Load(); n != 0 {
		t.Fatalf("the other host got %d requests", n)
	}
	if n := tried.Load(); n != 1 {
		t.Fatalf("a redirect was tried %d times, want 1 (never retried)", n)
	}
	if _, err := c.BatchSend(context.Background(), robot, []string{"u1"}, dingtalk.Text("x")); !dingtalk.HasCode(err, dingtalk.CodeRedirect) || reached.Load() != 0 {
		t.Fatalf("send: %v, other host reached %d times", err, reached.Load())
	}
}

func TestSecretsNeverInErrorText(t *testing.T) {
	// A hostile answer echoes the request (the secret) and the token.
	srv := fakeDingTalk(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"code": "invalidClientIdOrSecret", "requestid": testSecret[4:20], //nolint:errcheck
			"message": "you sent " + string(b)})
	}, nil)
	c := newClient(t, srv.URL, nil)
	_, err := c.ReadStatus(context.Background(), robot, "key")
	if !dingtalk.HasCode(err, dingtalk.CodeInvalidClient) {
		t.Fatalf("got %v", err)
	}
	assertNoSecret(t, err)

	srv = fakeDingTalk(t, nil, func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("x-acs-dingtalk-access-token")
		w.Write([]byte(`{"errcode":40001,"errmsg":"token ` + tok + ` is odd"}`)) //nolint:errcheck
	})
	c = newClient(t, srv.URL, nil)
	_, err = c.ReadStatus(context.Background(), robot, "key")
	if !dingtalk.HasCode(err, "40001") {
		t.Fatalf("got %v", err)
	}
	assertNoSecret(t, err)

	// A token answer that is not an answer is never quoted.
	srv = fakeDingTalk(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"access_token":"` + testToken + `"`)) //nolint:errcheck
	}, nil)
	c = newClient(t, srv.URL, nil)
	_, err = c.ReadStatus(context.Background(), robot, "key")
	if !dingtalk.HasCode(err, dingtalk.CodeNotJSON) {
		t.Fatalf("got %v", err)
	}
	assertNoSecret(t, err)
	srv = fakeDingTalk(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"access_token":"` + testToken + `"}`)) //nolint:errcheck
	}, nil)
	c = newClient(t, srv.URL, nil)
	_, err = c.ReadStatus(context.Background(), robot, "key")
	if !dingtalk.HasCode(err, dingtalk.CodeIncomplete) || !strings.Contains(err.Error(), "accessToken") {
		t.Fatalf("got %v", err)
	}
	assertNoSecret(t, err)
}

func TestCheckEndpoint(t *testing.T) {
	cases := []struct {
		in     string
		ok     bool
		reason string
	}{
		{"https://api.dingtalk.io", true, ""},
		{"https://api.dingtalk.com/", true, ""},
		{"https://api.dingtalk.com:443", true, ""},
		{"http://127.0.0.1:8080", true, ""},
		{"http://127.5.6.7", true, ""},
		{"http://[::1]:9000", true, ""},
		{"http://localhost:9000", true, ""},
		{"http://api.dingtalk.com", false, "https://"},
		{"http://10.0.0.8:8080", false, "https://"},
		{"http://127.0.0.1.evil.example", false, "https://"},
		{"https://user:hunter2pass@api.dingtalk.com", false, "user name or password"},
		{"https://hunter2user@api.dingtalk.com", false, "user name or password"},
		{"https://api.dingtalk.com/v1.0", false, "path"},
		{"https://api.dingtalk.com?x=1", false, "query"},
		{"https://api.dingtalk.com/#frag", false, "fragment"},
		{"ftp://api.dingtalk.com", false, "http(s)"},
		{"api.dingtalk.com", false, "http(s)"},
		{"", false, "empty"},
		{"https://", false, "http(s)"},
	}
	for _, tc := range cases {
		err := dingtalk.CheckEndpoint(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if err == nil {
			continue
		}
		if !strings.Contains(err.Error(), tc.reason) || !dingtalk.IsSettings(err) {
			t.Errorf("%q: %v (want %q, a settings error)", tc.in, err, tc.reason)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the error shows user info: %v", tc.in, err)
		}
		if _, err := dingtalk.New(dingtalk.Options{Endpoint: tc.in}); tc.in != "" && err == nil {
			t.Errorf("%q: New accepted it", tc.in)
		}
	}
}

func TestUserAgent(t *testing.T) {
	var got atomic.Value
	srv := fakeDingTalk(t, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("User-Agent"))
		w.Write([]byte(`{"accessToken":"t","expireIn":7200}`)) //nolint:errcheck
	}, nil)
	for _, tc := range []struct{ set, want string }{
		{"dingwatch/1.4.2", "dingwatch/1.4.2"},
		{"", dingtalk.DefaultUserAgent},
		{"dingwatch/1\r\nX-Evil: 1", dingtalk.DefaultUserAgent},
	} {
		c := newClient(t, srv.URL, func(o *dingtalk.Options) { o.UserAgent = tc.set })
		c.ReadStatus(context.Background(), robot, "key") //nolint:errcheck // only the header matters
		if ua, _ := got.Load().(string); ua != tc.want {
			t.Errorf("UserAgent %q: sent %q, want %q", tc.set, ua, tc.want)
		}
	}
}

func TestIPAndScopesAreKept(t *testing.T) {
	srv := fakeDingTalk(t, nil, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		if strings.Contains(r.URL.Path, "readStatus") {
			w.Write([]byte(`{"code":"Forbidden.AccessDenied.IpNotInWhiteList","requestid":"r9","message":"访问ip不在白名单之中,request ip=203.0.113.77 appKey(app)"}`)) //nolint:errcheck
			return
		}
		w.Write([]byte(`{"code":"Forbidden.AccessDenied.AccessTokenPermissionDenied","requestid":"r8","message":"没有调用该接口的权限",` + //nolint:errcheck
			`"accessdenieddetail":{"requiredScopes":["qyapi_robot_sendmsg","Contact.User.Read"]}}`))
	})
	c := newClient(t, srv.URL, nil)
	_, err := c.ReadStatus(context.Background(), robot, "key")
	var e *dingtalk.Error
	if !errors.As(err, &e) || e.IP != "203.0.113.77" || !strings.Contains(err.Error(), "203.0.113.77") ||
		!strings.Contains(e.Message, "request ip=203.0.113.77") || !dingtalk.IsSettings(err) || !dingtalk.IsFatal(err) {
		t.Fatalf("IP lost: %v (%+v)", err, e)
	}
	_, err = c.BatchSend(context.Background(), robot, []string{"u1"}, dingtalk.Text("x"))
	if !errors.As(err, &e) || len(e.RequiredScopes) != 2 || e.RequiredScopes[1] != "Contact.User.Read" ||
		!strings.Contains(err.Error(), "qyapi_robot_sendmsg, Contact.User.Read") || !dingtalk.IsSettings(err) {
		t.Fatalf("scopes lost: %v (%+v)", err, e)
	}
}

func TestRefusedCredentialsNameTheRegion(t *testing.T) {
	srv := fakeDingTalk(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(400)
		w.Write([]byte(`{"code":"invalidClientIdOrSecret","requestid":"r","message":"无效的clientId或者clientSecret"}`)) //nolint:errcheck
	}, nil)
	c := newClient(t, srv.URL, nil)
	_, err := c.ReadStatus(context.Background(), robot, "key")
	host := strings.TrimPrefix(srv.URL, "http://")
	if !dingtalk.IsSettings(err) || !strings.Contains(err.Error(), host) ||
		!strings.Contains(err.Error(), "api.dingtalk.io") || !strings.Contains(err.Error(), "api.dingtalk.com") {
		t.Fatalf("got %v", err)
	}
}
