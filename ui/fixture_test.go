package ui

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/dingwatch/dingwatch/watch"
)

// now is the injected clock of every UI test.
var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// fakeEngine holds a fixed state and records what the UI asked of it.
type fakeEngine struct {
	mu        sync.Mutex
	recallErr string // when set, every recalled key fails with it
	state     *watch.State
	version   uint64
	warnings  []watch.Warning
	added     []watch.AddSpec
	removed   []string
	refreshed [][]string
	sent      []watch.SendSpec
	recalled  [][]string
	grouped   map[string][]string
	resent    []string
}

func (f *fakeEngine) Group(keys []string, label string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.grouped == nil {
		f.grouped = map[string][]string{}
	}
	f.grouped[label] = keys
	id := "g-" + label
	f.state.Notices = append(f.state.Notices, &watch.Notice{ID: id, Label: label, CreatedAt: now})
	for _, k := range keys {
		f.state.Key(k).Notice = id
	}
	f.version++
	return id, nil
}

func (f *fakeEngine) Rename(id, label string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.state.Notice(id)
	if n == nil || label == "" {
		return fmt.Errorf("no notice %q", id)
	}
	n.Label = label
	f.version++
	return nil
}

func (f *fakeEngine) SetLabel(key, label string) error {
	return f.edit(key, func(k *watch.Key) { k.Label = label })
}

func (f *fakeEngine) SetSentAt(key string, at time.Time) error {
	return f.edit(key, func(k *watch.Key) { k.SentAt, k.Expired = at, false })
}

func (f *fakeEngine) edit(key string, fn func(*watch.Key)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := f.state.Key(key)
	if k == nil {
		return fmt.Errorf("%s is no longer watched", key)
	}
	fn(k)
	f.version++
	return nil
}

func (f *fakeEngine) Resend(_ context.Context, id string, unknownToo bool) (watch.SendReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resent = append(f.resent, fmt.Sprint(id, " ", unknownToo))
	return watch.SendReport{Notice: id, Label: id, Batches: []watch.Batch{{Status: watch.BatchSent}}}, nil
}

func (f *fakeEngine) Send(_ context.Context, spec watch.SendSpec) (watch.SendReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, spec)
	rep := watch.SendReport{Notice: spec.Notice, Label: spec.Label}
	for range (len(spec.UserIDs) + 19) / 20 {
		rep.Batches = append(rep.Batches, watch.Batch{Status: watch.BatchSent})
	}
	return rep, nil
}

func (f *fakeEngine) Recall(_ context.Context, keys []string) ([]watch.RecallOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recalled = append(f.recalled, keys)
	var out []watch.RecallOutcome
	for _, k := range keys {
		out = append(out, watch.RecallOutcome{Key: k, OK: f.recallErr == "", Error: f.recallErr})
	}
	return out, nil
}

func (f *fakeEngine) Snapshot() *watch.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &watch.Snapshot{Version: f.version, State: f.state.Clone(), Policy: watch.Policy{Budget: 166},
		Spent: 42, Robot: "dingrobot", Warnings: f.warnings}
}

func (f *fakeEngine) Add(spec watch.AddSpec) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.added = append(f.added, spec)
	n := 0
	for _, k := range spec.Keys {
		if f.state.Key(k) == nil {
			f.state.Keys = append(f.state.Keys, &watch.Key{Key: k, RobotCode: spec.RobotCode, Label: spec.Label, AddedAt: now})
			n++
		}
	}
	f.version++
	if n < len(spec.Keys) {
		return n, fmt.Errorf("already watched: %d", len(spec.Keys)-n)
	}
	return n, nil
}

func (f *fakeEngine) Remove(keys ...string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, keys...)
	n := len(f.state.Keys)
	f.state.Keys = slices.DeleteFunc(f.state.Keys, func(k *watch.Key) bool { return slices.Contains(keys, k.Key) })
	f.version++
	return n - len(f.state.Keys), nil
}

func (f *fakeEngine) Refresh(session string, keys ...string) watch.RefreshResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshed = append(f.refreshed, keys)
	n := len(keys)
	if n == 0 {
		n = len(f.state.Keys)
	}
	return watch.RefreshResult{Asked: n, Queued: n}
}

func people(names ...string) []watch.Recipient {
	out := make([]watch.Recipient, len(names))
	for i, n := range names {
		out[i] = watch.Recipient{UserID: fmt.Sprintf("u%02d", i+1), Name: n}
	}
	return out
}

// fixtureState is a notice of two batches, a stale key, a waiting key and
// an expired one, with Chinese and Latin names.
func fixtureState() *watch.State {
	sent := now.Add(-30 * time.Minute)
	b1 := &watch.Key{Key: "Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=", RobotCode: "dingrobot", Notice: "n1",
		AddedAt: sent, SentAt: sent, SendStatus: "SUCCESS", LastOK: now.Add(-20 * time.Second), Polls: 9,
		Recipients: people("张伟", "王芳", "欧阳娜娜", "Alice Chen", "Bob Martin")}
	b1.Recipients[0].Read, b1.Recipients[0].FirstSeenRead = true, now.Add(-25*time.Minute)
	b1.Recipients[3].Read, b1.Recipients[3].FirstSeenRead = true, now.Add(-3*time.Minute)
	b1.NotDelivered = []watch.Undelivered{{UserID: "ghost", Reason: "invalid userId"}}
	b2 := &watch.Key{Key: "Zq81+abc/def=ghiJKLmnoPQRstuVWXyz0123456789=", RobotCode: "dingrobot", Notice: "n1", Round: 1,
		AddedAt: sent, SentAt: sent, SendStatus: "SUCCESS", LastOK: now.Add(-20 * time.Second), Polls: 9,
		Recipients: []watch.Recipient{{UserID: "u10", Name: "李娜", Read: true, FirstSeenRead: now.Add(-10 * time.Minute)}, {UserID: "u11", Name: "Grace Kim"}}}
	stale := &watch.Key{Key: "STALEkey0000000000000000000000000000000000=", RobotCode: "dingrobot", Label: "Security patch",
		AddedAt: now.Add(-2 * time.Hour), SendStatus: "SUCCESS", LastOK: now.Add(-5 * time.Minute), Polls: 30, Failures: 2,
		Recipients: people("陈静", "Hiro Tanaka"),
		Err:        &watch.KeyError{Code: "system.error", HTTPStatus: 500, Hint: "DingTalk is busy: retrying later", At: now}}
	waiting := &watch.Key{Key: "WAITkey", RobotCode: "dingrobot", AddedAt: now.Add(-5 * time.Second), SentAt: now.Add(-5 * time.Second),
		Err: &watch.KeyError{Code: "processQueryKey.expireTime", Hint: "waiting for DingTalk to generate the read status", At: now}}
	expired := &watch.Key{Key: "OLDkey", RobotCode: "dingrobot", Label: "Yesterday's survey", AddedAt: now.Add(-25 * time.Hour),
		SentAt: now.Add(-25 * time.Hour), Expired: true, SendStatus: "SUCCESS", LastOK: now.Add(-2 * time.Hour), Recipients: people("周杰")}
	return &watch.State{
		Keys: []*watch.Key{b1, b2, stale, waiting, expired},
		Notices: []*watch.Notice{{ID: "n1", Label: "周会通知 Weekly sync", CreatedAt: sent,
			Rounds:  []watch.Round{{N: 0, At: sent, Text: "周会改到三点 Weekly sync moved to 15:00"}, {N: 1, At: now.Add(-10 * time.Minute), Text: "Reminder"}},
			Batches: []watch.Batch{{Status: watch.BatchSent, Key: b1.Key}, {Status: watch.BatchUnknown, UserIDs: userIDs(20, 20), Error: "timeout"}}}},
	}
}

// asciiRenderer draws without colour, for goldens.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

func newTestModel(e Engine) Model {
	return newTestModelWith(Options{Engine: e, Region: "international"})
}

// newTestModelWith is a model with opts, the test clock and renderer, and
// timers that never fire by themselves.
func newTestModelWith(opts Options) Model {
	opts.Renderer, opts.Now = asciiRenderer(), func() time.Time { return now }
	m := New(opts)
	m.after = func(_ time.Duration, msg tea.Msg) tea.Cmd { return func() tea.Msg { return timerMsg{msg} } }
	return m
}

// timerMsg is a message the program would deliver later: drive drops it
// (tests send what they want to happen later themselves).
type timerMsg struct{ msg tea.Msg }

// drive applies msgs to m, running the commands they return (one level,
// and never the clock), like the program would.
func drive(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		if _, ok := msg.(waitMsg); ok {
			if p, ok := m.overlay.(*confirm); ok && !p.openedAt.IsZero() { // shown: time to read it
				p.openedAt = p.openedAt.Add(-armDelay) // as if the user had read it
			}
			continue
		}
		var cmd tea.Cmd
		var tm tea.Model
		tm, cmd = m.Update(msg)
		m = tm.(Model)
		m = runCmd(m, cmd)
	}
	return m
}

func runCmd(m Model, cmd tea.Cmd) Model {
	if cmd == nil {
		return m
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			m = runCmd(m, c)
		}
	case timerMsg, nil:
	case doneMsg:
		m = drive(m, msg, snapshotMsg{m.opts.Engine.Snapshot()})
	default:
		m = drive(m, msg)
	}
	return m
}

func keys(s ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range s {
		switch k {
		case "enter":
			out = append(out, tea.KeyMsg{Type: tea.KeyEnter})
		case "esc":
			out = append(out, tea.KeyMsg{Type: tea.KeyEsc})
		case "tab":
			out = append(out, tea.KeyMsg{Type: tea.KeyTab})
		case "wait":
			out = append(out, waitMsg{})
		default:
			out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
	return out
}

// waitMsg (the key "wait") lets the open confirmation's arming delay
// pass, as a user who reads the question does.
type waitMsg struct{}

func itoa(n int) string { return fmt.Sprint(n) }

func sizeMsg(w, h int) tea.Msg { return tea.WindowSizeMsg{Width: w, Height: h} }

// userIDs are n userIds from "u<first>".
func userIDs(first, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("u%02d", first+i)
	}
	return out
}

// termenvOutput is an output to w with no colour.
func termenvOutput(w io.Writer) *termenv.Output {
	return termenv.NewOutput(w, termenv.WithProfile(termenv.Ascii))
}
