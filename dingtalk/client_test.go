package dingtalk_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

const robot = "dingdemo"

var people = []sim.Person{
	{UserID: "u1", Name: "张伟", ReadAfter: 0},
	{UserID: "u2", Name: "Alice Smith", ReadAfter: sim.Never},
}

// setup starts a simulator whose clock is 'now' and a client for it.
func setup(t *testing.T, tweak func(*sim.Options, *dingtalk.Options)) (*sim.Server, *dingtalk.Client, *sim.Clock) {
	t.Helper()
	clk := sim.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	so := sim.Options{Now: clk.Now, NotReadyFor: time.Second}
	co := dingtalk.Options{Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"},
		BaseBackoff: time.Millisecond, Rate: 1000, Timeout: 10 * time.Second, Now: clk.Now}
	if tweak != nil {
		tweak(&so, &co)
	}
	s, err := sim.Start(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	co.Endpoint = s.URL()
	c, err := dingtalk.New(co)
	if err != nil {
		t.Fatal(err)
	}
	return s, c, clk
}

func TestReadStatusEncodesKeys(t *testing.T) {
	s, c, clk := setup(t, nil)
	keys := []string{"Kna29Ra5+dJznx1g/avbumkQKwDzgfxZLapw55G7x0Q=", "a+b/c==", "plain"}
	for _, k := range keys {
		s.PutMessage(k, robot, clk.Now().Add(-time.Minute), people)
	}
	for _, k := range keys {
		rs, err := c.ReadStatus(context.Background(), robot, k)
		if err != nil {
			t.Fatalf("key %q: %v", k, err)
		}
		if rs.SendStatus != dingtalk.SendSuccess || len(rs.Recipients) != 2 || !rs.Recipients[0].Read || rs.Recipients[1].Read {
			t.Fatalf("key %q: got %+v", k, rs)
		}
		if rs.Recipients[0].Name != "张伟" {
			t.Fatalf("name %q", rs.Recipients[0].Name)
		}
	}
	// A key that differs only in an encoded character is a different key.
	if _, err := c.ReadStatus(context.Background(), robot, "a b/c=="); !dingtalk.HasCode(err, "invalid.processQueryKey") {
		t.Fatalf("want invalid.processQueryKey, got %v", err)
	}
}

func TestSuiteToken(t *testing.T) {
	suite := sim.Suite{Key: "sk", Secret: "ss", CorpID: "corp", Ticket: "tk"}
	s, c, clk := setup(t, func(so *sim.Options, co *dingtalk.Options) {
		so.Suite = suite
		co.Credentials = dingtalk.Credentials{SuiteKey: "sk", SuiteSecret: "ss", AuthCorpID: "corp", SuiteTicket: "tk"}
	})
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	if _, err := c.ReadStatus(context.Background(), robot, key); err != nil {
		t.Fatal(err)
	}
	if got := s.Calls("token"); got != 1 {
		t.Fatalf("token calls = %d", got)
	}
}

func TestWrongSecretIsFatalAndNotPrinted(t *testing.T) {
	s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) {
		co.Credentials.AppSecret = "hunter2-wrong"
	})
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	_, err := c.ReadStatus(context.Background(), robot, key)
	if !dingtalk.HasCode(err, dingtalk.CodeInvalidClient) || !dingtalk.IsFatal(err) {
		t.Fatalf("want fatal invalidClientIdOrSecret, got %v", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("secret in error: %v", err)
	}
}

func TestOneTokenForManyQueries(t *testing.T) {
	s, c, clk := setup(t, nil)
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.ReadStatus(context.Background(), robot, key); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := s.Calls("token"); got != 1 {
		t.Fatalf("token calls = %d, want 1", got)
	}
	if got := c.MeteredCalls(); got != 40 {
		t.Fatalf("metered = %d, want 40", got)
	}
	// Close to expiry the token is replaced before DingTalk refuses it.
	clk.Add(7200*time.Second - 4*time.Minute)
	s.PutMessage("later", robot, clk.Now().Add(-time.Minute), people)
	if _, err := c.ReadStatus(context.Background(), robot, "later"); err != nil {
		t.Fatal(err)
	}
	if got := s.Calls("token"); got != 2 {
		t.Fatalf("token calls after near-expiry = %d, want 2", got)
	}
}

func TestTokenRefreshOnInvalidAuthentication(t *testing.T) {
	s, c, clk := setup(t, nil)
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	if _, err := c.ReadStatus(context.Background(), robot, key); err != nil {
		t.Fatal(err)
	}
	s.RevokeTokens()
	if _, err := c.ReadStatus(context.Background(), robot, key); err != nil {
		t.Fatalf("after revoke: %v", err)
	}
	if got := s.Calls("token"); got != 2 {
		t.Fatalf("token calls = %d, want 2", got)
	}
	if got := s.Calls("readStatus"); got != 3 {
		t.Fatalf("readStatus calls = %d, want 3 (ok, refused, ok)", got)
	}
	// A token refused every time is retried once only.
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 401, Code: "InvalidAuthentication"})
	before := s.Calls("readStatus")
	if _, err := c.ReadStatus(context.Background(), robot, key); !dingtalk.IsAuth(err) {
		t.Fatalf("want auth error, got %v", err)
	}
	if got := s.Calls("readStatus") - before; got != 2 {
		t.Fatalf("calls with a refused token = %d, want 2", got)
	}
}

func TestRetriesTransientErrors(t *testing.T) {
	cases := []struct {
		status int
		code   string
	}{
		{500, "system.error"},
		{500, "unknownError"},
		{429, "system.busy"},
		{429, "systemBusy"},
		{403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"},
		{503, ""}, // a gateway's empty answer
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			s, c, clk := setup(t, nil)
			key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
			s.Inject(sim.Fault{Endpoint: "readStatus", Status: tc.status, Code: tc.code, Body: map[bool]string{true: " "}[tc.code == ""], Times: 2})
			if _, err := c.ReadStatus(context.Background(), robot, key); err != nil {
				t.Fatalf("want success after retries, got %v", err)
			}
			if got := s.Calls("readStatus"); got != 3 {
				t.Fatalf("readStatus calls = %d, want 3", got)
			}
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	s, c, clk := setup(t, nil)
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 500, Code: "system.error"})
	_, err := c.ReadStatus(context.Background(), robot, key)
	if !dingtalk.HasCode(err, "system.error") {
		t.Fatalf("got %v", err)
	}
	if got := s.Calls("readStatus"); got != 1+dingtalk.DefaultRetries {
		t.Fatalf("calls = %d, want %d", got, 1+dingtalk.DefaultRetries)
	}
}

func TestNoRetryForPermanentErrors(t *testing.T) {
	s, c, clk := setup(t, nil)
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 403, Code: "Forbidden.AccessDenied.ApiCountLimitForOrg"})
	_, err := c.ReadStatus(context.Background(), robot, key)
	if !dingtalk.IsFatal(err) || s.Calls("readStatus") != 1 {
		t.Fatalf("err %v after %d calls", err, s.Calls("readStatus"))
	}
}

func TestBatchSendIsNeverRetried(t *testing.T) {
	s, c, _ := setup(t, nil)
	s.AddPeople(people...)
	users := []string{"u1", "u2"}

	s.Inject(sim.Fault{Endpoint: "batchSend", Status: 500, Code: "system.error", Times: 1})
	if _, err := c.BatchSend(context.Background(), robot, users, dingtalk.Text("hi")); !dingtalk.HasCode(err, "system.error") {
		t.Fatalf("got %v", err)
	}
	if got := s.Calls("batchSend"); got != 1 {
		t.Fatalf("batchSend calls = %d, want 1", got)
	}

	s.Inject(sim.Fault{Endpoint: "batchSend", Kind: sim.AfterHandling, Times: 1})
	_, err := c.BatchSend(context.Background(), robot, users, dingtalk.Text("hi"))
	if !errors.Is(err, dingtalk.ErrOutcomeUnknown) {
		t.Fatalf("want outcome unknown, got %v", err)
	}
	if got := s.Calls("batchSend"); got != 2 {
		t.Fatalf("batchSend calls = %d, want 2", got)
	}
	if got := len(s.Sends()); got != 1 {
		t.Fatalf("the simulator sent %d messages, want 1 (only the unknown one)", got)
	}

	res, err := c.BatchSend(context.Background(), robot, []string{"u1", "ghost"}, dingtalk.Text("hi"))
	if err != nil || res.ProcessQueryKey == "" || len(res.Invalid) != 1 || res.Invalid[0] != "ghost" {
		t.Fatalf("res %+v err %v", res, err)
	}
	last := s.Sends()[len(s.Sends())-1]
	if last.MsgParam != `{"content":"hi"}` || last.MsgKey != "sampleText" {
		t.Fatalf("msgParam %q msgKey %q", last.MsgParam, last.MsgKey)
	}
}

func TestBatchRecall(t *testing.T) {
	s, c, clk := setup(t, nil)
	fresh := s.AddMessage(robot, clk.Now().Add(-time.Hour), people)
	old := s.AddMessage(robot, clk.Now().Add(-25*time.Hour), people)
	res, err := c.BatchRecall(context.Background(), robot, []string{fresh, old})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Succeeded) != 1 || res.Succeeded[0] != fresh || res.Failed[old] == "" {
		t.Fatalf("%+v", res)
	}
	rs, err := c.ReadStatus(context.Background(), robot, fresh)
	if err != nil || rs.SendStatus != dingtalk.SendRecalled {
		t.Fatalf("%+v %v", rs, err)
	}
}

// seedCodes are the readStatus error codes of DingTalk's documentation.
var seedCodes = []struct {
	status int
	code   string
}{
	{400, "invalidParameter.robotCode.empty"},
	{400, "invalidParameter.robotCode.missing"},
	{400, "invalidParameter.robotCode.notExsit"},
	{400, "invalidParameter.robotCode.invalid"},
	{400, "invalidParameter.param.invalid"},
	{400, "invalidParameter.processQueryKey.missing"},
	{400, "invalid.processQueryKey"},
	{400, "unknown.send.result"},
	{400, "template.not.existed"},
	{400, "template.stopped"},
	{400, "processQueryKey.expireTime"},
	{500, "system.error"},
	{400, "invalidClientIdOrSecret"},
	{403, "Forbidden.AccessDenied.AccessTokenPermissionDenied"},
	{403, "Forbidden.AccessDenied.QpsLimitForApi"},
	{403, "Forbidden.AccessDenied.ApiCountLimitForOrg"},
	{403, "Forbidden.AccessDenied.IpNotInWhiteList"},
	{429, "system.busy"},
}

func TestEverySeedCodeHasAHint(t *testing.T) {
	s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = -1 })
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	generic := dingtalk.Hint(400, "some.unknown.code")
	seen := map[string]string{}
	for _, tc := range seedCodes {
		s.Inject(sim.Fault{Endpoint: "readStatus", Status: tc.status, Code: tc.code, Times: 1})
		_, err := c.ReadStatus(context.Background(), robot, key)
		var e *dingtalk.Error
		if !errors.As(err, &e) || e.Code != tc.code || e.HTTPStatus != tc.status {
			t.Fatalf("%s: got %v", tc.code, err)
		}
		if e.Hint == "" || e.Hint == generic || e.RequestID == "" {
			t.Errorf("%s: hint %q request %q", tc.code, e.Hint, e.RequestID)
		}
		seen[tc.code] = e.Hint
	}
	if seen["invalidParameter.robotCode.empty"] == seen["template.stopped"] {
		t.Error("different codes share a hint")
	}
}

func TestNonJSONBodies(t *testing.T) {
	s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = -1 })
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)

	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 403, Body: sim.BanPage, Times: 1})
	_, err := c.ReadStatus(context.Background(), robot, key)
	if !dingtalk.HasCode(err, dingtalk.CodeBanned) || !dingtalk.IsThrottle(err) || !strings.Contains(err.Error(), "web page") {
		t.Fatalf("HTML: %v", err)
	}
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 502, Body: "<html><body>Bad gateway</body></html>", Times: 1})
	if _, err := c.ReadStatus(context.Background(), robot, key); !dingtalk.HasCode(err, dingtalk.CodeNotJSON) || !strings.Contains(err.Error(), "web page") {
		t.Fatalf("gateway HTML: %v", err)
	}
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 403, Body: `{"status":1}`, Times: 1})
	if _, err := c.ReadStatus(context.Background(), robot, key); !dingtalk.HasCode(err, dingtalk.CodeNotJSON) {
		t.Fatalf("odd JSON: %v", err)
	}
	s.Inject(sim.Fault{Endpoint: "readStatus", Kind: sim.Truncate, Times: 1})
	if _, err := c.ReadStatus(context.Background(), robot, key); err == nil {
		t.Fatal("truncated body: no error")
	}
	s.Inject(sim.Fault{Endpoint: "readStatus", Kind: sim.Reset, Times: 1})
	if _, err := c.ReadStatus(context.Background(), robot, key); !dingtalk.HasCode(err, dingtalk.CodeNetwork) {
		t.Fatalf("reset: %v", err)
	}
}

func TestTruncatedBodyIsRetried(t *testing.T) {
	s, c, clk := setup(t, nil)
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	s.Inject(sim.Fault{Endpoint: "readStatus", Kind: sim.Truncate, Times: 1})
	if _, err := c.ReadStatus(context.Background(), robot, key); err != nil {
		t.Fatalf("want success on the retry, got %v", err)
	}
}

func TestTimeout(t *testing.T) {
	s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) {
		co.Timeout = 100 * time.Millisecond
		co.Retries = 1
	})
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	s.Inject(sim.Fault{Endpoint: "readStatus", Kind: sim.Hang, Delay: 5 * time.Second})
	start := time.Now()
	_, err := c.ReadStatus(context.Background(), robot, key)
	if !dingtalk.HasCode(err, dingtalk.CodeNetwork) || !strings.Contains(err.Error(), "in time") {
		t.Fatalf("got %v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("took %v despite a 100ms timeout", el)
	}
	if strings.Contains(err.Error(), key) {
		t.Fatalf("error shows the URL: %v", err)
	}
}

func TestContextCancel(t *testing.T) {
	s, c, clk := setup(t, nil)
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	s.Inject(sim.Fault{Endpoint: "readStatus", Kind: sim.Hang, Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.ReadStatus(ctx, robot, key); err == nil {
		t.Fatal("no error")
	}
}

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	cr := dingtalk.Credentials{AppKey: "k", AppSecret: "s3cr3t", SuiteSecret: "t0p", SuiteTicket: "tick3t"}
	for _, out := range []string{cr.String(), cr.GoString(), cr.LogValue().String()} {
		for _, secret := range []string{"s3cr3t", "t0p", "tick3t"} {
			if strings.Contains(out, secret) {
				t.Fatalf("%q shows a secret", out)
			}
		}
	}
}
