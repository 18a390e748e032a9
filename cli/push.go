package cli

import (
	"context"
	"log/slog"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/dingtalk/stream"
	"github.com/dingwatch/dingwatch/watch"
)

// pushWanted reports whether to receive pushed reads: the push setting
// (--push, DINGWATCH_PUSH, push = true in the config file).
func (a *app) pushWanted(s config.Settings) bool { return s.Push }

// startPush keeps a Stream connection open for e with the app credentials
// of s, feeding pushed reads and the stream's health to the engine, until
// ctx ends or stop is called; stop waits for the connection to close.
func (a *app) startPush(ctx context.Context, e *watch.Engine, s config.Settings, log *slog.Logger) (stop func(), err error) {
	creds := s.Credentials()
	id, secret := creds.AppKey, creds.AppSecret
	if creds.IsSuite() {
		id, secret = creds.SuiteKey, creds.SuiteSecret
	}
	c, err := stream.New(stream.Config{
		Endpoint: s.Endpoint, ClientID: id, ClientSecret: secret, UserAgent: userAgent(),
		Logger:   log,
		OnEvent:  func(ev stream.Event) { e.Push(watch.PushEventOf(ev)) },
		OnStatus: func(st stream.Status) { e.SetPush(watch.PushStatusOf(st)) },
	})
	if err != nil {
		return nil, &exitError{exitUsage, err}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx) //nolint:errcheck // ends with ctx
	}()
	return func() { cancel(); <-done }, nil
}
