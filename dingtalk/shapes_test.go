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

// The error shapes DingTalk answers inside HTTP 200.
const (
	body90018 = `{"errcode":90018,"errmsg":"接口调用超过限制"}`
	body90019 = `{"errcode":90019,"errmsg":"企业调用超过限制"}`
	body90002 = `{"errcode":"90002","errmsg":"每分钟调用超过限制"}`
	body90020 = `{"errcode":90020,"errmsg":"本月调用次数已用完"}`
	bodyBan   = `{"status":1111,"wait":5,"punish":"deny"}`
	bodyQps   = `{"code":"Forbidden.AccessDenied.QpsLimitForApi","requestid":"r1","message":"qps"}`
	bodyRobot = `{"code":"invalidParameter.robotCode.notExsit","requestid":"r2","message":"robot not exist"}`
)

// kind is what the caller must be able to tell about an error.
type kind int

const (
	throttle  kind = iota // IsThrottle, Retryable, not fatal
	quota                 // IsQuota, IsFatal, not retryable
	settings              // IsSettings, not retryable
	notAnswer             // an *Error with CodeIncomplete (send: ErrOutcomeUnknown)
)

func checkKind(t *testing.T, what string, err error, k kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	switch k {
	case throttle:
		if !dingtalk.IsThrottle(err) || !dingtalk.Retryable(err) || dingtalk.IsFatal(err) || dingtalk.IsSettings(err) {
			t.Fatalf("%s: want a throttle, got %v", what, err)
		}
	case quota:
		if !dingtalk.IsQuota(err) || !dingtalk.IsFatal(err) || dingtalk.Retryable(err) || dingtalk.IsThrottle(err) {
			t.Fatalf("%s: want the quota, got %v", what, err)
		}
	case settings:
		if !dingtalk.IsSettings(err) || dingtalk.Retryable(err) {
			t.Fatalf("%s: want a settings error, got %v", what, err)
		}
	case notAnswer:
		if !dingtalk.HasCode(err, dingtalk.CodeIncomplete) && !errors.Is(err, dingtalk.ErrOutcomeUnknown) {
			t.Fatalf("%s: want not-an-answer, got %v", what, err)
		}
	}
}

// TestTwoHundredErrorShapes answers each call with each error shape inside
// an HTTP 200 and checks it is an error of the right kind.
func TestTwoHundredErrorShapes(t *testing.T) {
	shapes := []struct {
		name string
		body string
		kind kind
	}{
		{"errcode 90018", body90018, throttle},
		{"errcode 90019", body90019, throttle},
		{"errcode 90002", body90002, throttle},
		{"errcode 90020", body90020, quota},
		{"ban", bodyBan, throttle},
		{"code QpsLimit", bodyQps, throttle},
		{"code robot", bodyRobot, settings},
		{"ban page", sim.BanPage, throttle},
	}
	missing := map[string]string{ // a 200 that lacks what the call returns
		"token":       `{"expireIn":7200}`,
		"readStatus":  `{"requestId":"x"}`,
		"batchSend":   `{"invalidStaffIdList":[],"flowControlledStaffIdList":[]}`,
		"batchRecall": `{}`,
	}
	calls := map[string]func(context.Context, *sim.Server, *dingtalk.Client, string) error{
		"token": func(ctx context.Context, _ *sim.Server, c *dingtalk.Client, key string) error {
			_, err := c.ReadStatus(ctx, robot, key)
			return err
		},
		"readStatus": func(ctx context.Context, _ *sim.Server, c *dingtalk.Client, key string) error {
			_, err := c.ReadStatus(ctx, robot, key)
			return err
		},
		"batchSend": func(ctx context.Context, _ *sim.Server, c *dingtalk.Client, _ string) error {
			_, err := c.BatchSend(ctx, robot, []string{"u1"}, dingtalk.Text("hi"))
			return err
		},
		"batchRecall": func(ctx context.Context, _ *sim.Server, c *dingtalk.Client, key string) error {
			_, err := c.BatchRecall(ctx, robot, []string{key})
			return err
		},
	}
	for endpoint, call := range calls {
		cases := append(shapes[:len(shapes):len(shapes)], struct {
			name string
			body string
			kind kind
		}{"missing fields", missing[endpoint], notAnswer})
		for _, tc := range cases {
			t.Run(endpoint+"/"+tc.name, func(t *testing.T) {
				s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = -1 })
				key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
				s.Inject(sim.Fault{Endpoint: endpoint, Status: 200, Body: tc.body, Times: 1})
				err := call(context.Background(), s, c, key)
				checkKind(t, tc.name, err, tc.kind)
				if got := s.Calls(endpoint); got != 1 {
					t.Fatalf("%s calls = %d, want 1", endpoint, got)
				}
				// The fault is spent: the next call is a good answer.
				if err := call(context.Background(), s, c, key); err != nil {
					t.Fatalf("after the fault: %v", err)
				}
			})
		}
	}
}

// TestErrorShapesAtAnyStatus: the same shapes classify the same way when
// they come with an error status.
func TestErrorShapesAtAnyStatus(t *testing.T) {
	for _, status := range []int{400, 403, 429} {
		s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = -1 })
		key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
		s.Inject(sim.Fault{Endpoint: "readStatus", Status: status, Body: bodyBan, Times: 1})
		_, err := c.ReadStatus(context.Background(), robot, key)
		checkKind(t, "ban", err, throttle)
		if got := dingtalk.RetryAfter(err); got != 5*time.Second {
			t.Fatalf("HTTP %d ban: RetryAfter %v, want 5s", status, got)
		}
	}
}

// sleeps records the pauses of a client instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func TestThrottleBodiesBackOff(t *testing.T) {
	cases := []struct {
		endpoint, body string
		least          time.Duration
	}{
		{"readStatus", bodyBan, 5 * time.Second},
		{"readStatus", body90018, time.Second},
		{"readStatus", body90002, time.Second},
		{"batchRecall", body90019, time.Second},
		{"token", bodyBan, 5 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.endpoint+tc.body, func(t *testing.T) {
			var sl sleeps
			s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = 3; co.Sleep = sl.sleep })
			key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
			s.Inject(sim.Fault{Endpoint: tc.endpoint, Status: 200, Body: tc.body, Times: 2})
			var err error
			if tc.endpoint == "batchRecall" {
				_, err = c.BatchRecall(context.Background(), robot, []string{key})
			} else {
				_, err = c.ReadStatus(context.Background(), robot, key)
			}
			if err != nil {
				t.Fatalf("want success after two throttled tries, got %v", err)
			}
			if got := s.Calls(tc.endpoint); got != 3 {
				t.Fatalf("calls = %d, want 3", got)
			}
			pauses := sl.all()
			if len(pauses) != 2 {
				t.Fatalf("pauses %v, want 2", pauses)
			}
			for _, p := range pauses {
				if p < tc.least {
					t.Fatalf("paused %v, want at least %v", p, tc.least)
				}
			}
		})
	}
}

func TestLongBanIsLeftToTheCaller(t *testing.T) {
	for body, wait := range map[string]time.Duration{
		`{"status":1111,"wait":300,"punish":"deny"}`: 300 * time.Second,
		sim.BanPage: 5 * time.Minute, // DingTalk's IP ban: 5 minutes, documented
	} {
		var sl sleeps
		s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = 3; co.Sleep = sl.sleep })
		key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
		s.Inject(sim.Fault{Endpoint: "readStatus", Status: 200, Body: body})
		_, err := c.ReadStatus(context.Background(), robot, key)
		if !dingtalk.IsThrottle(err) || dingtalk.RetryAfter(err) != wait {
			t.Fatalf("got %v (wait %v)", err, dingtalk.RetryAfter(err))
		}
		if s.Calls("readStatus") != 1 || len(sl.all()) != 0 {
			t.Fatalf("a 5-minute ban was sat out in the call: %d calls, pauses %v", s.Calls("readStatus"), sl.all())
		}
		if strings.HasPrefix(body, "{") && !strings.Contains(err.Error(), "5m0s") {
			t.Fatalf("the wait is not in the text: %v", err)
		}
	}
}

func TestLegacyTokenErrcodeRefreshesTheToken(t *testing.T) {
	s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = -1 })
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 200, Body: `{"errcode":40014,"errmsg":"不合法的access_token"}`, Times: 1})
	if _, err := c.ReadStatus(context.Background(), robot, key); err != nil {
		t.Fatalf("want success after a new token, got %v", err)
	}
	if s.Calls("token") != 2 || s.Calls("readStatus") != 2 {
		t.Fatalf("token %d readStatus %d, want 2 and 2", s.Calls("token"), s.Calls("readStatus"))
	}
}
