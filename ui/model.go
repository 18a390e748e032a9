package ui

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/dingwatch/dingwatch/watch"
)

// Options configure a dashboard.
type Options struct {
	Engine  Engine
	Changes <-chan struct{} // from Engine.Subscribe; the caller unsubscribes
	// Snapshot, taken after Subscribe, is drawn in the first frame; nil:
	// Init asks the engine, and the first frame says "loading…" until it
	// answers (behind a poll pass planning 20,000 keys).
	Snapshot *watch.Snapshot
	// FirstFrame, when set, is called once, from a command, as the first
	// frame with a size is drawn: work started then does not hold that
	// frame back (the whole state loading behind a preview snapshot).
	FirstFrame func()
	Renderer   *lipgloss.Renderer
	Now        func() time.Time
	Region     string        // "international", "China", or the endpoint
	ReadOnly   bool          // a viewer: may watch, not change
	Tick       time.Duration // how often relative times are redrawn (default 1s)
	Title      string        // shown first in the header (default "dingwatch")
	// Session names this dashboard's refresh requests to the engine: ""
	// for the local dashboard, a per-SSH-session id otherwise.
	Session string
	// Getenv reads the environment of the terminal the dashboard draws on
	// (the local process's, or the SSH session's): TMUX and STY decide how
	// the clipboard is reached. nil: an empty environment.
	Getenv func(string) string
	// Ctx bounds sends and recalls started from the dashboard.
	Ctx context.Context
	// ExportDir is where w writes CSV files (default: the working directory).
	ExportDir string
	// Bell rings the terminal bell when someone reads.
	Bell bool
	// NoExport turns off w (writing a CSV file): over SSH the file would
	// land on the server.
	NoExport bool
	// Log receives the stack of a panic in Update or View.
	Log *slog.Logger
}

// Minimum terminal size the dashboard draws in.
const (
	MinWidth  = 50
	MinHeight = 12
)

// focus is the pane that takes j/k and the pane-specific keys.
type focus int

const (
	focusList focus = iota
	focusDetail
)

// Model is the dashboard's root: it routes messages to the panes and the
// open overlay, and lays them out. It holds no pane's state itself.
type Model struct {
	opts          Options
	c             common
	help          help.Model
	width, height int
	sized         bool            // a size came: the first frame is drawn
	early         []tea.KeyMsg    // keys typed before the first size, replayed once it comes
	snap          *watch.Snapshot // nil until the first snapshot: loading
	tickGen       int

	focus   focus
	list    keyList
	detail  detailPane
	overlay overlay // nil: none open
	answers answerFilter
	lay     layout

	flash     string
	flashErr  bool
	flashID   int
	seenSeq   uint64               // the last read event noticed
	dismissed map[string]bool      // banners this view no longer shows (esc)
	drawn     map[string]time.Time // when a frame first drew each warning's banner (noteDrawn), by text
	crashed   *string              // why Update or View panicked, shared by every copy
	// after delivers msg after d (tea.Tick; tests replace it).
	after func(d time.Duration, msg tea.Msg) tea.Cmd
}

// Crashed is why the dashboard stopped on an internal error, or "" (the
// zero Model too).
func (m Model) Crashed() string {
	if m.crashed == nil {
		return ""
	}
	return *m.crashed
}

// crash records a panic: the stack to the log, a line for the user.
func (m Model) crash(r any) {
	*m.crashed = fmt.Sprint(r)
	m.opts.Log.Error("dashboard panic", "panic", *m.crashed, "stack", string(debug.Stack()))
}

// New builds the dashboard model. It draws its first frame as soon as it
// has a size: nothing waits for the terminal to answer a query.
func New(opts Options) Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.Renderer == nil {
		opts.Renderer = lipgloss.DefaultRenderer()
	}
	if opts.Title == "" {
		opts.Title = "dingwatch"
	}
	if opts.Ctx == nil {
		opts.Ctx = context.Background()
	}
	if opts.ExportDir == "" {
		opts.ExportDir = "."
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	st := NewStyles(opts.Renderer)
	c := common{st: st, keys: newKeyMap(), now: opts.Now(), readOnly: opts.ReadOnly}
	h := help.New()
	h.Styles.ShortKey, h.Styles.ShortDesc = st.Bold, st.Dim
	h.Styles.FullKey, h.Styles.FullDesc = st.Bold, st.Dim
	h.Styles.ShortSeparator, h.Styles.FullSeparator, h.Styles.Ellipsis = st.Dim, st.Dim, st.Dim
	h.ShortSeparator = " · "
	m := Model{opts: opts, c: c, help: h, list: newKeyList(c), detail: newDetailPane(c),
		dismissed: map[string]bool{}, drawn: map[string]time.Time{}, crashed: new(string), after: after}
	m.list.focused = true
	if opts.Snapshot != nil {
		m.snap = opts.Snapshot
		m.list.setSnapshot(m.snap)
		m.noticeEvents() // reads before this view opened are not announced
	}
	return m
}

// Init asks for the first snapshot (unless it was given), starts
// listening for changes and the clock.
func (m Model) Init() tea.Cmd {
	first := takeSnapshot(m.opts.Engine)
	if m.snap != nil {
		first = nil
	}
	return tea.Batch(first, waitChange(m.opts.Changes), m.tick())
}

func (m Model) tick() tea.Cmd { return m.after(m.opts.Tick, tickMsg{m.tickGen}) }

// flashFor is how long a flash message stays.
const flashFor = 5 * time.Second

func after(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}
