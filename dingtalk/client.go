// Package dingtalk is a small, quota-frugal client for the DingTalk robot
// message APIs dingwatch uses: access tokens, readStatus, batchSend and
// batchRecall. Every call takes a context, passes one process-wide rate
// limiter, and is counted when DingTalk meters it.
package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Default settings of a Client.
const (
	DefaultEndpoint = "https://api.dingtalk.io"
	DefaultTimeout  = 10 * time.Second
	DefaultRate     = 10 // calls per second, well under DingTalk's ~20
	DefaultRetries  = 3
	// DefaultUserAgent is the User-Agent when Options.UserAgent is empty.
	DefaultUserAgent = "dingwatch/dev"
	maxBodyBytes     = 1 << 20
	// maxInlineWait is the longest pause DingTalk may ask for (a ban's
	// "wait") that a call sits out itself before retrying; a longer one is
	// returned to the caller, whose schedule backs off (see RetryAfter).
	maxInlineWait = 10 * time.Second
)

// Options configure a Client. Zero values take the defaults.
type Options struct {
	// Endpoint is the base URL, e.g. https://api.dingtalk.com; it must pass
	// CheckEndpoint (https, or http on loopback; no user info, path or query).
	Endpoint    string
	Credentials Credentials   // whose token to use
	Timeout     time.Duration // bound on each HTTP request
	Rate        float64       // calls per second for the whole process
	Retries     int           // extra tries of an idempotent call; negative: none
	BaseBackoff time.Duration // first pause between tries (default 500ms)
	// HTTPClient is copied; its redirect policy is replaced: the client
	// never follows a redirect.
	HTTPClient *http.Client
	Now        func() time.Time // clock for token expiry
	// UserAgent is sent with every request, "dingwatch/VERSION"
	// (default DefaultUserAgent). One with control characters is replaced
	// by the default.
	UserAgent string
	// Sleep waits d between tries, or until ctx ends (then it returns
	// ctx.Err()). Default: a real timer. Tests inject one to see the pauses.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls DingTalk. It is safe for concurrent use; make one per process.
type Client struct {
	base      *url.URL
	http      *http.Client
	timeout   time.Duration
	retries   int
	backoff   time.Duration
	userAgent string
	sleep     func(ctx context.Context, d time.Duration) error
	creds     Credentials
	limiter   *rate.Limiter
	tokens    *tokenCache
	metered   atomic.Int64
	tokenN    atomic.Int64
}

// New returns a Client for opts, or an *EndpointError when the endpoint
// fails CheckEndpoint.
func New(opts Options) (*Client, error) {
	if opts.Endpoint == "" {
		opts.Endpoint = DefaultEndpoint
	}
	base, err := ParseEndpoint(opts.Endpoint)
	if err != nil {
		return nil, err
	}
	hc := http.Client{}
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	}
	hc.CheckRedirect = noRedirect
	c := &Client{
		base:      base,
		http:      &hc,
		timeout:   opts.Timeout,
		retries:   opts.Retries,
		backoff:   opts.BaseBackoff,
		userAgent: opts.UserAgent,
		sleep:     opts.Sleep,
		creds:     opts.Credentials,
	}
	if c.userAgent == "" || strings.IndexFunc(c.userAgent, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		c.userAgent = DefaultUserAgent
	}
	if c.sleep == nil {
		c.sleep = Sleep
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.retries == 0 {
		c.retries = DefaultRetries
	}
	if c.backoff <= 0 {
		c.backoff = 500 * time.Millisecond
	}
	r := opts.Rate
	if r <= 0 {
		r = DefaultRate
	}
	// 5% headroom: calls spaced at exactly 1/r can arrive a hair closer
	// together and show r+1 in one second at DingTalk's end.
	c.limiter = rate.NewLimiter(rate.Limit(r*0.95), 1)
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	creds := opts.Credentials
	c.tokens = &tokenCache{now: now, fetch: func(ctx context.Context) (string, time.Duration, error) {
		return c.fetchToken(ctx, creds)
	}}
	return c, nil
}

// MeteredCalls is how many calls DingTalk counts against the monthly quota
// (readStatus, batchSend, batchRecall) this client has made.
func (c *Client) MeteredCalls() int64 { return c.metered.Load() }

// TokenCalls is how many access tokens this client has fetched.
func (c *Client) TokenCalls() int64 { return c.tokenN.Load() }

// Endpoint is the base URL the client talks to.
func (c *Client) Endpoint() string { return c.base.String() }

type tokenAnswer struct {
	AccessToken string `json:"accessToken"`
	ExpireIn    int64  `json:"expireIn"`
}

func (c *Client) fetchToken(ctx context.Context, creds Credentials) (string, time.Duration, error) {
	path, body := creds.tokenRequest()
	var ans tokenAnswer
	err := c.call(ctx, request{method: http.MethodPost, path: path, body: body, idempotent: true, spec: tokenSpec}, &ans)
	if err != nil {
		return "", 0, err
	}
	c.tokenN.Add(1)
	if ans.AccessToken == "" { // classify saw a token; it must still be a string
		return "", 0, &Error{HTTPStatus: http.StatusOK, Code: CodeIncomplete, Message: "accessToken is empty",
			Hint: "DingTalk's token answer had no token: not an answer"}
	}
	life := time.Duration(ans.ExpireIn) * time.Second
	if life <= 0 {
		life = 2 * time.Hour
	}
	return ans.AccessToken, life, nil
}

// request describes one API call.
type request struct {
	method     string
	path       string
	query      url.Values
	body       any
	auth       bool       // send the access token
	metered    bool       // counts against the monthly quota
	idempotent bool       // may be retried automatically
	spec       answerSpec // what a good answer holds
}

// call runs req, retrying idempotent calls on transient failures, and
// decodes a 2xx answer into out.
func (c *Client) call(ctx context.Context, req request, out any) error {
	refreshed, reached := false, false
	for attempt := 0; ; attempt++ {
		raw, err := c.attempt(ctx, req)
		if err == nil {
			return c.decode(raw, out, req.spec)
		}
		reached = reached || !NeverSent(err)
		if req.auth && !refreshed && IsAuth(err) {
			refreshed = true // a refused token: fetch a new one, once
			continue
		}
		if !req.idempotent || !Retryable(err) || attempt >= c.retries || RetryAfter(err) > maxInlineWait {
			return reachedBefore(err, reached)
		}
		if werr := c.sleep(ctx, c.pause(attempt, err)); werr != nil {
			return reachedBefore(err, reached)
		}
	}
}

// reachedBefore marks a network failure as one that may have reached
// DingTalk when an earlier attempt of the same call did.
func reachedBefore(err error, reached bool) error {
	var e *Error
	if reached && errors.As(err, &e) && e.Code == CodeNetwork && !e.mayHaveArrived {
		c := *e
		c.mayHaveArrived = true
		return &c
	}
	return err
}

// pause is the backoff before try attempt+2: exponential with jitter, at
// least a second when DingTalk said to slow down, and at least what it
// asked for (RetryAfter).
func (c *Client) pause(attempt int, err error) time.Duration {
	d := c.backoff << attempt
	if d > 8*time.Second {
		d = 8 * time.Second
	}
	d = d/2 + rand.N(d/2+1)
	if IsThrottle(err) && d < time.Second {
		d = time.Second
	}
	return max(d, RetryAfter(err))
}

// Sleep waits for d or until ctx is done, whichever comes first, and
// returns ctx's error in the second case. It is the default pause of the
// API client's retries and of the Stream client's reconnects.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// attempt makes one HTTP request and returns the 2xx body, or the error.
func (c *Client) attempt(ctx context.Context, req request) ([]byte, error) {
	var token string
	if req.auth {
		t, err := c.tokens.get(ctx)
		if err != nil {
			return nil, err
		}
		token = t
	}
	// The limiter comes last, right before the request: waited on before a
	// slow token fetch, calls would pile up behind it and leave together.
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, networkError(err, false)
	}
	hreq, err := c.newRequest(ctx, req, token)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(hreq.Context(), c.timeout)
	defer cancel()
	var wrote atomic.Bool
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
	})
	if req.metered {
		c.metered.Add(1)
	}
	resp, err := c.http.Do(hreq.WithContext(rctx))
	if err != nil {
		return nil, networkError(err, wrote.Load())
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		return nil, c.finish(redirectError(hreq, resp), token)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, networkError(err, true)
	}
	if len(body) > maxBodyBytes {
		return nil, &Error{HTTPStatus: resp.StatusCode, Code: CodeNotJSON, Message: "answer larger than 1 MiB",
			Hint: "DingTalk's answer was too large to read"}
	}
	if e := classify(resp.StatusCode, resp.Header, body, req.spec); e != nil {
		if req.auth && IsAuth(e) {
			c.tokens.invalidate(token)
		}
		return nil, c.finish(e, token)
	}
	return body, nil
}

// finish completes an error with what only the client knows (the endpoint
// in use, for refused credentials) and hides every trace of the secrets
// and of token in its text.
func (c *Client) finish(e *Error, token string) *Error {
	if e.Code == CodeInvalidClient {
		what := "the app key or secret: check DINGTALK_APP_KEY and DINGTALK_APP_SECRET"
		if c.creds.IsSuite() {
			what = "the suite credentials: check the suite key, secret, corp id and ticket"
		}
		e.Hint = fmt.Sprintf("DingTalk at %s refused %s, %s", c.base.Host, what, otherRegion(c.base.Host))
	}
	scrub(e, c.secrets(token))
	return e
}

// secrets are the strings no error may show any part of.
func (c *Client) secrets(token string) []string {
	return []string{c.creds.AppSecret, c.creds.SuiteSecret, c.creds.SuiteTicket, token, c.tokens.current()}
}

// decode decodes a good answer into out; for an answer that holds a
// secret, a decoding error withholds the body.
func (c *Client) decode(body []byte, out any, spec answerSpec) error {
	err := decodeAnswer(body, out)
	var e *Error
	if errors.As(err, &e) {
		if spec.secret {
			e.Message = excerpt(body, spec)
		}
		scrub(e, c.secrets(""))
	}
	return err
}

func (c *Client) newRequest(ctx context.Context, req request, token string) (*http.Request, error) {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + req.path
	u.RawQuery = req.query.Encode() // url.Values encodes + / = in keys
	var body io.Reader
	if req.body != nil {
		b, err := json.Marshal(req.body)
		if err != nil {
			return nil, fmt.Errorf("encoding request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, u.String(), body)
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		hreq.Header.Set("x-acs-dingtalk-access-token", token)
	}
	return hreq, nil
}

// networkError turns a transport failure into an *Error. sent says whether
// the request may have reached DingTalk.
func networkError(err error, sent bool) error {
	msg := err.Error()
	var uerr *url.Error
	if errors.As(err, &uerr) {
		msg = uerr.Err.Error() // the URL is left out: it carries the key
	}
	hint := "could not reach DingTalk: check the network and the endpoint"
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		hint = "DingTalk did not answer in time"
	case errors.Is(err, context.Canceled):
		hint = "cancelled"
	}
	return &Error{Code: CodeNetwork, Message: msg, Hint: hint, mayHaveArrived: sent}
}

// decodeAnswer decodes a 2xx body into out; an unreadable body is an error.
func decodeAnswer(body []byte, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &Error{HTTPStatus: http.StatusOK, Code: CodeNotJSON, Message: bodyExcerpt(body),
			Hint: "DingTalk's answer could not be read (not the expected JSON)"}
	}
	return nil
}
