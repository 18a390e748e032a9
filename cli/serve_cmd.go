package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/serve"
	"github.com/dingwatch/dingwatch/watch"
)

// serveFlags are the flags of dingwatch serve.
type serveFlags struct {
	listen, authorized, viewers, hostKey string
	idle, maxSession, loginGrace         time.Duration
	demo                                 bool
}

func (a *app) serveCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve --authorized-keys FILE [--listen ADDR] [--viewers FILE] [--host-key PATH]",
		Short: "Serve the dashboard over SSH to a team",
		Long: `Run dingwatch as an SSH server: each person runs ssh -p 2222 HOST and gets the
dashboard in their own terminal, while this process polls DingTalk once for
everyone, with the same state as a local dingwatch.

Public-key authentication only: keys in --authorized-keys may do everything,
keys in --viewers may watch but not add, remove, send, remind or recall.

Both files are checked as sshd does: a file (or its directory) that group or
others can write is refused. They are read again when they change, and the
sessions of keys they no longer grant are ended; a file that disappears grants
nothing. Of the authorized_keys options, from="PATTERN,..." is honoured (client
addresses with * and ? wildcards, CIDR blocks, !negations; host names are not
resolved) and so is no-pty (commands only); a line with any other option
(command=, restrict, permitopen=, ...) grants nothing and is reported.

Without a terminal, or with a command, a session runs
  status [--json|--csv [--bom]] [--notice LABEL] [KEY...]
answered from what the server watches (viewers too); any other command is
refused with exit status 2.

Limits: terminals larger than 500x200 are drawn at 500x200; a connection must
log in within --login-grace; at most 64 connections may be logging in at once,
8 from one address; a session ends after --idle-timeout without a key press or
resize from the client (the dashboard's own redraws do not count) and after
--max-timeout in all, and tells the client why. Sessions are logged (user, key
fingerprint, command, duration; client-chosen values cleaned and cut short) to
the log file, and refused connections are summed up once a minute per address.`,
		Example: "  dingwatch serve --listen :2222 --authorized-keys ~/.ssh/authorized_keys --viewers viewers.pub",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runServe(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", ":2222", "address to listen on")
	fl.StringVar(&f.authorized, "authorized-keys", "", "authorized_keys file of users who may do everything (required)")
	fl.StringVar(&f.viewers, "viewers", "", "authorized_keys file of users who may only watch")
	fl.StringVar(&f.hostKey, "host-key", "", "host key (created, 0600, when missing; default under $XDG_STATE_HOME/dingwatch)")
	fl.DurationVar(&f.idle, "idle-timeout", time.Hour, "close a session idle this long")
	fl.DurationVar(&f.maxSession, "max-timeout", 12*time.Hour, "close any session after this long")
	fl.DurationVar(&f.loginGrace, "login-grace", serve.DefaultLoginGrace, "close a connection that has not logged in after this long")
	fl.BoolVar(&f.demo, "demo", false, "serve the demo's simulated DingTalk: no credentials, nothing saved but the log and host key")
	return cmd
}

// serveMemoryLimit is the soft memory limit serve sets unless GOMEMLIMIT
// is given: a server on a shared jump host keeps a predictable footprint.
// With 30 sessions on a 20,000-person notice its live heap is about 30 MB;
// the limit makes the runtime return what garbage collections free
// instead of keeping it (BENCHMARKS.md, "serve"). The Go runtime never
// spends more than half the CPU to hold it, so a larger team still works.
const serveMemoryLimit = 128 << 20

// limitMemory sets serveMemoryLimit unless GOMEMLIMIT (which the runtime
// has read already) says otherwise.
func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
}

func (a *app) runServe(ctx context.Context, f serveFlags) (err error) {
	if f.authorized == "" {
		return usageErr("--authorized-keys FILE is required: serve admits public keys only")
	}
	if _, _, err := net.SplitHostPort(f.listen); err != nil {
		return usageErr("--listen %q: %v (e.g. :2222 or 127.0.0.1:2222)", f.listen, err)
	}
	limitMemory(a.getenv)
	dirs := config.DirsFrom(a.getenv)
	log, closeLog, err := a.openLog(dirs.State, slog.LevelInfo) // a line per session
	if err != nil {
		return err
	}
	defer closeLog()
	users, err := serve.OpenKeyFile(f.authorized, log)
	if err != nil {
		return usageErr("--authorized-keys: %v", err)
	}
	var viewers *serve.KeyFile
	if f.viewers != "" {
		if viewers, err = serve.OpenKeyFile(f.viewers, log); err != nil {
			return usageErr("--viewers: %v", err)
		}
	}
	e, region, stop, err := a.serveEngine(ctx, f, log)
	if err != nil {
		return err
	}
	// Whatever ends the server (a signal, an error), what the sessions
	// changed is saved before the process exits.
	defer func() {
		stopErr := stop()
		if stopErr != nil {
			log.Error("stopping", "err", stopErr)
		}
		err = a.stopped(err, stopErr)
	}()
	if f.hostKey == "" {
		f.hostKey = filepath.Join(dirs.State, "ssh_host_ed25519")
	}
	set, err := a.settings() // loaded already by serveEngine: the bell setting
	if err != nil {
		return err
	}
	srv, err := serve.New(serve.Options{Engine: e, Addr: f.listen, HostKeyPath: f.hostKey, UsersFile: users, ViewersFile: viewers,
		IdleTimeout: f.idle, MaxTimeout: f.maxSession, LoginGrace: f.loginGrace, Region: region, Log: log, Bell: set.Bell})
	if err != nil {
		return err
	}
	ln, err := srv.Listen()
	if err != nil {
		return fmt.Errorf("--listen %s: %w", f.listen, err)
	}
	for _, kf := range []*serve.KeyFile{users, viewers} {
		for _, r := range kf.Refused() {
			fmt.Fprintf(a.io.err, "dingwatch: %s line %d refused: %s\n", kf.Path(), r.Line, r.Reason)
		}
	}
	e.Start(ctx) // stop ends it
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	fmt.Fprintf(a.io.err, "dingwatch: serving on %s; connect with: %s\n", addr, sshCommand(addr, os.Hostname))
	fmt.Fprintf(a.io.err, "dingwatch: host key %s; ctrl+c stops\n", srv.HostKeyFingerprint())
	log.Info("serving", "listen", addr, "host_key", srv.HostKeyFingerprint(), "users", len(users.Keys()), "viewers", len(viewers.Keys()))
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	log.Info("shutting down")
	return srv.Shutdown(sctx)
}

// sshCommand is the ssh command that reaches a server listening on addr:
// the listening address itself, or this host's name when it listens on
// every address.
func sshCommand(addr string, hostname func() (string, error)) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "ssh " + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if h, err := hostname(); err == nil && h != "" {
			host = h
		} else {
			host = "HOST"
		}
	}
	if port == "22" {
		return "ssh " + host
	}
	return "ssh -p " + port + " " + host
}

// serveEngine is the engine the server shares: the demo's, or one on the
// configured DingTalk that owns the state. stop ends push, ends the
// engine once the sessions have ended (watch.Engine.Stop: every change
// they made is saved) and lets go of the state; its error is a save that
// failed.
func (a *app) serveEngine(ctx context.Context, f serveFlags, log *slog.Logger) (*watch.Engine, string, func() error, error) {
	if f.demo {
		e, stopDemo, err := a.demoEngine(ctx, log)
		if err != nil {
			return nil, "", nil, err
		}
		return e, "simulated", func() error { err := e.Stop(); stopDemo(); return err }, nil
	}
	s, c, err := a.connect(-1)
	if err != nil {
		return nil, "", nil, err
	}
	e, store, warnings, err := a.savedEngine(ctx, s, c, log)
	if err != nil {
		return nil, "", nil, err
	}
	if store.ReadOnly() {
		store.Close()
		return nil, "", nil, &exitError{exitUsage, fmt.Errorf("another dingwatch owns %s: quit it (or give serve its own XDG_STATE_HOME) so the server can poll for everyone", config.DirsFrom(a.getenv).State)}
	}
	a.tellLoad(warnings, log) // an operator reads the journal and the log, not a session's banner
	for _, w := range warnings {
		e.Warn(w)
	}
	if a.pushWanted(s) {
		stopPush, err := a.startPush(ctx, e, s, log)
		if err != nil {
			store.Close()
			return nil, "", nil, err
		}
		return e, s.Region(), func() error { stopPush(); return e.Stop() }, nil
	}
	return e, s.Region(), e.Stop, nil
}
