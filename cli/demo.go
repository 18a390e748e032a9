package cli

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// runDemo runs the dashboard against a simulated DingTalk in this process:
// no credentials, no network, nothing saved (a log only with --debug).
func (a *app) runDemo(ctx context.Context, out *os.File) error {
	s, err := a.settings()
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if s.Debug {
		l, closeLog, err := a.openLog(config.DirsFrom(a.getenv).State, slog.LevelWarn)
		if err != nil {
			return err
		}
		defer closeLog()
		log = l
	}
	e, stop, err := a.demoEngine(ctx, log)
	if err != nil {
		return err
	}
	defer stop()
	return a.runEngine(ctx, out, e, nil, "simulated", s.Bell, log)
}

// demoEngine is an engine, in memory, on a simulated DingTalk seeded with
// the demo's notices; stop ends the simulator.
func (a *app) demoEngine(ctx context.Context, log *slog.Logger) (*watch.Engine, func(), error) {
	set, err := a.settings()
	if err != nil {
		return nil, nil, err
	}
	s, err := sim.Start(sim.Options{NotReadyFor: 15 * time.Second})
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	notices := sim.SeedDemo(s, now)
	c, err := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Timeout: set.Timeout, Retries: -1, UserAgent: userAgent(),
		Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"}})
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	policy := policy(set)
	if set.SourceOf("interval") == "default" {
		policy.Interval = 3 * time.Second // the simulated notices read within minutes
	}
	if set.SourceOf("budget") == "default" {
		policy.Budget = 2000
	}
	e := watch.NewEngine(watch.Options{Client: c, Sender: c, Policy: policy, RobotCode: "dingdemo", Log: log,
		OnRead: onRead(ctx, set.OnRead, a.environ, log)})
	for _, n := range notices {
		spec := watch.AddSpec{Keys: n.Keys, SentAt: n.SentAt}
		if n.Lone {
			spec.Label = n.Label
		} else {
			spec.Notice = e.CreateNotice(n.Label, n.Text, n.SentAt)
		}
		if _, err := e.Add(spec); err != nil {
			s.Close()
			return nil, nil, err
		}
	}
	if a.flagSet("push") && !a.g.push {
		return e, func() { s.Close() }, nil
	}
	// Push by default: the simulator's gateway pushes reads as they happen.
	stopPush, err := a.startPush(ctx, e, config.Settings{Endpoint: s.URL(), AppKey: "demo", AppSecret: "demo-secret"}, log)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return e, func() { stopPush(); s.Close() }, nil
}
