package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/ui"
	"github.com/dingwatch/dingwatch/watch"
)

func (a *app) runDashboard(cmd *cobra.Command, args []string) error {
	// Every argument is checked before anything is loaded, saved or asked.
	keys, err := dashboardKeys(cmd, args)
	if err != nil {
		return err
	}
	out, err := a.terminal() // before anything is saved: a refusal leaves no trace
	if err != nil {
		return err
	}
	if a.g.demo {
		if len(args) > 0 {
			return usageErr("--demo takes no keys: it watches its own simulated notices")
		}
		return a.runDemo(cmd.Context(), out)
	}
	s, c, err := a.connect(-1) // the schedule retries, within the budget
	if err != nil {
		return err
	}
	log, closeLog, err := a.openLog(config.DirsFrom(a.getenv).State, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer closeLog()
	load := func(ctx context.Context) (loaded, error) { return a.loadEngine(ctx, s, c, keys, log) }
	if len(keys) == 0 { // keys to add show only once the state is loaded
		if first, ok := a.preview(out, s); ok {
			return a.runPreviewed(cmd.Context(), out, first, load, s, log)
		}
	}
	l, err := load(cmd.Context())
	if err != nil {
		return err
	}
	err = a.runEngine(cmd.Context(), out, l.e, l.warnings, s.Region(), s.Bell, log)
	return a.stopped(err, l.stop())
}

// loaded is a saved state in an engine.
type loaded struct {
	e        *watch.Engine
	warnings []watch.Warning // what the load set aside or found, shown in the dashboard's banners
	stop     func() error    // stops push, then the engine: Run ends, changes are saved, the state is let go
}

// loadEngine loads the saved state into an engine, adds keys, and starts
// push when asked.
func (a *app) loadEngine(ctx context.Context, s config.Settings, c *dingtalk.Client, keys []string, log *slog.Logger) (loaded, error) {
	e, store, warnings, err := a.savedEngine(ctx, s, c, log)
	if err != nil {
		return loaded{}, err
	}
	for _, w := range warnings {
		log.Warn(w.Text)
		e.Warn(w)
	}
	if len(keys) > 0 {
		// Keys were checked before: the only error left is "already
		// watched", which is what running dingwatch KEY a second time means.
		if _, err := e.Add(watch.AddSpec{Keys: keys}); err != nil {
			log.Debug("keys from the command line", "note", err)
		}
	}
	stopPush := func() {}
	if a.pushWanted(s) {
		if stopPush, err = a.startPush(ctx, e, s, log); err != nil {
			store.Close()
			return loaded{}, err
		}
	}
	return loaded{e: e, warnings: warnings, stop: func() error { stopPush(); return e.Stop() }}, nil
}

// preview is the first frame's snapshot of the saved state, read before
// the state is loaded (watch.PeekState), for a screen of out's height
// twice over; ok is false when there is none to show.
func (a *app) preview(out *os.File, s config.Settings) (*watch.Snapshot, bool) {
	_, height, err := term.GetSize(out.Fd())
	if err != nil {
		return nil, false
	}
	now := time.Now()
	snap, ok := watch.PeekState(config.DirsFrom(a.getenv).State, 2*max(height, 24), policy(s), now)
	if !ok {
		return nil, false
	}
	snap.Robot = s.RobotCode
	if a.pushWanted(s) { // as the engine shows push until the stream answers
		snap.Push = watch.PushStatus{State: watch.PushReconnecting, Since: now}
	}
	return snap, true
}

// runPreviewed shows the dashboard from first at once and loads the saved
// state once that frame is up; the dashboard then shows the whole state.
// When the load fails, the dashboard ends and the error is returned.
//
// Quitting before the load ends does not wait for it, unless a change was
// asked meanwhile: then the change is made and saved first. (Leaving a
// load half done is as safe as a crash: every file it writes is written
// whole or not at all.)
func (a *app) runPreviewed(ctx context.Context, out *os.File, first *watch.Snapshot, load func(context.Context) (loaded, error),
	s config.Settings, log *slog.Logger) error {
	sends := ctx // a send outlives q (the dashboard waits for it), not an interrupt
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	late := newLateEngine(first)
	done := make(chan loaded, 1)
	loadState := func() { // once the preview is on the screen: loading would slow its frame
		l, err := load(ctx)
		if err != nil {
			cancel() // the dashboard ends with the load's error
			l.stop = func() error { return nil }
		} else {
			l.e.Start(ctx)
		}
		late.start(ctx, l.e, l.warnings, err)
		done <- l
	}
	var once sync.Once
	go func() { // a terminal that never gives a size still loads
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
		once.Do(loadState)
	}()
	final, err := a.runProgram(ctx, sends, out, late, late.changes, first, func() { once.Do(loadState) }, s.Region(), s.Bell, log)
	cancel() // the engine stops polling
	if !late.loaded() && !late.asked() {
		return err // nothing asked waits for the state: leave its load
	}
	l := <-done
	a.tellUnseen(late.finish(a.io.err, final.WarningDrawn))
	stopErr := l.stop()
	if late.err != nil {
		return a.stopped(late.err, stopErr)
	}
	return a.stopped(err, stopErr)
}

// stopped is the error a command that ran (ending with err) and stopped
// its engine (stopErr: a save failed, or changes handed over wait in the
// inbox with no dingwatch to take them) ends with: err when there is one,
// with the stop's error said on stderr; else the stop's, which exits 1:
// the changes the user made are not all in the saved state.
func (a *app) stopped(err, stopErr error) error {
	if stopErr == nil {
		return err
	}
	stopErr = &exitError{exitFailed, fmt.Errorf("the last changes could not be saved: %w", semicolons{stopErr})}
	if err == nil {
		return stopErr
	}
	fmt.Fprintln(a.io.err, "dingwatch: "+safetext.Line(stopErr.Error(), errMax))
	return err
}

// tellUnseen says on stderr what the load set aside or found that no
// frame of the dashboard drew: it ended first, or the terminal was too
// small for banners.
func (a *app) tellUnseen(warnings []watch.Warning) {
	for _, w := range warnings {
		fmt.Fprintln(a.io.err, "dingwatch: "+safetext.Line(w.Text, 0))
	}
}

// runEngine polls with e and shows the dashboard on out until the user
// quits; the changes asked before then are saved before it returns, and
// the load's warnings (given to e) that no frame drew are said on stderr.
func (a *app) runEngine(ctx context.Context, out *os.File, e *watch.Engine, warnings []watch.Warning, region string, bell bool, log *slog.Logger) error {
	sends := ctx // a send outlives q (the dashboard waits for it), not an interrupt
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	first := e.Snapshot() // the first frame shows the saved keys, before a poll pass takes the engine
	late := newLateEngine(first)
	late.start(ctx, e, warnings, nil)
	e.Start(ctx)
	final, err := a.runProgram(ctx, sends, out, late, late.changes, first, nil, region, bell, log)
	cancel() // the engine stops polling
	a.tellUnseen(late.finish(a.io.err, final.WarningDrawn))
	return err
}

// openLog opens the log file under dir, logging from level up (debug with
// --debug); it never writes to the terminal.
func (a *app) openLog(dir string, level slog.Level) (*slog.Logger, func(), error) {
	s, err := a.settings()
	if err != nil {
		return nil, nil, err
	}
	if s.Debug {
		level = slog.LevelDebug
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, &exitError{exitUsage, fmt.Errorf("state directory: %w", err)}
	}
	f, err := os.OpenFile(filepath.Join(dir, "dingwatch.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, &exitError{exitUsage, fmt.Errorf("log file: %w", err)}
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})), func() { f.Close() }, nil
}

// terminal is the output the dashboard draws on, or a usage error when it
// is not a terminal (a pipe, a file, cron).
func (a *app) terminal() (*os.File, error) {
	out, ok := a.io.out.(*os.File)
	if !ok || !term.IsTerminal(out.Fd()) {
		return nil, usageErr("the dashboard needs a terminal; for a one-shot answer use dingwatch status KEY... (or --json); nothing was saved")
	}
	return out, nil
}

// runProgram shows the dashboard of e on out, from first, until the user
// quits or ctx ends; sends and recalls started from it end with sends.
// Signals reach it through ctx only: Bubble Tea's own handler, racing
// ours, could leave the program hanging on SIGTERM (tester Q1). It returns
// the model as the program ended (what it drew: ui.Model.WarningDrawn),
// the zero Model when there is none.
func (a *app) runProgram(ctx, sends context.Context, out *os.File, e ui.Engine, changes <-chan struct{}, first *watch.Snapshot, drawn func(),
	region string, bell bool, log *slog.Logger) (ui.Model, error) {
	// The dashboard's colours read on any background: nothing asks the
	// terminal a question that could hold the first frame or whose late
	// answer could be read as keys.
	r := lipgloss.NewRenderer(out)
	m := ui.New(ui.Options{Engine: e, Changes: changes, Snapshot: first, FirstFrame: drawn, Renderer: r, Region: region, Ctx: sends, Bell: bell, Log: log,
		Getenv: a.getenv}) // TMUX and STY decide how the clipboard is reached
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithOutput(out), tea.WithInput(a.io.in), tea.WithoutSignalHandler()}
	if a.getenv("SSH_TTY") != "" {
		opts = append(opts, tea.WithFPS(15)) // slow links: fewer frames
	}
	final, err := tea.NewProgram(m, opts...).Run()
	fm, _ := final.(ui.Model)
	if fm.Crashed() != "" {
		hint := "run with --debug to keep the details"
		if s, _ := a.settings(); s.Debug || !a.g.demo {
			hint = "details are in " + filepath.Join(config.DirsFrom(a.getenv).State, "dingwatch.log")
		}
		return fm, fmt.Errorf("internal error: %s (%s); please report it", fm.Crashed(), hint)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return fm, nil // a signal ended it: the terminal is restored
	}
	if err != nil {
		log.Error("dashboard", "err", err)
		return fm, fmt.Errorf("dashboard: %w", err)
	}
	return fm, nil
}
