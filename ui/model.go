package ui

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/dingwatch/dingwatch/watch"
)

// Engine is what the dashboard needs of watch.Engine.
type Engine interface {
	Snapshot() *watch.Snapshot
	Add(watch.AddSpec) (int, error)
	Remove(keys ...string) (int, error)
	SetLabel(key, label string) error
	SetSentAt(key string, at time.Time) error
	Refresh(session string, keys ...string) watch.RefreshResult
	Group(keys []string, label string) (string, error)
	Send(ctx context.Context, spec watch.SendSpec) (watch.SendReport, error)
	Recall(ctx context.Context, keys []string) ([]watch.RecallOutcome, error)
	Rename(notice, label string) error
}

// Options configure a dashboard.
type Options struct {
	Engine   Engine
	Changes  <-chan struct{} // from Engine.Subscribe; the caller unsubscribes
	Renderer *lipgloss.Renderer
	Now      func() time.Time
	Region   string // "international", "China", or the endpoint
	// Session names this view to the engine's refresh limits ("" for the
	// local dashboard; one ID per SSH session).
	Session  string
	ReadOnly bool          // a viewer: may watch, not change
	Tick     time.Duration // how often relative times are redrawn (default 1s)
	Title    string        // shown first in the header (default "dingwatch")
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

type pane int

const (
	paneList pane = iota
	paneDetail
)

type mode int

const (
	modeNormal mode = iota
	modeHelp
	modeFilter
	modeAdd
	modeSend
	modeRemind
	modeLabel
	modeSentAt
	modeName
	modeConfirm
)

// Model is the dashboard's root model.
type Model struct {
	opts   Options
	st     Styles
	keys   keyMap
	help   help.Model
	width  int
	height int
	now    time.Time

	snap    *watch.Snapshot // nil until the first snapshot: loading
	tickGen int

	focus   pane
	mode    mode
	list    listState
	detail  detailState
	form    form            // add keys, send, remind
	input   textinput.Model // label, send time, notice name and filter
	confirm confirmation
	seenSeq uint64 // the last read event noticed

	flash    string
	flashErr bool
	cache    *rowCache
	crashed  *string // why Update or View panicked, shared by every copy
}

// Crashed is why the dashboard stopped on an internal error, or "".
func (m Model) Crashed() string { return *m.crashed }

// crash records a panic: the stack to the log, a line for the user.
func (m Model) crash(r any) {
	*m.crashed = fmt.Sprint(r)
	m.opts.Log.Error("dashboard panic", "panic", *m.crashed, "stack", string(debug.Stack()))
}

// New builds the dashboard model.
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
	st := NewStyles(opts.Renderer)
	h := help.New()
	h.Styles.ShortKey = st.Bold
	h.Styles.ShortDesc = st.Dim
	h.Styles.FullKey = st.Bold
	h.Styles.FullDesc = st.Dim
	h.ShortSeparator = " · "
	in := textinput.New()
	in.Cursor.SetMode(cursor.CursorStatic) // a blinking cursor redraws twice a second, over SSH too
	in.Prompt = "> "
	in.CharLimit = 200
	km := newKeyMap(opts.ReadOnly)
	if opts.NoExport {
		km.Write.SetEnabled(false)
	}
	return Model{opts: opts, st: st, keys: km, help: h, now: opts.Now(),
		input: in, list: listState{expanded: map[string]bool{}, marked: map[string]bool{}, dismissed: map[string]bool{}},
		cache: &rowCache{rows: map[rowSig]cachedRow{}}, crashed: new(string)}
}

// Init asks for the first snapshot, starts listening for changes and the clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.takeSnapshot(), m.waitChange(), m.tick())
}

// listState is the key list's cursor, scroll and rows.
type listState struct {
	rows     []row
	cursor   int
	offset   int
	filter   string
	expanded map[string]bool // notice ID → open
	pending  string          // a row to select as soon as it appears
	marked   map[string]bool // keys marked with space, for n
	countW   int             // width of the read/total column, fit to the largest
	// dismissed are warnings this view no longer shows (esc).
	dismissed map[string]bool
}

// detailState is the detail pane's scroll and the audience it shows.
type detailState struct {
	offset int
	rowID  string
	aud    watch.Audience
}

// confirmation is a yes/no question, an optional preview, and what "yes" does.
type confirmation struct {
	prompt  string
	preview string
	yes     tea.Cmd
	back    mode // where "no" returns to
}
