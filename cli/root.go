// Package cli is dingwatch's command line: the cobra commands, settings, and
// what each command builds. It only wires; the work lives in watch, ui, serve
// and dingtalk.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// version is set at build time with
// -ldflags "-X github.com/dingwatch/dingwatch/cli.version=…".
var version = ""

// Main runs dingwatch with the process's arguments and standard streams and
// returns the exit status: 0 fine, 1 a key or batch failed, 2 bad arguments or
// settings, 130 interrupted.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Getenv)
}

// streams are the standard streams a command uses.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1 // a key (or batch) failed
	exitUsage   = 2 // bad arguments or settings
	exitAborted = 130
)

// exitError carries an exit status with the message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, a...)}
}

// globals are the flags every command takes.
type globals struct {
	configPath string
	timeout    time.Duration
	interval   time.Duration
	budget     int
	qps        float64
	robot      string
	endpoint   string
	debug      bool
	demo       bool
	bell       bool
	onRead     string
	push       bool
}

// app is one run of the program.
type app struct {
	io     streams
	getenv func(string) string
	g      globals
	// changed records which flags the user gave.
	changed map[string]bool
}

func run(ctx context.Context, args []string, io streams, getenv func(string) string) int {
	a := &app{io: io, getenv: getenv}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(io.in)
	root.SetOut(io.out)
	root.SetErr(io.err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(io.err, "dingwatch:", err)
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		return exitAborted
	}
	return exitFailed
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "dingwatch [KEY...]",
		Short: "Watch, live, who has read a DingTalk bot notice",
		Long: `dingwatch watches DingTalk bot messages (processQueryKeys) and shows, live,
who has read them and who has not.

Without a command it opens the dashboard, watching the saved keys and any KEY
given; press ? there for its keys. Try it without credentials:  dingwatch --demo

Settings come from $XDG_CONFIG_HOME/dingwatch/config.toml (or --config), then
the environment (DINGTALK_APP_KEY, DINGTALK_APP_SECRET, DINGTALK_ROBOT_CODE,
DINGTALK_ENDPOINT, or the DINGTALK_SUITE_* set for third-party apps), then flags.`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE:          a.runDashboard,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			a.changed = map[string]bool{}
			cmd.Flags().Visit(func(f *pflag.Flag) { a.changed[f.Name] = true })
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%v (see %s --help)", err, c.CommandPath())
	})
	f := root.PersistentFlags()
	f.StringVar(&a.g.configPath, "config", "", "config file (default $XDG_CONFIG_HOME/dingwatch/config.toml)")
	f.DurationVar(&a.g.timeout, "timeout", dingtalk.DefaultTimeout, "bound on each request to DingTalk")
	f.DurationVar(&a.g.interval, "interval", watch.DefaultInterval, "fastest polling period of one key (1s or more)")
	f.IntVar(&a.g.budget, "budget", watch.DefaultBudget, "most metered DingTalk calls per 24 hours (0: no limit)")
	f.Float64Var(&a.g.qps, "qps", dingtalk.DefaultRate, "most DingTalk calls per second from this process (DingTalk allows about 20)")
	f.StringVar(&a.g.robot, "robot", "", "robot code (overrides DINGTALK_ROBOT_CODE)")
	f.StringVar(&a.g.endpoint, "endpoint", "", "DingTalk base URL (overrides DINGTALK_ENDPOINT)")
	f.BoolVar(&a.g.debug, "debug", false, "write a detailed log to $XDG_STATE_HOME/dingwatch/dingwatch.log")
	f.BoolVar(&a.g.push, "push", false, "receive reads as DingTalk pushes them (Stream mode; see README: Push); --demo: on unless --push=false")
	root.Flags().BoolVar(&a.g.demo, "demo", false, "run against a built-in simulated DingTalk: no credentials needed")
	root.Flags().BoolVar(&a.g.bell, "bell", false, "ring the terminal bell when someone reads")
	root.Flags().StringVar(&a.g.onRead, "on-read", "", "run this shell command for each read (see README: Notify)")
	root.AddCommand(a.statusCmd(), a.sendCmd(), a.recallCmd(), a.serveCmd())
	root.AddCommand(a.doctorCmd())
	return root
}

// settings loads the config file and environment, applies the flags, and
// checks the global flags.
func (a *app) settings() (config.Settings, error) {
	if a.g.timeout <= 0 {
		return config.Settings{}, usageErr("--timeout must be positive, e.g. 10s")
	}
	if a.g.interval < time.Second {
		return config.Settings{}, usageErr("--interval must be 1s or more")
	}
	if a.g.qps <= 0 || a.g.qps > 1000 {
		return config.Settings{}, usageErr("--qps must be above 0 (DingTalk allows about 20)")
	}
	if a.g.budget < 0 {
		return config.Settings{}, usageErr("--budget must be 0 (no limit) or more")
	}
	s, err := config.Load(a.g.configPath, a.getenv)
	if err != nil {
		return s, &exitError{exitUsage, err}
	}
	if a.g.robot != "" {
		s.RobotCode = a.g.robot
	}
	if a.g.endpoint != "" {
		s.Endpoint = a.g.endpoint
	}
	return s, nil
}

// client builds the DingTalk client for s; retries < 0 leaves retrying to the caller.
func (a *app) client(s config.Settings, retries int) (*dingtalk.Client, error) {
	if err := s.Validate(); err != nil {
		return nil, &exitError{exitUsage, err}
	}
	return dingtalk.New(dingtalk.Options{Endpoint: s.Endpoint, Credentials: s.Credentials(),
		Timeout: a.g.timeout, Retries: retries, Rate: a.g.qps})
}

// connect loads the settings and builds the client for them.
func (a *app) connect(retries int) (config.Settings, *dingtalk.Client, error) {
	s, err := a.settings()
	if err != nil {
		return s, nil, err
	}
	c, err := a.client(s, retries)
	return s, c, err
}

// savedEngine opens the saved state and builds an engine on it for s and c.
// It returns the store (the caller closes it) and the store's warnings.
func (a *app) savedEngine(ctx context.Context, s config.Settings, c *dingtalk.Client, log *slog.Logger) (*watch.Engine, *watch.Store, []watch.Warning, error) {
	store, state, warnings, err := watch.OpenStore(config.DirsFrom(a.getenv).State, time.Now())
	if err != nil {
		return nil, nil, nil, &exitError{exitUsage, err}
	}
	e := watch.NewEngine(watch.Options{Client: c, Sender: c, Policy: a.policy(), Store: store, State: state,
		RobotCode: s.RobotCode, Log: log, OnRead: onRead(ctx, a.g.onRead, log)})
	return e, store, warnings, nil
}

// flagSet reports whether the user gave the global flag name.
func (a *app) flagSet(name string) bool { return a.changed[name] }

func (a *app) policy() watch.Policy {
	return watch.Policy{Interval: a.g.interval, Budget: a.g.budget}
}
