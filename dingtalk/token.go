package dingtalk

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Credentials identify the app whose token dingwatch uses: either an
// internal app (AppKey, AppSecret) or a third-party enterprise app (the
// Suite fields and AuthCorpID). Its String and LogValue never show secrets.
type Credentials struct {
	AppKey      string
	AppSecret   string
	SuiteKey    string
	SuiteSecret string
	AuthCorpID  string
	SuiteTicket string
}

// IsSuite reports whether these are third-party enterprise app credentials.
func (c Credentials) IsSuite() bool { return c.SuiteKey != "" }

// String describes the credentials without their secrets.
func (c Credentials) String() string {
	if c.IsSuite() {
		return fmt.Sprintf("suite %s for corp %s", c.SuiteKey, c.AuthCorpID)
	}
	return "app " + c.AppKey
}

// GoString keeps %#v from printing secrets.
func (c Credentials) GoString() string { return "dingtalk.Credentials{" + c.String() + "}" }

// LogValue keeps slog from printing secrets.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// tokenRequest is the endpoint path and JSON body that asks for a token.
func (c Credentials) tokenRequest() (string, any) {
	if c.IsSuite() {
		return "/v1.0/oauth2/corpAccessToken", map[string]string{
			"suiteKey": c.SuiteKey, "suiteSecret": c.SuiteSecret,
			"authCorpId": c.AuthCorpID, "suiteTicket": c.SuiteTicket,
		}
	}
	return "/v1.0/oauth2/accessToken", map[string]string{"appKey": c.AppKey, "appSecret": c.AppSecret}
}

// tokenRefreshMargin is how long before expiry a cached token is replaced.
const tokenRefreshMargin = 5 * time.Minute

// tokenCache holds one access token, fetches a new one shortly before it
// expires, and collapses concurrent fetches into one call.
type tokenCache struct {
	fetch func(ctx context.Context) (token string, lifetime time.Duration, err error)
	now   func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
	flight  singleflight.Group
}

// get returns a valid token, fetching one when none is cached or it is
// about to expire.
func (t *tokenCache) get(ctx context.Context) (string, error) {
	if tok, ok := t.valid(); ok {
		return tok, nil
	}
	ch := t.flight.DoChan("token", func() (any, error) {
		// A fetch that ended between the check above and this flight
		// left a token: use it, not a second call.
		if tok, ok := t.valid(); ok {
			return tok, nil
		}
		// The fetch is shared: one caller giving up must not fail the others.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		tok, life, err := t.fetch(fctx)
		if err != nil {
			return "", err
		}
		t.mu.Lock()
		t.token, t.expires = tok, t.now().Add(life)
		t.mu.Unlock()
		return tok, nil
	})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	}
}

// valid is the cached token while it is not about to expire.
func (t *tokenCache) valid() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.token, t.token != "" && t.now().Before(t.expires.Add(-tokenRefreshMargin))
}

// current is the cached token, "" when none.
func (t *tokenCache) current() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.token
}

// invalidate drops tok if it is still the cached token, so the next get
// fetches a new one.
func (t *tokenCache) invalidate(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == tok {
		t.token = ""
	}
}
