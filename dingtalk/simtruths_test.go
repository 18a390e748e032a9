package dingtalk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// The simulator tells the truths of DingTalk's answers, and the client
// reads them: read times in seconds and milliseconds, PROCESSING, SUCESS,
// flow-controlled and filtered recipients, the IP, the scopes, redirects.

func TestSimReadTimes(t *testing.T) {
	s, c, clk := setup(t, nil)
	sent := clk.Now().Add(-time.Hour)
	crew := []sim.Person{{UserID: "a", Name: "A", ReadAfter: 90 * time.Second}, {UserID: "b", Name: "B", ReadAfter: sim.Never}}
	plain := s.AddMessage(robot, sent, crew)
	secs := s.AddMessage(robot, sent, crew)
	millis := s.AddMessage(robot, sent, crew)
	s.SetReadTimes(secs, sim.Seconds)
	s.SetReadTimes(millis, sim.Millis)
	want := sent.Add(90 * time.Second)
	for key, at := range map[string]time.Time{plain: {}, secs: want, millis: want} {
		rs, err := c.ReadStatus(context.Background(), robot, key)
		if err != nil {
			t.Fatal(err)
		}
		if !rs.Recipients[0].ReadAt.Equal(at) || !rs.Recipients[1].ReadAt.IsZero() {
			t.Fatalf("read times %v, want %v and zero", rs.Recipients, at)
		}
	}
}

func TestSimSendStatuses(t *testing.T) {
	s, c, clk := setup(t, func(so *sim.Options, _ *dingtalk.Options) {
		so.ProcessingFor = time.Minute
		so.SuccessWord = "SUCESS"
	})
	key := s.AddMessage(robot, clk.Now().Add(-2*time.Second), people)
	rs, err := c.ReadStatus(context.Background(), robot, key)
	if err != nil || rs.SendStatus != dingtalk.SendProcessing || len(rs.Recipients) != 2 {
		t.Fatalf("%+v %v, want PROCESSING with the recipients", rs, err)
	}
	clk.Add(time.Minute)
	if rs, err = c.ReadStatus(context.Background(), robot, key); err != nil || rs.SendStatus != dingtalk.SendSuccess {
		t.Fatalf("SUCESS read as %+v %v", rs, err)
	}
	s.SetSendStatus(key, "DELIVERING", clk.Now().Add(time.Minute))
	if rs, _ = c.ReadStatus(context.Background(), robot, key); rs.SendStatus != "DELIVERING" {
		t.Fatalf("override: %q", rs.SendStatus)
	}
	clk.Add(time.Minute)
	if rs, _ = c.ReadStatus(context.Background(), robot, key); rs.SendStatus != dingtalk.SendSuccess {
		t.Fatalf("after the override: %q", rs.SendStatus)
	}
}

func TestSimUndeliverableRecipients(t *testing.T) {
	s, c, _ := setup(t, nil)
	s.AddPeople(sim.Person{UserID: "u1", Name: "A"}, sim.Person{UserID: "u2", Name: "B"}, sim.Person{UserID: "u3", Name: "C"})
	s.SetUndeliverable(sim.FlowControlled, "u2")
	s.SetUndeliverable(sim.Filtered, "u3")
	res, err := c.BatchSend(context.Background(), robot, []string{"u1", "u2", "u3", "ghost"}, dingtalk.Text("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.FlowControlled) != 1 || res.FlowControlled[0] != "u2" || len(res.Filtered) != 1 || res.Filtered[0] != "u3" ||
		len(res.Invalid) != 1 || res.Invalid[0] != "ghost" {
		t.Fatalf("%+v", res)
	}
	s.SetUndeliverable(sim.Deliver, "u2", "u3")
	if res, _ = c.BatchSend(context.Background(), robot, []string{"u2", "u3"}, dingtalk.Text("hi")); len(res.FlowControlled)+len(res.Filtered) != 0 {
		t.Fatalf("after Deliver: %+v", res)
	}
	if got := s.Calls("batchSend"); got != 2 {
		t.Fatalf("batchSend calls = %d", got)
	}
}

func TestSimIPAndScopes(t *testing.T) {
	s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = -1 })
	key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
	f := sim.IPNotAllowed("readStatus", "198.51.100.23")
	f.Times = 1
	s.Inject(f)
	_, err := c.ReadStatus(context.Background(), robot, key)
	var e *dingtalk.Error
	if !errors.As(err, &e) || e.IP != "198.51.100.23" || !strings.Contains(err.Error(), "198.51.100.23") {
		t.Fatalf("got %v", err)
	}
	f = sim.ScopesMissing("batchRecall", "qyapi_robot_sendmsg")
	f.Times = 1
	s.Inject(f)
	_, err = c.BatchRecall(context.Background(), robot, []string{key})
	if !errors.As(err, &e) || len(e.RequiredScopes) != 1 || !strings.Contains(err.Error(), "qyapi_robot_sendmsg") || !dingtalk.IsSettings(err) {
		t.Fatalf("got %v", err)
	}
}

func TestSimRedirectSendsNothingElsewhere(t *testing.T) {
	other, reached := counting(t)
	for _, endpoint := range []string{"token", "readStatus", "batchSend", "batchRecall"} {
		s, c, clk := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = 2 })
		s.AddPeople(people...)
		key := s.AddMessage(robot, clk.Now().Add(-time.Minute), people)
		s.Inject(sim.Fault{Endpoint: endpoint, Kind: sim.Redirect, Status: 307, Location: other.URL + "/v1.0/oauth2/accessToken"})
		var err error
		switch endpoint {
		case "batchSend":
			_, err = c.BatchSend(context.Background(), robot, []string{"u1"}, dingtalk.Text("hi"))
		case "batchRecall":
			_, err = c.BatchRecall(context.Background(), robot, []string{key})
		default:
			_, err = c.ReadStatus(context.Background(), robot, key)
		}
		if !dingtalk.HasCode(err, dingtalk.CodeRedirect) || !strings.Contains(err.Error(), strings.TrimPrefix(other.URL, "http://")) {
			t.Fatalf("%s: got %v", endpoint, err)
		}
		if strings.Contains(err.Error(), "demo-secret") {
			t.Fatalf("%s: the secret is in %v", endpoint, err)
		}
		if got := s.Calls(endpoint); got != 1 {
			t.Fatalf("%s: %d calls, want 1 (a redirect is not retried)", endpoint, got)
		}
	}
	if reached.Load() != 0 {
		t.Fatalf("the other host got %d requests", reached.Load())
	}
}

func TestDemoShowsTheTruths(t *testing.T) {
	s, c, clk := setup(t, func(so *sim.Options, _ *dingtalk.Options) { so.NotReadyFor = 15 * time.Second })
	notices := sim.SeedDemo(s, clk.Now())
	ctx := context.Background()
	clk.Add(20 * time.Second)
	if rs, err := c.ReadStatus(ctx, robot, notices[2].Keys[0]); err != nil || rs.SendStatus != dingtalk.SendProcessing {
		t.Fatalf("fire drill at 20 s: %+v %v, want PROCESSING", rs, err)
	}
	clk.Add(5 * time.Minute)
	if rs, err := c.ReadStatus(ctx, robot, notices[2].Keys[0]); err != nil || rs.SendStatus != dingtalk.SendSuccess {
		t.Fatalf("fire drill later: %+v %v", rs, err)
	}
	for i, key := range notices[0].Keys[:2] {
		rs, err := c.ReadStatus(ctx, robot, key)
		if err != nil {
			t.Fatal(err)
		}
		timed := 0
		for _, r := range rs.Recipients {
			if r.Read && !r.ReadAt.IsZero() {
				timed++
				if r.ReadAt.Before(notices[0].SentAt) || r.ReadAt.After(clk.Now()) {
					t.Fatalf("weekly key %d: read at %v, outside sending..now", i, r.ReadAt)
				}
			}
		}
		if timed == 0 {
			t.Fatalf("weekly key %d gives no read times", i)
		}
	}
	if rs, err := c.ReadStatus(ctx, robot, notices[1].Keys[0]); err != nil || rs.SendStatus != dingtalk.SendSuccess {
		t.Fatalf("SUCESS key: %+v %v", rs, err)
	}
	res, err := c.BatchSend(ctx, robot, []string{"user001", "user044", "user045"}, dingtalk.Text("hi"))
	if err != nil || len(res.FlowControlled) != 1 || len(res.Filtered) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
}
