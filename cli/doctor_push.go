package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/stream"
	"github.com/dingwatch/dingwatch/watch"
)

// consoleSetting is where, in DingTalk's developer console, an app is made
// to push the read events dingwatch listens for.
const consoleSetting = "in the developer console, open the app, then Events & callbacks (事件与回调): " +
	"choose Stream mode push (Stream 模式推送) and subscribe IM, robot, \"robot message read\" (robot_msg_read); " +
	"then run dingwatch doctor --wait again"

// doctorTestNotice is the text of the notice --send-test sends.
const doctorTestNotice = "dingwatch doctor: a test notice. Open it: dingwatch is checking that DingTalk tells it when a notice is read."

// doctorPush checks push: that a Stream connection opens at endpoint (the
// one that accepted the credentials), when push is on or --wait is given,
// and with --wait that a robot_msg_read event arrives in time, after a
// test notice with --send-test. With push off and no --wait it opens no
// connection: a connection takes a share of the app's events while open.
func (a *app) doctorPush(ctx context.Context, r *doctorReport, s config.Settings, endpoint string, o doctorOptions, book *watch.CallBook) {
	if o.wait == 0 && !s.Push {
		r.add(skipped, "stream", "not checked: push is off; `dingwatch doctor --wait 2m` opens a Stream connection and waits for a pushed read "+
			"(with --send-test YOUR_USERID it sends you a notice to open)", "")
		return
	}
	if endpoint == "" {
		skipRest(r, "stream", "events")
		return
	}
	creds := s.Credentials()
	id, secret := creds.AppKey, creds.AppSecret
	if creds.IsSuite() {
		id, secret = creds.SuiteKey, creds.SuiteSecret
	}
	type arrival struct {
		key string
		at  time.Time
	}
	events := make(chan arrival, 64)
	c, err := stream.New(stream.Config{Endpoint: endpoint, ClientID: id, ClientSecret: secret,
		OpenTimeout: s.Timeout, UserAgent: userAgent(),
		OnEvent: func(ev stream.Event) {
			if ev.Type != stream.TypeRead {
				return
			}
			select {
			case events <- arrival{ev.ProcessQueryKey, time.Now()}:
			default:
			}
		}})
	if err != nil {
		r.add(misset, "stream", err.Error(), "check the app key and secret")
		r.add(skipped, "events", "not checked: needs a Stream connection", "")
		return
	}
	if err := c.Probe(ctx); err != nil {
		v, fix := classify(err)
		if v != misset {
			fix = "check that this host may open WebSocket connections (wss://) to DingTalk, then run dingwatch doctor --wait again"
		}
		r.add(v, "stream", "a Stream connection did not open: "+errText(err), fix)
		r.add(skipped, "events", "not checked: needs a Stream connection", "")
		return
	}
	r.add(passed, "stream", fmt.Sprintf("a Stream connection opens at %s", endpoint), "")
	if o.wait == 0 {
		r.add(skipped, "events", "not checked: `dingwatch doctor --wait 2m --send-test YOUR_USERID` checks that DingTalk pushes read events", "")
		return
	}

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { c.Run(runCtx); close(done) }() //nolint:errcheck // ends with runCtx
	defer func() { stop(); <-done }()

	key, sent := "", time.Now()
	if o.sendTest != "" {
		if err := book.Take(sent); err != nil {
			if !notCounted(r, "events", "the test notice to "+o.sendTest, err) {
				r.add(failed, "events", "the test notice to "+o.sendTest+" was not sent: "+err.Error(), "")
			}
			return
		}
		dc, err := dingtalk.New(dingtalk.Options{Endpoint: endpoint, Credentials: creds, Timeout: s.Timeout, Retries: -1, Rate: s.QPS, UserAgent: userAgent()})
		reached := false
		if err == nil {
			var res dingtalk.SendResult
			res, err = dc.BatchSend(ctx, s.RobotCode, []string{o.sendTest}, dingtalk.Text(doctorTestNotice))
			reached = dc.MeteredCalls() > 0 && !dingtalk.NeverSent(err)
			key = res.ProcessQueryKey
			if err == nil && len(res.Invalid)+len(res.FlowControlled)+len(res.Filtered) > 0 {
				err = fmt.Errorf("DingTalk did not deliver it to %s (invalid, flow-controlled or filtered)", o.sendTest)
			}
		}
		if !reached {
			book.Undo(sent) // never reached DingTalk: nothing spent
		}
		if err != nil {
			v, fix := classify(err)
			r.add(v, "events", fmt.Sprintf("the test notice to %s was not sent: %s", o.sendTest, errText(err)), fix)
			return
		}
		sent = time.Now()
		fmt.Fprintf(a.io.err, "dingwatch doctor: sent %s a test notice (1 metered call); open it in DingTalk now. Waiting up to %s for its read event…\n",
			o.sendTest, o.wait)
	} else {
		fmt.Fprintf(a.io.err, "dingwatch doctor: waiting up to %s for a robot_msg_read event: open any notice of this robot in DingTalk…\n", o.wait)
	}
	timer := time.NewTimer(o.wait)
	defer timer.Stop()
	for {
		select {
		case ev := <-events:
			if key != "" && ev.key != key {
				continue // a read of another notice: push works, but keep waiting for ours
			}
			what := "a robot_msg_read event arrived"
			if key != "" {
				what = "the test notice's robot_msg_read event arrived"
			}
			r.add(passed, "events", fmt.Sprintf("%s %s after %s", what, roundDur(ev.at.Sub(sent)), waitedFor(key)), "")
			return
		case <-timer.C:
			if key != "" {
				r.add(misset, "events", fmt.Sprintf("no robot_msg_read event for the test notice within %s", o.wait), consoleSetting)
			} else {
				r.add(failed, "events", fmt.Sprintf("no robot_msg_read event within %s (or nobody read a notice of this robot then)", o.wait), consoleSetting)
			}
			return
		case <-ctx.Done():
			r.add(failed, "events", "stopped before a read event arrived", "")
			return
		}
	}
}

func waitedFor(key string) string {
	if key != "" {
		return "it was sent"
	}
	return "doctor began waiting"
}

// roundDur is d to the second, at least 1 s.
func roundDur(d time.Duration) time.Duration {
	return max(d.Round(time.Second), time.Second)
}
