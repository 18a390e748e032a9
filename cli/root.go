// Package cli is dingwatch's command line: the cobra commands, settings, and
// what each command builds. It only wires; the work lives in watch, ui, serve
// and dingtalk, and so do the output formats (watch writes the status and
// send reports).
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/watch"
)

// Main runs dingwatch with the process's arguments, environment and
// standard streams and returns the exit status (see exitOK and the rest).
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Environ())
}

// streams are the standard streams a command uses.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// globals are the flags every command takes; the ones that are settings
// reach the program through config.Settings (flags over environment over
// file), never from here.
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
	io      streams
	environ []string // the process environment, for hooks
	getenv  func(string) string
	g       globals
	// flags are the flags the user gave, by name, with their values.
	flags map[string]string
	// cfg caches the settings once loaded.
	cfg *config.Settings
}

// errMax caps the error line dingwatch prints, in runes.
const errMax = 4000

func run(ctx context.Context, args []string, io streams, environ []string) int {
	a := &app{io: io, environ: environ, getenv: envLookup(environ)}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(io.in)
	root.SetOut(io.out)
	root.SetErr(io.err)
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(io.err, "dingwatch:", safetext.Line(err.Error(), errMax))
	}
	return exitCode(err)
}

// envLookup is os.Getenv over environ (the last value of a name wins).
func envLookup(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "dingwatch [KEY...]",
		Short: "Watch, live, who has read a DingTalk bot notice",
		Long: `dingwatch watches DingTalk bot messages (processQueryKeys) and shows, live,
who has read them and who has not.

Without a command it opens the dashboard, watching the saved keys and any KEY
given; press ? there for its keys. Try it without credentials:  dingwatch --demo

Keys, wherever given, are separated by white space, commas, semicolons or new
lines; a word that cannot be a processQueryKey (Base64, 16 to 128
characters) is refused by name before anything is saved or asked.

Every setting can be given in $XDG_CONFIG_HOME/dingwatch/config.toml (or
--config), in the environment (DINGTALK_APP_KEY, DINGTALK_APP_SECRET,
DINGTALK_ROBOT_CODE, DINGTALK_ENDPOINT, the DINGTALK_SUITE_* set for
third-party apps, DINGWATCH_BUDGET and the like) or as a flag: flags over
environment over file. dingwatch config shows each value and where it came from.

Exit status: 0 done; 1 a key or batch failed; 2 something to fix in the
settings or arguments (nothing was sent or saved then); 130 interrupted.`,
		Version:       readBuildInfo().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE:          a.runDashboard,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			a.flags = map[string]string{}
			cmd.Flags().Visit(func(f *pflag.Flag) { a.flags[f.Name] = f.Value.String() })
		},
	}
	root.SuggestionsMinimumDistance = 2
	root.SetVersionTemplate("dingwatch version {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%v (see %s --help)", err, c.CommandPath())
	})
	f := root.PersistentFlags()
	f.StringVar(&a.g.configPath, "config", "", "config file (default $XDG_CONFIG_HOME/dingwatch/config.toml)")
	f.DurationVar(&a.g.timeout, "timeout", dingtalk.DefaultTimeout, "bound on each request to DingTalk (setting timeout)")
	f.DurationVar(&a.g.interval, "interval", watch.DefaultInterval, "fastest polling period of one key, 1s or more (setting interval)")
	f.IntVar(&a.g.budget, "budget", watch.DefaultBudget, "most metered DingTalk calls per 24 hours, 0: no limit (setting budget)")
	f.Float64Var(&a.g.qps, "qps", dingtalk.DefaultRate, "most DingTalk calls per second from this process; DingTalk allows about 20 (setting qps)")
	f.StringVar(&a.g.robot, "robot", "", "robot code (setting robot_code, DINGTALK_ROBOT_CODE)")
	f.StringVar(&a.g.endpoint, "endpoint", "", "DingTalk base URL (setting endpoint, DINGTALK_ENDPOINT)")
	f.BoolVar(&a.g.debug, "debug", false, "write a detailed log to $XDG_STATE_HOME/dingwatch/dingwatch.log (setting debug)")
	f.BoolVar(&a.g.push, "push", false, "receive reads as DingTalk pushes them; Stream mode, see README: Push (setting push; --demo: on unless --push=false)")
	root.Flags().BoolVar(&a.g.demo, "demo", false, "run against a built-in simulated DingTalk: no credentials needed")
	// Persistent, like the other settings' flags: the dashboard and serve use
	// them, and config shows them with their source.
	f.BoolVar(&a.g.bell, "bell", false, "ring the terminal bell when someone reads, in the dashboard and each serve session (setting bell)")
	f.StringVar(&a.g.onRead, "on-read", "", "run this shell command for each read, by the dashboard or serve; see README: Notify (setting on_read)")
	root.AddCommand(a.statusCmd(), a.sendCmd(), a.recallCmd(), a.serveCmd(), a.configCmd(), a.manCmd())
	root.AddCommand(a.doctorCmd())
	return root
}

// settings loads the config file and environment and applies the flags
// the user gave (flags over environment over file), then checks ranges.
// Any failure is the user's to fix: exit status 2.
func (a *app) settings() (config.Settings, error) {
	if a.cfg != nil {
		return *a.cfg, nil
	}
	s, err := config.Load(a.g.configPath, a.getenv)
	if err != nil {
		return s, &exitError{exitUsage, err}
	}
	for name, value := range a.flags {
		if f, ok := config.FieldByFlag(name); ok {
			if err := s.Set(f.Name, value, "flag --"+name); err != nil {
				return s, &exitError{exitUsage, err}
			}
		}
	}
	if err := s.Check(); err != nil {
		return s, &exitError{exitUsage, err}
	}
	a.cfg = &s
	return s, nil
}

// client builds the DingTalk client for s; retries < 0 leaves retrying to the caller.
func (a *app) client(s config.Settings, retries int) (*dingtalk.Client, error) {
	if err := s.Validate(); err != nil {
		return nil, &exitError{exitUsage, err}
	}
	c, err := dingtalk.New(dingtalk.Options{Endpoint: s.Endpoint, Credentials: s.Credentials(),
		Timeout: s.Timeout, Retries: retries, Rate: s.QPS, UserAgent: userAgent()})
	if err != nil {
		return nil, &exitError{exitUsage, err}
	}
	return c, nil
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
	return a.engineOn(ctx, s, c, c, log)
}

// engineOn is savedEngine with the sender given apart from the client.
func (a *app) engineOn(ctx context.Context, s config.Settings, c *dingtalk.Client, sender watch.Sender, log *slog.Logger) (*watch.Engine, *watch.Store, []watch.Warning, error) {
	store, state, warnings, err := watch.OpenStore(config.DirsFrom(a.getenv).State, time.Now())
	if err != nil {
		return nil, nil, nil, &exitError{exitUsage, err}
	}
	e := watch.NewEngine(watch.Options{Client: c, Sender: sender, Policy: policy(s), Store: store, State: state,
		RobotCode: s.RobotCode, Log: log, OnRead: onRead(ctx, s.OnRead, a.environ, log)})
	return e, store, warnings, nil
}

// flagSet reports whether the user gave the flag name.
func (a *app) flagSet(name string) bool {
	_, ok := a.flags[name]
	return ok
}

// policy is the polling policy the settings ask for.
func policy(s config.Settings) watch.Policy {
	return watch.Policy{Interval: s.Interval, Budget: s.Budget}
}
